import { excerpt, fail, ok, type ParseResult } from '../ingest/parsers/result';
import { DEFAULT_OFFSET_MINUTES, parseIsoTime, utcMillis } from '../ingest/parsers/timestamp';

/**
 * Syslog glossary.
 * - PRI: `<N>` at the start of a message, N = facility × 8 + severity (0..191).
 * - RFC 3164 (BSD syslog): `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG`; the timestamp has no year
 *   and no zone. nginx's `access_log syslog:server=...` and `logger --rfc3164` send this.
 * - RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID k="v"...] MSG`, `-` for nil.
 * - Structured data (SD): `[id name="value" ...]` elements, values escaping `"`, `\` and `]`.
 */
export interface SyslogMessage {
  readonly format: 'rfc3164' | 'rfc5424';
  readonly priority: number;
  readonly facility: number;
  readonly severity: number;
  /** Epoch ms; undefined when the message carried none (5424 nil timestamp). */
  readonly timestamp?: number;
  /** The host name the sender claims. Never used to choose a locality. */
  readonly hostname?: string;
  /** 3164 TAG without its `[pid]`, or 5424 APP-NAME. */
  readonly appName?: string;
  readonly procId?: string;
  readonly msgId?: string;
  /** 5424 structured data: SD-ID → param name → value (the last value of a repeated name). */
  readonly structuredData?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly message: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MAX_PRI = 191;

/**
 * Parses one syslog message (3164 or 5424, told apart by the `1 ` after PRI). `receivedAt` (epoch ms)
 * gives a 3164 timestamp its year (the one that puts it nearest the receive time); 3164 times carry
 * no zone and are read as UTC+07:00 like other zone-less times in Canh. Pure; never throws.
 */
export function parseSyslog(line: string, receivedAt: number): ParseResult<SyslogMessage> {
  const pri = readPri(line);
  if (!pri.ok) return pri;
  const { value: priority, end } = pri.value;
  const head = { priority, facility: priority >> 3, severity: priority & 7 };
  if (line.startsWith('1 ', end)) return parse5424(line, end + 2, head);
  return ok(parse3164(line, end, head, receivedAt));
}

function readPri(line: string): ParseResult<{ value: number; end: number }> {
  if (line.charCodeAt(0) !== 60) return fail(`not a syslog message: expected "<PRI>" at the start, got ${excerpt(line, 20)}`);
  const close = line.indexOf('>', 1);
  const digits = close > 0 ? line.slice(1, close) : '';
  if (close < 0 || digits.length === 0 || digits.length > 3 || !/^\d+$/.test(digits) || Number(digits) > MAX_PRI) {
    return fail(`not a syslog message: PRI must be <0> to <191>, got ${excerpt(line.slice(0, 6), 10)}`);
  }
  return ok({ value: Number(digits), end: close + 1 });
}

type Head = Pick<SyslogMessage, 'priority' | 'facility' | 'severity'>;

/** RFC 3164 is lenient by design (RFC 3164 §4.3): whatever follows PRI is kept, fields when they parse. */
function parse3164(line: string, start: number, head: Head, receivedAt: number): SyslogMessage {
  let i = start;
  let timestamp: number | undefined;
  const bsd = bsdTime(line, i, receivedAt);
  if (bsd !== undefined) {
    timestamp = bsd;
    i += 15;
  } else {
    // rsyslog and others may put an RFC 3339 time where the BSD one goes.
    const sp = line.indexOf(' ', i);
    const iso = sp > i && /^\d{4}-\d{2}-\d{2}T/.test(line.slice(i, i + 11)) ? parseIsoTime(line.slice(i, sp)) : undefined;
    if (iso !== undefined) {
      timestamp = iso;
      i = sp;
    }
  }
  if (timestamp === undefined) return { format: 'rfc3164', ...head, message: line.slice(start) };
  if (line.charCodeAt(i) === 32) i++;
  const out: { -readonly [K in keyof SyslogMessage]?: SyslogMessage[K] } = { format: 'rfc3164', ...head, timestamp };
  const sp = line.indexOf(' ', i);
  const word = sp < 0 ? line.slice(i) : line.slice(i, sp);
  // HOSTNAME then TAG; a word ending in ':' right after the time is a TAG (no host name sent, as logger's local form).
  if (!/[:\]]$/.test(word) && sp > 0) {
    out.hostname = word;
    i = sp + 1;
  }
  const tag = /^([^\s:[\]]{1,48})(?:\[([^\]\s]{1,32})\])?: ?/.exec(line.slice(i, i + 90));
  if (tag) {
    out.appName = tag[1];
    if (tag[2] !== undefined) out.procId = tag[2];
    i += tag[0].length;
  }
  out.message = line.slice(i);
  return out as SyslogMessage;
}

/** `Mmm dd hh:mm:ss` at `i` (day space-padded), in the year nearest to `receivedAt`. */
function bsdTime(line: string, i: number, receivedAt: number): number | undefined {
  const m = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2})(?= |$)/.exec(line.slice(i, i + 16));
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]) + 1;
  if (month === 0) return undefined;
  const year = new Date(receivedAt + DEFAULT_OFFSET_MINUTES * 60000).getUTCFullYear();
  let best: number | undefined;
  for (const y of [year - 1, year, year + 1]) {
    const t = utcMillis(y, month, Number(m[2].trim()), Number(m[3]), Number(m[4]), Number(m[5]), 0, DEFAULT_OFFSET_MINUTES);
    if (t !== undefined && (best === undefined || Math.abs(t - receivedAt) < Math.abs(best - receivedAt))) best = t;
  }
  return best;
}

