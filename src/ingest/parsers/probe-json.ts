import { setField } from '../../store/fields';
import { maskPii } from '../redact';
import { TIME_PATHS } from './access-json';
import { asNumber, asText, peek, take } from './coerce';
import { expandDotted, isPlainObject, mapStrings, readPath, type JsonObject } from './json-doc';
import { excerpt, fail, ok, type ParseResult } from './result';
import { parseAnyTime } from './timestamp';

/** A probe result read from JSON: the ECS fields (nested) and the redacted event.original. */
export interface ProbeDoc {
  readonly doc: JsonObject;
  readonly timestamp: number | undefined;
  readonly original: string;
}

/** Short-shape keys that are aliases only when they hold a scalar (ECS uses objects there). */
function scalarPaths(doc: JsonObject, paths: readonly string[]): string[] {
  return paths.filter((p) => p.indexOf('.') >= 0 || !isPlainObject(doc[p]));
}

/**
 * Reads a probe result: Heartbeat/ECS documents (`monitor.*`, `url.full`, `error.message`, ...) or
 * the short shape (`monitor_id`, `name`, `type`, `status`, `duration_ms`|`duration_us`, `url`,
 * `status_code`, `error`, `observer`). `monitor.status` (up|down) is required, and something to
 * identify the monitor (`monitor.id`, else its name, else its URL).
 */
export function parseProbeDocument(input: JsonObject): ParseResult<ProbeDoc> {
  const original = JSON.stringify(mapStrings(input, maskPii));
  const doc = expandDotted(input);
  let timestamp: number | undefined;
  const ts = take(doc, TIME_PATHS);
  if (ts !== undefined) {
    timestamp = parseAnyTime(ts.value);
    if (timestamp === undefined) return fail(`invalid timestamp ${excerpt(ts.value)} in "${ts.path}"`);
  }
  const status = readStatus(doc);
  if (!status.ok) return status;
  const fields: [string, unknown][] = [['monitor.status', status.value]];
  const texts: [string, string[]][] = [
    ['monitor.id', ['monitor.id', 'monitor_id']],
    ['monitor.name', ['monitor.name', 'name']],
    ['monitor.type', ['monitor.type', 'type']],
    ['url.full', ['url.full', 'url']],
    ['error.message', ['error.message', 'error']],
    ['observer.name', ['observer.name', 'observer']],
  ];
  for (const [field, paths] of texts) {
    const v = asText(take(doc, scalarPaths(doc, paths)), 'probe');
    if (!v.ok) return v;
    if (v.value !== undefined) fields.push([field, field === 'url.full' || field === 'error.message' ? maskPii(v.value) : v.value]);
  }
  const get = (f: string): unknown => fields.find(([k]) => k === f)?.[1];
  const id = get('monitor.id') ?? get('monitor.name') ?? get('url.full');
  if (id === undefined) return fail('probe: missing "monitor_id" (or monitor.id, name, url) to identify the monitor');
  if (get('monitor.id') === undefined) fields.push(['monitor.id', id]);
  if (get('observer.name') === undefined) {
    const host = asText(peek(doc, ['observer.hostname']), 'probe');
    if (host.ok && host.value !== undefined) fields.push(['observer.name', host.value]);
  }
  const numbers = readNumbers(doc);
  if (!numbers.ok) return numbers;
  fields.push(...numbers.value);
  setField(doc, 'event.outcome', status.value === 'up' ? 'success' : 'failure');
  for (const [field, value] of fields) setField(doc, field, field === 'monitor.type' ? String(value).toLowerCase() : value);
  return ok({ doc, timestamp, original });
}

function readStatus(doc: JsonObject): ParseResult<'up' | 'down'> {
  const p = take(doc, scalarPaths(doc, ['monitor.status', 'status']));
  if (p === undefined) {
    const down = readPath(doc, 'summary.down');
    const up = readPath(doc, 'summary.up');
    if (typeof down === 'number' && typeof up === 'number') return ok(down > 0 ? 'down' : 'up');
    return fail('probe: missing "status" (or monitor.status); expected "up" or "down"');
  }
  const s = typeof p.value === 'string' ? p.value.trim().toLowerCase() : '';
  if (s !== 'up' && s !== 'down') return fail(`probe: invalid status ${excerpt(p.value)} in "${p.path}"; expected "up" or "down"`);
  return ok(s);
}

function readNumbers(doc: JsonObject): ParseResult<[string, unknown][]> {
  const out: [string, unknown][] = [];
  const us = asNumber(take(doc, ['monitor.duration.us', 'duration_us']), 'probe');
  if (!us.ok) return us;
  const ms = asNumber(take(doc, ['duration_ms']), 'probe');
  if (!ms.ok) return ms;
  const micros = us.value ?? (ms.value !== undefined ? ms.value * 1000 : undefined);
  if (micros !== undefined) {
    out.push(['monitor.duration.us', Math.round(micros)]);
    out.push(['event.duration', Math.round(micros * 1000)]);
  }
  const code = asNumber(take(doc, ['http.response.status_code', 'status_code']), 'probe', { integer: true, max: 999 });
  if (!code.ok) return code;
  if (code.value !== undefined) out.push(['http.response.status_code', code.value]);
  return ok(out);
}
