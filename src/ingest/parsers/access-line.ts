import type { AccessRecord } from './access-record';
import { splitRequestLine, unescapeLogField } from './request-line';
import { excerpt, fail, ok, type ParseResult } from './result';
import { parseClfTime } from './timestamp';

/** Text access-log formats. `auto` reads any of them (used for lines wrapped in JSON sources). */
export type AccessTextFormat = 'nginx_combined' | 'apache_common' | 'apache_combined' | 'auto';

/**
 * Parses one access-log line:
 * `host ident user [time] "request" status bytes ["referrer" "user-agent"] ["x-forwarded-for"] [duration]`.
 *
 * - `nginx_combined` and `apache_combined` require the referrer and user agent; `apache_common`
 *   and `auto` read them when present.
 * - The trailing duration is nginx `$request_time` (seconds, `0.123`) for nginx; for Apache (and
 *   `auto`) an integer is `%D` (microseconds) and a number with a dot is seconds.
 * - A user agent cut off before its closing quote (a truncated last field) is kept as it is.
 * - Text after these fields (custom additions to the format) is ignored; it stays in event.original.
 */
export function parseAccessLine(line: string, format: AccessTextFormat): ParseResult<AccessRecord> {
  const name = format === 'auto' ? 'an nginx/Apache access line' : format;
  const bad = (why: string): ParseResult<AccessRecord> => fail(`does not match ${name}: ${why}`);
  const lb = line.indexOf(' [');
  if (lb < 0) return bad('expected "[timestamp]" after client, ident and user');
  const head = readHead(line, lb);
  if (head === undefined) return bad('expected client address, ident and user before "[timestamp]"');
  const rb = line.indexOf(']', lb + 2);
  if (rb < 0) return bad('unterminated "[timestamp]"');
  const timestamp = parseClfTime(line, lb + 2, rb);
  if (timestamp === undefined) return fail(`invalid timestamp ${excerpt(line.slice(lb + 2, rb))}`);
  if (line.charCodeAt(rb + 1) !== 32 || line.charCodeAt(rb + 2) !== 34) {
    return bad('expected quoted request after timestamp');
  }
  const reqEnd = closingQuote(line, rb + 3, followedByStatus);
  if (reqEnd < 0) return bad('unterminated quoted request');
  const request = unescapeLogField(line.slice(rb + 3, reqEnd));
  let p = reqEnd + 1;
  if (!followedByStatus(line, reqEnd)) {
    return bad(`expected 3-digit status after request, got ${excerpt(tokenAt(line, p + 1))}`);
  }
  const status = (line.charCodeAt(p + 1) - 48) * 100 + (line.charCodeAt(p + 2) - 48) * 10 + (line.charCodeAt(p + 3) - 48);
  p += 4;
  if (line.charCodeAt(p) !== 32) return bad('expected size in bytes or "-" after status');
  const bytesTok = tokenAt(line, p + 1);
  const bytes = parseSize(bytesTok);
  if (bytes === null) return bad(`expected size in bytes or "-" after status, got ${excerpt(bytesTok)}`);
  p += 1 + bytesTok.length;
  const rec: AccessRecord = { timestamp, client: head.client, request, status };
  if (head.user !== undefined) rec.user = head.user;
  if (bytes !== undefined) rec.bytes = bytes;
  const parts = splitRequestLine(request);
  rec.url = parts.url;
  if (parts.method !== undefined) rec.method = parts.method;
  if (parts.version !== undefined) rec.version = parts.version;
  const tail = readTail(line, p, format, rec);
  return tail === undefined ? ok(rec) : bad(tail);
}

function readHead(line: string, lb: number): { client: string; user?: string } | undefined {
  const s1 = line.indexOf(' ');
  if (s1 <= 0 || s1 >= lb) return undefined;
  const s2 = line.indexOf(' ', s1 + 1);
  if (s2 < 0 || s2 >= lb || s2 === s1 + 1) return undefined;
  const user = line.slice(s2 + 1, lb);
  if (user.length === 0) return undefined;
  return { client: line.slice(0, s1), user: user === '-' ? undefined : unescapeLogField(user) };
}

