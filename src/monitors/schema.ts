import { isMap, isScalar, isSeq, type LineCounter } from 'yaml';
import { Fields, describeNode, type RuleError } from '../rules/yaml-fields';
import {
  DEFAULT_EXPECTED_STATUS, HTTP_METHODS, MONITOR_DEFAULTS, MONITOR_ID, MONITOR_LIMITS, MONITOR_TYPES,
  type HttpCheck, type Monitor, type MonitorType, type TcpCheck,
} from './monitor';

/**
 * The monitor schema (docs/monitors.md): one YAML mapping (a file's, or an API body turned into
 * YAML nodes) → a validated Monitor, every problem reported with file, 1-based line and field, as
 * rule files are (the same `Fields` reader).
 */

export const COMMON_KEYS = ['id', 'name', 'locality', 'service', 'type', 'interval', 'timeout', 'enabled'] as const;
export const TYPE_KEYS: Readonly<Record<MonitorType, readonly string[]>> = {
  http: ['url', 'method', 'expected_status', 'body_keyword', 'follow_redirects', 'tls_expiry_warning_days'],
  tcp: ['host', 'port'],
};

const LOCALITY = /^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$/;
const HOST = /^[A-Za-z0-9.:_[\]-]{1,253}$/;
const SERVICE = /^[^\u0000-\u001f]{1,200}$/;
const ID_RULE = 'an id is 1 to 64 characters: lower-case letters, digits, - and _, starting with a letter or digit';

function typeHint(type: MonitorType | undefined) {
  return (key: string): string | undefined => {
    const owner = MONITOR_TYPES.find((t) => TYPE_KEYS[t].includes(key));
    return owner && owner !== type ? `; '${key}' belongs to type ${owner}` : undefined;
  };
}

function httpUrl(f: Fields): string | undefined {
  const url = f.str('url', { required: true, max: MONITOR_LIMITS.maxUrl });
  if (url === undefined) return undefined;
  const got = f.get('url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return f.fail(got?.line ?? f.line, f.field('url'), `invalid URL "${url.slice(0, 100)}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return f.fail(got?.line ?? f.line, f.field('url'), `expected an http: or https: URL, got ${parsed.protocol}`);
  if (parsed.username || parsed.password) return f.fail(got?.line ?? f.line, f.field('url'), 'credentials in the URL are not allowed (they would be stored in every event)');
  return url;
}

function expectedStatus(f: Fields): readonly number[] | undefined {
  const got = f.get('expected_status');
  if (!got) return DEFAULT_EXPECTED_STATUS;
  const items = isSeq(got.node) ? got.node.items : [got.node];
  if (items.length === 0 || items.length > 100) return f.fail(got.line, got.field, `expected 1 to 100 status codes, got ${items.length}`);
  const out: number[] = [];
  for (const [i, item] of items.entries()) {
    const line = f.lineOf(item, got.line);
    const field = isSeq(got.node) ? `${got.field}[${i}]` : got.field;
    const v = isScalar(item) ? item.value : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 100 || v > 599) return f.fail(line, field, `expected an HTTP status code (100 to 599), got ${describeNode(item)}`);
    out.push(v);
  }
  return out;
}

function httpCheck(f: Fields): HttpCheck | undefined {
  const url = httpUrl(f);
  const method = f.oneOf('method', HTTP_METHODS, MONITOR_DEFAULTS.method);
  const status = expectedStatus(f);
  const keyword = f.str('body_keyword', { max: MONITOR_LIMITS.maxKeyword });
  const follow = f.bool('follow_redirects', MONITOR_DEFAULTS.followRedirects);
  const days = f.num('tls_expiry_warning_days', { def: MONITOR_DEFAULTS.tlsExpiryWarningDays, integer: true, min: 0, max: 365 });
  if (url === undefined || method === undefined || status === undefined || follow === undefined || days === undefined) return undefined;
  return { type: 'http', url, method, expectedStatus: status, bodyKeyword: keyword ?? null, followRedirects: follow, tlsExpiryWarningDays: days };
}

function tcpCheck(f: Fields): TcpCheck | undefined {
  const host = f.str('host', { required: true, pattern: HOST, rule: 'a host name or IP address' });
  const port = f.num('port', { required: true, integer: true, min: 1, max: 65535 });
  return host === undefined || port === undefined ? undefined : { type: 'tcp', host, port };
}

/** One monitor mapping; problems go to `errors` (and the result is undefined). */
export function parseMonitorNode(node: unknown, src: { file: string; lineCounter: LineCounter }, errors: RuleError[], origin: 'yaml' | 'api' = 'yaml'): Monitor | undefined {
  const before = errors.length;
  const fallbackLine = (node as { range?: number[] } | null)?.range ? src.lineCounter.linePos((node as { range: number[] }).range[0]).line : 0;
  if (!isMap(node)) {
    errors.push({ file: src.file, line: fallbackLine, field: '', message: `expected a monitor (a mapping), got ${describeNode(node)}` });
    return undefined;
  }
  const f = new Fields(src, errors, node, '', fallbackLine);
  const type = f.oneOf('type', MONITOR_TYPES);
  f.checkKeys([...COMMON_KEYS, ...(type ? TYPE_KEYS[type] : [...TYPE_KEYS.http, ...TYPE_KEYS.tcp])], typeHint(type));
  const id = f.str('id', { required: true, pattern: MONITOR_ID, rule: ID_RULE });
  const name = f.str('name', { required: true, max: MONITOR_LIMITS.maxName });
  const locality = f.str('locality', { required: true, pattern: LOCALITY, rule: 'the code of a locality (1-32 letters, digits, - or _)' });
  const service = f.str('service', { pattern: SERVICE, rule: '1 to 200 characters, no control characters' });
  const intervalMs = f.duration('interval', { def: MONITOR_DEFAULTS.intervalMs, min: MONITOR_LIMITS.minIntervalMs, max: MONITOR_LIMITS.maxIntervalMs });
  const timeoutMs = f.duration('timeout', { def: MONITOR_DEFAULTS.timeoutMs, min: MONITOR_LIMITS.minTimeoutMs, max: MONITOR_LIMITS.maxTimeoutMs });
  const enabled = f.bool('enabled', true);
  const check = type === 'http' ? httpCheck(f) : type === 'tcp' ? tcpCheck(f) : undefined;
  if (intervalMs !== undefined && timeoutMs !== undefined && timeoutMs > intervalMs) {
    f.fail(f.get('timeout')?.line ?? f.line, 'timeout', `must not exceed the interval (${intervalMs / 1000}s): a check would still run when the next one starts`);
  }
  if (errors.length > before || !id || !name || !locality || !check || intervalMs === undefined || timeoutMs === undefined || enabled === undefined) return undefined;
  return {
    id, name, locality, service: service ?? name, check, intervalMs, timeoutMs, enabled,
    origin: origin === 'yaml' ? { kind: 'yaml', file: src.file, line: fallbackLine } : { kind: 'api' },
  };
}
