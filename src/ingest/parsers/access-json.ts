import { maskPii } from '../redact';
import { parseAccessLine, type AccessTextFormat } from './access-line';
import type { AccessRecord } from './access-record';
import { asNumber, asText, peek, take } from './coerce';
import { deletePath, expandDotted, mapStrings, readPath, type JsonObject } from './json-doc';
import { splitRequestLine } from './request-line';
import { excerpt, fail, ok, type ParseResult } from './result';
import { parseAnyTime } from './timestamp';

/** An access entry read from a JSON document: the record, the rest of the document, event.original. */
export interface AccessDoc {
  readonly record: AccessRecord;
  /** Remaining input fields (nested, aliases removed), kept in the stored event. */
  readonly doc: JsonObject;
  /** Redacted event.original. */
  readonly original: string;
}

/** Where timestamps are looked for in JSON documents, in order. */
export const TIME_PATHS = ['@timestamp', 'timestamp', 'time', 'time_iso8601', 'time_local', 'ts'];

const P = {
  client: ['source.ip', 'source.address', 'client.ip', 'client.address', 'remote_addr', 'client_ip', 'remote_ip', 'ip'],
  user: ['user.name', 'remote_user'],
  request: ['request'],
  method: ['http.request.method', 'request_method', 'method'],
  url: ['url.original', 'url.full', 'request_uri', 'url'],
  path: ['url.path', 'uri', 'path'],
  query: ['url.query', 'args', 'query_string'],
  version: ['http.version', 'server_protocol', 'protocol'],
  status: ['http.response.status_code', 'status', 'status_code'],
  bytes: ['http.response.body.bytes', 'body_bytes_sent', 'bytes_sent', 'bytes', 'size'],
  referrer: ['http.request.referrer', 'http_referer', 'referer', 'referrer'],
  userAgent: ['user_agent.original', 'http_user_agent', 'user_agent', 'agent'],
  forwardedFor: ['http_x_forwarded_for', 'x_forwarded_for'],
  durationNs: ['event.duration'],
  durationS: ['request_time'],
  durationMs: ['duration_ms'],
};

/** Fields that make a document an access entry: a status or something naming the request. */
const MARKERS = [...P.status, 'request', 'url.original', 'url.full', 'url.path', 'request_uri', 'uri', 'path'];

/** The log line a shipper wrapped in JSON (Filebeat, Vector, Fluent Bit, rsyslog), if any. */
export function shippedLine(doc: JsonObject): { line: string; path: string } | undefined {
  for (const path of ['event.original', 'message', 'log']) {
    const v = readPath(doc, path);
    if (typeof v === 'string') return { line: v, path };
  }
  return undefined;
}

/**
 * Reads an access entry from a sanitized JSON object: ECS fields (nested or dotted), the short
 * nginx-style shape (remote_addr, request, status, ...), or a text line in `event.original` /
 * `message` / `log`. `preferLine` (text sources) reads the wrapped line first; otherwise the line
 * is used only when the document has no access fields.
 */
export function parseAccessDocument(
  input: JsonObject, lineFormat: AccessTextFormat, what: string, preferLine: boolean,
): ParseResult<AccessDoc> {
  const doc = expandDotted(input);
  const shipped = shippedLine(doc);
  const hasFields = peek(doc, MARKERS) !== undefined;
  if (shipped !== undefined && (preferLine || !hasFields)) return fromShippedLine(doc, shipped, lineFormat);
  if (!hasFields) {
    return fail(`${what}: no access-log fields found; expected ECS http.*/url.* fields, the short shape (remote_addr, request, status, ...) or a "message" line`);
  }
  const original = typeof readPath(doc, 'event.original') === 'string'
    ? maskPii(readPath(doc, 'event.original') as string)
    : JSON.stringify(mapStrings(input, maskPii));
  const record = readRecord(doc, what);
  return record.ok ? ok({ record: record.value, doc, original }) : record;
}