/** Reads the optional/required fields after the size; returns a problem, or undefined when fine. */
function readTail(line: string, p: number, format: AccessTextFormat, rec: AccessRecord): string | undefined {
  const needsAgent = format === 'nginx_combined' || format === 'apache_combined';
  if (line.charCodeAt(p) !== 32 || line.charCodeAt(p + 1) !== 34) {
    if (needsAgent) return 'expected quoted referrer after size';
    readDuration(line, p, format, rec);
    return undefined;
  }
  const refEnd = closingQuote(line, p + 2, followedByQuote);
  if (refEnd < 0 || !followedByQuote(line, refEnd)) return 'expected quoted user agent after referrer';
  const referrer = unescapeLogField(line.slice(p + 2, refEnd));
  if (referrer !== '-' && referrer !== '') rec.referrer = referrer;
  const uaStart = refEnd + 3;
  let uaEnd = closingQuote(line, uaStart, followedByEndOrField);
  if (uaEnd < 0) uaEnd = line.length; // truncated last field: keep what is there
  const ua = unescapeLogField(line.slice(uaStart, uaEnd));
  if (ua !== '-' && ua !== '') rec.userAgent = ua;
  p = uaEnd + 1;
  if (line.charCodeAt(p) === 32 && line.charCodeAt(p + 1) === 34) {
    const xffEnd = closingQuote(line, p + 2, followedByEndOrField);
    if (xffEnd > 0) {
      const xff = unescapeLogField(line.slice(p + 2, xffEnd));
      if (xff !== '-' && xff !== '') rec.forwardedFor = xff;
      p = xffEnd + 1;
    }
  }
  readDuration(line, p, format, rec);
  return undefined;
}

const DURATION = /^\d{1,12}(\.\d{1,9})?$/;

function readDuration(line: string, p: number, format: AccessTextFormat, rec: AccessRecord): void {
  if (line.charCodeAt(p) !== 32) return;
  const tok = tokenAt(line, p + 1);
  if (!DURATION.test(tok)) return;
  const n = Number(tok);
  const seconds = format === 'nginx_combined' || tok.indexOf('.') >= 0;
  rec.durationNs = Math.round(seconds ? n * 1e9 : n * 1e3);
}

/** `-` → undefined (no size); digits → number; anything else → null. */
function parseSize(tok: string): number | undefined | null {
  if (tok === '-') return undefined;
  if (tok.length === 0 || tok.length > 15) return null;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  return Number(tok);
}

function tokenAt(line: string, i: number): string {
  const sp = line.indexOf(' ', i);
  return line.slice(i, sp < 0 ? line.length : sp);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `" 200 ` / `" 200` at end: the quote at q closes the request. */
function followedByStatus(line: string, q: number): boolean {
  const e = q + 5;
  return (
    line.charCodeAt(q + 1) === 32 && isDigit(line.charCodeAt(q + 2)) && isDigit(line.charCodeAt(q + 3)) &&
    isDigit(line.charCodeAt(q + 4)) && (e === line.length || line.charCodeAt(e) === 32)
  );
}

function followedByQuote(line: string, q: number): boolean {
  return line.charCodeAt(q + 1) === 32 && line.charCodeAt(q + 2) === 34;
}

function followedByEndOrField(line: string, q: number): boolean {
  return q + 1 === line.length || line.charCodeAt(q + 1) === 32;
}

/**
 * Index of the quote closing a field that starts at `from`: the first quote not escaped by a
 * backslash. Old servers wrote unescaped quotes inside fields, so a quote that is not followed by
 * what the format expects next is skipped when a later one is; failing that, the first one is used.
 */
function closingQuote(line: string, from: number, expected: (line: string, q: number) => boolean): number {
  let first = -1;
  let i = line.indexOf('"', from);
  while (i >= 0) {
    let bs = 0;
    for (let k = i - 1; k >= from && line.charCodeAt(k) === 92; k--) bs++;
    if ((bs & 1) === 0) {
      if (expected(line, i)) return i;
      if (first < 0) first = i;
    }
    i = line.indexOf('"', i + 1);
  }
  return first;
}