function parse5424(line: string, start: number, head: Head): ParseResult<SyslogMessage> {
  const fields: string[] = [];
  let i = start;
  for (let n = 0; n < 5; n++) {
    const sp = line.indexOf(' ', i);
    if (sp < 0) return fail(`RFC 5424 header: expected TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, found ${n} of them`);
    fields.push(line.slice(i, sp));
    i = sp + 1;
  }
  const [time, hostname, appName, procId, msgId] = fields;
  let timestamp: number | undefined;
  if (time !== '-') {
    timestamp = parseIsoTime(time);
    if (timestamp === undefined || !/[Zz]|[+-]\d{2}:\d{2}$/.test(time)) return fail(`RFC 5424 header: TIMESTAMP ${excerpt(time)} is not an RFC 3339 time with a zone`);
  }
  const limits: [string, string, number][] = [['HOSTNAME', hostname, 255], ['APP-NAME', appName, 48], ['PROCID', procId, 128], ['MSGID', msgId, 32]];
  for (const [name, value, max] of limits) {
    if (value.length === 0 || value.length > max) return fail(`RFC 5424 header: ${name} must be 1-${max} characters`);
  }
  const sd = readStructuredData(line, i);
  if (!sd.ok) return sd;
  i = sd.value.end;
  let message = i < line.length && line.charCodeAt(i) === 32 ? line.slice(i + 1) : line.slice(i);
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
  const nil = (v: string) => (v === '-' ? undefined : v);
  const msg: SyslogMessage = {
    format: 'rfc5424', ...head, timestamp, hostname: nil(hostname), appName: nil(appName), procId: nil(procId), msgId: nil(msgId),
    structuredData: sd.value.data, message,
  };
  return ok(msg);
}

type SdMap = Record<string, Record<string, string>>;

/** STRUCTURED-DATA at `i`: `-` or one or more `[SD-ID name="value"...]`. */
function readStructuredData(line: string, start: number): ParseResult<{ data: SdMap | undefined; end: number }> {
  if (line.charCodeAt(start) === 45 && (start + 1 === line.length || line.charCodeAt(start + 1) === 32)) return ok({ data: undefined, end: start + 1 });
  if (line.charCodeAt(start) !== 91) return fail(`RFC 5424 STRUCTURED-DATA: expected "-" or "[", got ${excerpt(line.slice(start, start + 10))}`);
  const data: SdMap = Object.create(null);
  let i = start;
  while (line.charCodeAt(i) === 91) {
    const element = readElement(line, i + 1);
    if (!element.ok) return element;
    data[element.value.id] = Object.assign(data[element.value.id] ?? Object.create(null), element.value.params);
    i = element.value.end;
  }
  return ok({ data, end: i });
}

const SD_NAME = /^[!#-~]{1,32}/;

function readElement(line: string, start: number): ParseResult<{ id: string; params: Record<string, string>; end: number }> {
  const id = SD_NAME.exec(line.slice(start, start + 33).replace(/[= \]"].*$/s, ''))?.[0];
  if (!id) return fail('RFC 5424 STRUCTURED-DATA: an SD-ID of 1-32 printable characters must follow "["');
  const params: Record<string, string> = Object.create(null);
  let i = start + id.length;
  for (;;) {
    if (line.charCodeAt(i) === 93) return ok({ id, params, end: i + 1 });
    if (line.charCodeAt(i) !== 32) return fail(`RFC 5424 STRUCTURED-DATA: unterminated element [${excerpt(id)}`);
    i++;
    const eq = line.indexOf('="', i);
    const name = eq > i ? line.slice(i, eq) : '';
    if (!SD_NAME.test(name) || /[= \]"]/.test(name)) return fail(`RFC 5424 STRUCTURED-DATA: expected name="value" in [${id}]`);
    const value = readQuoted(line, eq + 2);
    if (value === undefined) return fail(`RFC 5424 STRUCTURED-DATA: unterminated value of ${name} in [${id}]`);
    params[name] = value.text;
    i = value.end;
  }
}

/** A PARAM-VALUE from `i` (after the opening quote) to its closing quote; `\"`, `\\`, `\]` unescaped. */
function readQuoted(line: string, i: number): { text: string; end: number } | undefined {
  let text = '';
  let from = i;
  for (let j = i; j < line.length; j++) {
    const c = line.charCodeAt(j);
    if (c === 92 && j + 1 < line.length && '"\\]'.includes(line[j + 1])) {
      text += line.slice(from, j);
      from = j + 1;
      j++;
    } else if (c === 34) {
      return { text: text + line.slice(from, j), end: j + 1 };
    }
  }
  return undefined;
}

const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'security', 'console', 'solaris-cron',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
const SEVERITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'];

export const facilityName = (code: number): string => FACILITIES[code] ?? String(code);
export const severityName = (code: number): string => SEVERITIES[code] ?? String(code);
