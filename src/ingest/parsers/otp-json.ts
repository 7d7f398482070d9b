import { setField } from '../../store/fields';
import { hashPhone, redactOtpDocument } from '../redact';
import { TIME_PATHS } from './access-json';
import { asNumber, asText, take, type Picked } from './coerce';
import { expandDotted, isPlainObject, parseJsonText, readPath, type JsonObject } from './json-doc';
import { setClient } from '../normalize';
import { excerpt, fail, ok, type ParseResult } from './result';
import { parseAnyTime } from './timestamp';

/** The OTP lifecycle actions Canh accepts in `event.action`. */
export const OTP_ACTIONS = [
  'otp-requested', 'otp-sent', 'otp-delivery-failed', 'otp-verified', 'otp-verify-failed', 'otp-expired', 'otp-locked',
] as const;
export type OtpAction = (typeof OTP_ACTIONS)[number];

const SUCCESS: ReadonlySet<string> = new Set(['otp-requested', 'otp-sent', 'otp-verified']);
const OUTCOMES: ReadonlySet<string> = new Set(['success', 'failure', 'unknown']);

/** An OTP event read from JSON: the ECS fields (nested) and the redacted event.original. */
export interface OtpDoc {
  readonly doc: JsonObject;
  readonly timestamp: number | undefined;
  readonly original: string;
}

/** Short-shape key → ECS field, for the text fields of an OTP event. */
const TEXT_FIELDS: readonly [string, readonly string[]][] = [
  ['user.id', ['user.id', 'user_id', 'userId']],
  ['user.name', ['user.name', 'username']],
  ['service.name', ['service.name', 'service']],
  ['event.provider', ['event.provider', 'provider']],
  ['event.reason', ['event.reason', 'reason']],
  ['otp.channel', ['otp.channel', 'channel']],
  ['source.ip', ['source.ip', 'client.ip', 'client_ip', 'ip']],
];

/**
 * Reads an OTP event: the short shape (`action`, `user_id`, `phone`, `code`, ...) or ECS fields.
 * Phone numbers and codes are removed before anything else (see redactOtpDocument); the phone is
 * kept only as `otp.destination.hash`, a hex HMAC-SHA256 keyed with `salt`. A JSON document wrapped
 * in a shipper's `message`/`log` string is unwrapped first.
 */
export function parseOtpDocument(input: JsonObject, salt: string): ParseResult<OtpDoc> {
  const red = redactOtpDocument(unwrap(input));
  const original = JSON.stringify(red.doc);
  const doc = expandDotted(red.doc);
  let timestamp: number | undefined;
  const ts = take(doc, TIME_PATHS);
  if (ts !== undefined) {
    timestamp = parseAnyTime(ts.value);
    if (timestamp === undefined) return fail(`invalid timestamp ${excerpt(ts.value)} in "${ts.path}"`);
  }
  const action = readAction(take(doc, ['event.action', 'action']));
  if (!action.ok) return action;
  const outcome = asText(take(doc, ['event.outcome', 'outcome']), 'otp event');
  if (!outcome.ok) return outcome;
  if (outcome.value !== undefined && !OUTCOMES.has(outcome.value.toLowerCase())) {
    return fail(`otp event: unknown outcome ${excerpt(outcome.value)}; expected success, failure or unknown`);
  }
  const fields = readFields(doc);
  if (!fields.ok) return fields;
  setField(doc, 'event.category', ['authentication']);
  setField(doc, 'event.type', ['info']);
  setField(doc, 'event.action', action.value);
  setField(doc, 'event.outcome', outcome.value?.toLowerCase() ?? (SUCCESS.has(action.value) ? 'success' : 'failure'));
  for (const [field, value] of fields.value) {
    if (field === 'source.ip') setClient(doc, String(value));
    else setField(doc, field, value);
  }
  if (red.phone !== undefined) setField(doc, 'otp.destination.hash', hashPhone(red.phone, salt));
  return ok({ doc, timestamp, original });
}

/** `{"message": "{...otp json...}"}` from a shipper that did not decode JSON → the inner document. */
function unwrap(input: JsonObject): JsonObject {
  if (input.action !== undefined || input['event.action'] !== undefined || readPath(input, 'event.action') !== undefined) return input;
  for (const key of ['message', 'log']) {
    const text = input[key];
    if (typeof text !== 'string' || !text.trimStart().startsWith('{')) continue;
    const inner = parseJsonText(text);
    if (!inner.ok || !isPlainObject(inner.value)) return input;
    const rest: JsonObject = { ...input };
    delete rest[key];
    return { ...rest, ...inner.value };
  }
  return input;
}

function readAction(p: Picked | undefined): ParseResult<OtpAction> {
  const expected = `expected one of ${OTP_ACTIONS.join(', ')}`;
  if (p === undefined) return fail(`otp event: missing "action" (or "event.action"); ${expected}`);
  if (typeof p.value !== 'string') return fail(`otp event: "${p.path}" must be a string, got ${excerpt(p.value)}`);
  const action = p.value.trim().toLowerCase().replace(/_/g, '-');
  if (!(OTP_ACTIONS as readonly string[]).includes(action)) {
    return fail(`otp event: unknown action ${excerpt(p.value)}; ${expected}`);
  }
  return ok(action as OtpAction);
}

function readFields(doc: JsonObject): ParseResult<[string, unknown][]> {
  const out: [string, unknown][] = [];
  for (const [field, paths] of TEXT_FIELDS) {
    // A short key that holds an object is ECS (`service: {name}`), not the alias.
    const usable = paths.filter((p) => p.indexOf('.') >= 0 || !isPlainObject(doc[p]));
    const v = asText(take(doc, usable), 'otp event');
    if (!v.ok) return v;
    if (v.value !== undefined) out.push([field, v.value]);
  }
  const attempt = asNumber(take(doc, ['otp.attempt', 'attempt']), 'otp event', { integer: true, max: 1e6 });
  if (!attempt.ok) return attempt;
  if (attempt.value !== undefined) out.push(['otp.attempt', attempt.value]);
  const delivery = asNumber(take(doc, ['otp.delivery_ms', 'delivery_ms']), 'otp event', { max: 864e5 * 365 });
  if (!delivery.ok) return delivery;
  if (delivery.value !== undefined) out.push(['otp.delivery_ms', Math.round(delivery.value)]);
  return ok(out);
}