function fromShippedLine(doc: JsonObject, shipped: { line: string; path: string }, format: AccessTextFormat): ParseResult<AccessDoc> {
  const line = stripLineEnd(shipped.line);
  if (line.trim() === '') return fail(`"${shipped.path}" is empty`);
  const parsed = parseAccessLine(line, format);
  if (!parsed.ok) return parsed;
  for (const path of ['event.original', 'message', 'log', ...TIME_PATHS]) {
    if (typeof readPath(doc, path) !== 'object' || readPath(doc, path) === null) deletePath(doc, path);
  }
  return ok({ record: parsed.value, doc, original: maskPii(line) });
}

/** Drops a trailing CR/LF left by shippers that forward raw lines. */
export function stripLineEnd(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 10 || s.charCodeAt(end - 1) === 13)) end--;
  return end === s.length ? s : s.slice(0, end);
}

function readRecord(doc: JsonObject, what: string): ParseResult<AccessRecord> {
  const rec: AccessRecord = {};
  const ts = take(doc, TIME_PATHS);
  if (ts !== undefined) {
    rec.timestamp = parseAnyTime(ts.value);
    if (rec.timestamp === undefined) return fail(`invalid timestamp ${excerpt(ts.value)} in "${ts.path}"`);
  }
  const texts = readTexts(doc, what);
  if (!texts.ok) return texts;
  Object.assign(rec, texts.value);
  const status = asNumber(take(doc, P.status), what, { max: 999, integer: true });
  if (!status.ok) return status;
  if (status.value !== undefined) rec.status = status.value;
  const bytes = asNumber(take(doc, P.bytes), what, { integer: true });
  if (!bytes.ok) return bytes;
  if (bytes.value !== undefined) rec.bytes = bytes.value;
  const duration = readDuration(doc, what);
  if (!duration.ok) return duration;
  if (duration.value !== undefined) rec.durationNs = duration.value;
  return ok(rec);
}

function readTexts(doc: JsonObject, what: string): ParseResult<Partial<AccessRecord>> {
  // Short `agent`/`url`/`user`/`path` keys are only aliases when they are strings (ECS uses objects).
  const out: Partial<Record<string, string>> = {};
  for (const key of ['client', 'user', 'request', 'method', 'url', 'path', 'query', 'version', 'referrer', 'userAgent', 'forwardedFor'] as const) {
    const paths = P[key].filter((p) => p.indexOf('.') >= 0 || typeof doc[p] !== 'object' || doc[p] === null);
    const v = asText(take(doc, paths), what);
    if (!v.ok) return v;
    if (v.value !== undefined) out[key] = v.value;
  }
  const fromRequest = out.request !== undefined ? splitRequestLine(out.request) : undefined;
  let url: string | undefined = out.url ?? (out.path !== undefined ? out.path + (out.query !== undefined ? `?${out.query}` : '') : undefined);
  url ??= fromRequest?.url;
  const method = (out.method ?? fromRequest?.method)?.toUpperCase();
  let version = out.version ?? fromRequest?.version;
  if (version !== undefined && /^HTTP\//i.test(version)) version = version.slice(5);
  const rec: Partial<AccessRecord> = {
    client: out.client, user: out.user, request: out.request, method, url, version,
    referrer: out.referrer, userAgent: out.userAgent, forwardedFor: out.forwardedFor,
  };
  for (const k of Object.keys(rec) as (keyof AccessRecord)[]) if (rec[k] === undefined) delete rec[k];
  return ok(rec);
}

function readDuration(doc: JsonObject, what: string): ParseResult<number | undefined> {
  const ns = asNumber(take(doc, P.durationNs), what);
  if (!ns.ok || ns.value !== undefined) return ns.ok ? ok(Math.round(ns.value as number)) : ns;
  const s = asNumber(take(doc, P.durationS), what);
  if (!s.ok || s.value !== undefined) return s.ok ? ok(Math.round((s.value as number) * 1e9)) : s;
  const ms = asNumber(take(doc, P.durationMs), what);
  if (!ms.ok || ms.value === undefined) return ms;
  return ok(Math.round(ms.value * 1e6));
}
