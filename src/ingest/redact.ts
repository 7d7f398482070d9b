import { createHmac } from 'node:crypto';
import { isPlainObject, type JsonObject } from './parsers/json-doc';

/**
 * PII redaction. What is masked, and where:
 * - Citizen ID numbers (CCCD, 12 digits): every run of exactly 12 digits not touching another digit
 *   becomes `************` (all 12 digits masked, none kept).
 * - Vietnamese mobile numbers: `0` + 3|5|7|8|9 + 8 digits, or the same with `84` / `+84` / `%2B84`
 *   instead of the `0`, not touching another digit; the digits become `*`.
 * Access logs: applied to url.*, http.request.referrer and event.original (the whole raw line, so
 * numbers in paths, query strings and referrers are caught). OTP events: the phone number and the
 * code are removed from the document (see redactOtpDocument) and only an HMAC of the phone is kept.
 */
const PII = /(?<![0-9])(?:[0-9]{12}|84[35789][0-9]{8}|0[35789][0-9]{8})(?![0-9])/g;

/** True when `s` holds at least `n` consecutive ASCII digits (cheaper than a regex here). */
function hasDigitRun(s: string, n: number): boolean {
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= n) return true;
    } else run = 0;
  }
  return false;
}

/** Masks CCCD numbers and Vietnamese mobile numbers in a string (returns it unchanged if none). */
export function maskPii(s: string): string {
  // Cheap pre-check: every pattern contains at least 10 consecutive digits.
  if (!hasDigitRun(s, 10)) return s;
  return s.replace(PII, (m) => '*'.repeat(m.length));
}

/**
 * Normalizes a phone number so that every way of writing the same Vietnamese number gives the same
 * string: separators (space . - ( )) are dropped, then `+84…`, `0084…`, `84…`, `840…` and `0…`
 * all become `84` + the national number. Other numbers are reduced to their digits.
 */
export function normalizePhone(raw: string): string {
  let d = raw.replace(/[\s.\-()/]/g, '');
  if (d.startsWith('+')) d = d.slice(1);
  d = d.replace(/[^0-9]/g, '');
  if (d.startsWith('0084')) d = d.slice(2);
  if (d.startsWith('840') && d.length === 12) return `84${d.slice(3)}`;
  if (d.startsWith('84') && d.length === 11) return d;
  if (d.startsWith('0') && !d.startsWith('00') && d.length === 10) return `84${d.slice(1)}`;
  return d;
}

/** Hex HMAC-SHA256 of the normalized phone number, keyed with the deployment's PII salt. */
export function hashPhone(raw: string, salt: string): string {
  return createHmac('sha256', salt).update(normalizePhone(raw)).digest('hex');
}

/** Keys (compared lower-case without `_`/`-`) whose scalar value is a phone number. */
const PHONE_KEYS = new Set([
  'phone', 'phonenumber', 'msisdn', 'mobile', 'mobilenumber', 'destination', 'sdt', 'sodienthoai', 'tel', 'telephone',
]);
/** Keys whose scalar value is an OTP code. */
const CODE_KEYS = new Set(['code', 'otp', 'otpcode', 'verificationcode', 'passcode', 'pin']);
/** Keys whose values are timestamps: never scrubbed (a short code could look like a year). */
const TIME_KEYS = new Set(['@timestamp', 'timestamp', 'time', 'ts', 'timeiso8601', 'timelocal']);

function keyName(key: string): string {
  const dot = key.lastIndexOf('.');
  return (dot >= 0 ? key.slice(dot + 1) : key).toLowerCase().replace(/[_-]/g, '');
}

export interface OtpRedaction {
  /** The document without phone numbers and codes; every string scrubbed. */
  readonly doc: JsonObject;
  /** The first phone number found (raw), to be hashed; undefined if none. */
  readonly phone?: string;
}

/**
 * Removes every phone number and OTP code from an OTP document (sanitized, dotted or nested):
 * scalar values under PHONE_KEYS / CODE_KEYS, `number` under a `destination` object and `value`
 * under an `otp` object. Then scrubs what is left: those exact values (and the other ways of
 * writing the phone), Vietnamese mobile numbers and CCCD numbers inside any string or key.
 */
export function redactOtpDocument(input: JsonObject): OtpRedaction {
  const phones: string[] = [];
  const codes: string[] = [];
  const stripped = strip(input, '', phones, codes) as JsonObject;
  const scrub = scrubber(phones, codes);
  return { doc: scrubDeep(stripped, scrub) as JsonObject, phone: phones[0] };
}

function strip(v: unknown, parentKey: string, phones: string[], codes: string[]): unknown {
  if (Array.isArray(v)) return v.map((x) => strip(x, parentKey, phones, codes));
  if (!isPlainObject(v)) return v;
  const out: JsonObject = {};
  for (const key of Object.keys(v)) {
    const value = v[key];
    const name = keyName(key);
    const scalar = typeof value === 'string' || typeof value === 'number';
    if (scalar && (PHONE_KEYS.has(name) || (name === 'number' && parentKey === 'destination'))) {
      if (String(value).length > 0) phones.push(String(value));
      continue;
    }
    if (scalar && (CODE_KEYS.has(name) || (name === 'value' && parentKey === 'otp'))) {
      if (String(value).length > 0) codes.push(String(value));
      continue;
    }
    out[key] = strip(value, name, phones, codes);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A pattern matching a captured phone number however it is written in free text: with or without
 * the country prefix (+84, 0084, 84) or trunk 0, and with spaces, dots or dashes between digits.
 */
function phonePattern(raw: string): string | undefined {
  const n = normalizePhone(raw);
  if (n.length < 6) return undefined;
  const national = n.startsWith('84') && n.length === 11 ? n.slice(2) : undefined;
  const digits = (national ?? n).split('').join('[\\s.\\-]?');
  const prefix = national !== undefined ? '(?:(?:\\+|00)?84|0)?[\\s.()\\-]*' : '\\+?';
  return `${prefix}${digits}`;
}

function scrubber(phones: string[], codes: string[]): (s: string) => string {
  const alts = new Set<string>();
  for (const p of phones) {
    const pattern = phonePattern(p);
    if (pattern !== undefined) alts.add(pattern);
    if (p.trim().length >= 6) alts.add(escapeRegExp(p.trim()));
  }
  const phoneRe = alts.size > 0 ? new RegExp(`(?<![0-9])(?:${[...alts].join('|')})(?![0-9])`, 'g') : undefined;
  const codeAlts = codes.filter((c) => c.trim().length >= 3).map((c) => escapeRegExp(c.trim()));
  const codeRe = codeAlts.length > 0 ? new RegExp(`(?<![A-Za-z0-9])(?:${codeAlts.join('|')})(?![A-Za-z0-9])`, 'g') : undefined;
  const stars = (m: string): string => '*'.repeat(m.length);
  return (s: string): string => {
    let r = s;
    if (phoneRe !== undefined) r = r.replace(phoneRe, stars);
    if (codeRe !== undefined) r = r.replace(codeRe, stars);
    return maskPii(r);
  };
}

function scrubDeep(v: unknown, scrub: (s: string) => string, key = ''): unknown {
  if (typeof v === 'string') return TIME_KEYS.has(keyName(key)) ? v : scrub(v);
  if (Array.isArray(v)) return v.map((x) => scrubDeep(x, scrub, key));
  if (!isPlainObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v)) out[scrub(k)] = scrubDeep(v[k], scrub, k);
  return out;
}
