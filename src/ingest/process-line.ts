import type { EcsDocument } from '../store/event-store';
import type { LineContext } from './line-context';
import { accessToEcs, applyEnvelope, DATASETS } from './normalize';
import { parseAccessDocument, stripLineEnd } from './parsers/access-json';
import { parseAccessLine, type AccessTextFormat } from './parsers/access-line';
import type { AccessRecord } from './parsers/access-record';
import { describeJson, isPlainObject, mapStrings, parseJsonText, sanitizeJson, type JsonObject } from './parsers/json-doc';
import { parseOtpDocument } from './parsers/otp-json';
import { parseProbeDocument } from './parsers/probe-json';
import { fail, ok, type ParseResult } from './parsers/result';
import { maskPii, redactOtpDocument } from './redact';
import { syslogEvent } from '../syslog/syslog-event';

export type LineResult = { ok: true; event: EcsDocument } | { ok: false; reason: string };

/** Longest line or JSON document accepted (characters); longer ones become dead letters. */
export const MAX_LINE_CHARS = 1_048_576;
const MAX_REASON_CHARS = 300;

/**
 * Turns one received line into an ECS event, or says why not. Never throws, whatever the input.
 *
 * @param raw the line as received (a text line, or one JSON document serialized).
 * @param parsed the already-parsed JSON value when the transport was JSON (ndjson/json/_bulk), else undefined.
 * @param ctx the source, batch and line the input belongs to.
 */
export function processLine(raw: string, parsed: unknown, ctx: LineContext): LineResult {
  let result: ParseResult<EcsDocument>;
  try {
    result = route(typeof raw === 'string' ? raw : String(raw), parsed, ctx);
  } catch (err) {
    result = fail(`internal parser error: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (result.ok) return { ok: true, event: result.value };
  // Reasons quote input; keep them short and free of ID and phone numbers.
  let reason = maskPii(result.reason || 'unparseable line');
  if (reason.length > MAX_REASON_CHARS) reason = `${reason.slice(0, MAX_REASON_CHARS)}…`;
  return { ok: false, reason };
}

function route(raw: string, parsed: unknown, ctx: LineContext): ParseResult<EcsDocument> {
  if (parsed === undefined && raw.length > MAX_LINE_CHARS) {
    return fail(`line is longer than ${MAX_LINE_CHARS} characters (${raw.length})`);
  }
  if (ctx.source.kind === 'access') return processAccess(raw, parsed, ctx);
  const value = jsonValue(raw, parsed);
  if (!value.ok) return value;
  const what = ctx.source.kind === 'otp' ? 'otp event' : 'probe';
  if (!isPlainObject(value.value)) return fail(`${what}: expected a JSON object, got ${describeJson(value.value)}`);
  if (ctx.source.kind === 'otp') {
    const r = parseOtpDocument(value.value, ctx.piiSalt);
    if (!r.ok) return r;
    return ok(applyEnvelope(r.value.doc, { dataset: DATASETS.otp, kind: 'event', timestamp: r.value.timestamp, original: r.value.original }, ctx));
  }
  if (ctx.source.kind === 'probe') {
    const r = parseProbeDocument(value.value);
    if (!r.ok) return r;
    return ok(applyEnvelope(r.value.doc, { dataset: DATASETS.probe, kind: 'state', timestamp: r.value.timestamp, original: r.value.original }, ctx));
  }
  return fail(`unknown source kind ${JSON.stringify(ctx.source.kind)}`);
}

/** The JSON value of a line: `parsed` when the transport already decoded it, else `raw` parsed. */
function jsonValue(raw: string, parsed: unknown): ParseResult<unknown> {
  if (parsed !== undefined) return sanitizeJson(parsed);
  if (raw.trim() === '') return fail('line is empty');
  if (raw.length > MAX_LINE_CHARS) return fail(`line is longer than ${MAX_LINE_CHARS} characters (${raw.length})`);
  return parseJsonText(raw);
}

function processAccess(raw: string, parsed: unknown, ctx: LineContext): ParseResult<EcsDocument> {
  const format = ctx.source.format;
  if (format === 'syslog') return processSyslog(raw, parsed, ctx);
  const lineFormat: AccessTextFormat = format === 'json' ? 'auto' : format;
  const isText = format !== 'json';
  let value: unknown;
  if (parsed !== undefined || !isText) {
    const v = jsonValue(raw, parsed);
    if (!v.ok) return v;
    value = v.value;
  } else {
    // A byte-order mark survives on the first line of files saved by some Windows tools.
    const line = stripLineEnd(raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw);
    if (line.trim() === '') return fail('line is empty');
    // A shipper posting JSON documents as plain text: read them like JSON transport.
    const json = line.charCodeAt(0) === 123 ? parseJsonText(line) : undefined;
    if (json === undefined || !json.ok || !isPlainObject(json.value)) {
      return accessEvent(parseAccessLine(line, lineFormat), { '@timestamp': '' }, maskPii(line), ctx);
    }
    value = json.value;
  }
  if (typeof value === 'string') {
    const line = stripLineEnd(value);
    if (line.trim() === '') return fail('line is empty');
    return accessEvent(parseAccessLine(line, lineFormat), { '@timestamp': '' }, maskPii(line), ctx);
  }
  const what = isText ? `${format} (JSON document)` : 'access JSON';
  if (!isPlainObject(value)) return fail(`${what}: expected a JSON object or a text line, got ${describeJson(value)}`);
  const r = parseAccessDocument(value, lineFormat, what, isText);
  if (!r.ok) return r;
  return accessEvent(ok(r.value.record), r.value.doc, r.value.original, ctx);
}

/** A source of format `syslog`: one syslog message a line (a JSON string is one too). */
function processSyslog(raw: string, parsed: unknown, ctx: LineContext): ParseResult<EcsDocument> {
  const value = parsed === undefined ? raw : parsed;
  if (typeof value !== 'string') return fail(`syslog: expected a syslog line, got ${describeJson(value)}`);
  const line = stripLineEnd(value.charCodeAt(0) === 0xfeff ? value.slice(1) : value);
  if (line.trim() === '') return fail('line is empty');
  return syslogEvent(line, ctx);
}

function accessEvent(rec: ParseResult<AccessRecord>, base: JsonObject, original: string, ctx: LineContext): ParseResult<EcsDocument> {
  if (!rec.ok) return rec;
  const doc = accessToEcs(rec.value, base);
  return ok(applyEnvelope(doc, { dataset: DATASETS.access, kind: 'event', timestamp: rec.value.timestamp, original }, ctx));
}

/**
 * The raw input made safe to keep in a dead letter: OTP documents lose their phone numbers and
 * codes (as in events), everything else has CCCD and mobile numbers masked. Never throws.
 */
export function redactRaw(raw: string, parsed: unknown, ctx: LineContext): string {
  try {
    if (ctx.source.kind === 'otp') {
      const v = parsed !== undefined ? sanitizeJson(parsed) : parseJsonText(raw);
      if (v.ok && isPlainObject(v.value)) return JSON.stringify(redactOtpDocument(v.value).doc);
      if (v.ok && v.value !== null && typeof v.value === 'object') return JSON.stringify(mapStrings(v.value, maskPii));
    }
    return maskPii(raw);
  } catch {
    return '';
  }
}
