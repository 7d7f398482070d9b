/**
 * Timestamp parsing without the clock and without Date.parse (whose handling of strings without an
 * offset depends on the machine's time zone). All functions return epoch milliseconds or undefined.
 *
 * A time without a UTC offset is read as Vietnam time (UTC+07:00, no daylight saving): Canh's
 * sources are Vietnamese government systems whose local logs use local time.
 */

/** Offset applied to timestamps that carry none: Asia/Ho_Chi_Minh, UTC+07:00. */
export const DEFAULT_OFFSET_MINUTES = 7 * 60;

/** Latest instant `Date#toISOString` can print with a 4-digit year (9999-12-31T23:59:59.999Z). */
const MAX_MS = 253402300799999;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Builds epoch ms from calendar fields, or undefined when any field is out of range. */
export function utcMillis(
  y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number,
): number | undefined {
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return undefined;
  if (d > DAYS_IN_MONTH[mo - 1] || (mo === 2 && d === 29 && !isLeap(y))) return undefined;
  if (offsetMin < -18 * 60 || offsetMin > 18 * 60) return undefined;
  // A leap second (":60") is folded into the next second, as Elasticsearch does.
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60000;
  return t >= 0 && t <= MAX_MS ? t : undefined;
}

/** Reads `n` ASCII digits at `i`; -1 when any of them is not a digit. */
export function digitsAt(str: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = str.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const MONTHS: Record<string, number> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

/**
 * Parses the Common Log Format time `17/May/2015:10:05:03 +0000` (Apache `%t`, nginx `$time_local`)
 * found in `str` between `start` and `end`. Also accepts fractional seconds and a missing offset.
 */
export function parseClfTime(str: string, start = 0, end = str.length): number | undefined {
  if (end - start < 20 || str.charCodeAt(start + 2) !== 47 || str.charCodeAt(start + 6) !== 47) return undefined;
  const d = digitsAt(str, start, 2);
  const mo = MONTHS[str.slice(start + 3, start + 6)];
  const y = digitsAt(str, start + 7, 4);
  if (str.charCodeAt(start + 11) !== 58 || str.charCodeAt(start + 14) !== 58 || str.charCodeAt(start + 17) !== 58) {
    return undefined;
  }
  const h = digitsAt(str, start + 12, 2);
  const mi = digitsAt(str, start + 15, 2);
  const s = digitsAt(str, start + 18, 2);
  if (d < 0 || mo === undefined || y < 0 || h < 0 || mi < 0 || s < 0) return undefined;
  let i = start + 20;
  let ms = 0;
  if (i < end && str.charCodeAt(i) === 46) {
    const f = fraction(str, i + 1, end);
    if (f === undefined) return undefined;
    ms = f.ms;
    i = f.next;
  }
  let offset = DEFAULT_OFFSET_MINUTES;
  if (i < end) {
    if (str.charCodeAt(i) !== 32 || end - i !== 6) return undefined;
    const o = parseOffset(str, i + 1, end);
    if (o === undefined) return undefined;
    offset = o;
  }
  return utcMillis(y, mo, d, h, mi, s, ms, offset);
}

/** Reads 1–9 fraction digits at `i`; returns milliseconds (truncated) and the next index. */
function fraction(str: string, i: number, end: number): { ms: number; next: number } | undefined {
  let j = i;
  let ms = 0;
  while (j < end) {
    const c = str.charCodeAt(j) - 48;
    if (c < 0 || c > 9) break;
    if (j - i < 3) ms = ms * 10 + c;
    j++;
  }
  const n = j - i;
  if (n === 0 || n > 9) return undefined;
  for (let k = n; k < 3; k++) ms *= 10;
  return { ms, next: j };
}

/** `+0700`, `+07:00`, `+07`, `-0330` → minutes east of UTC. */
function parseOffset(str: string, i: number, end: number): number | undefined {
  const sign = str.charCodeAt(i);
  if (sign !== 43 && sign !== 45) return undefined;
  const len = end - i - 1;
  const h = digitsAt(str, i + 1, 2);
  let m = 0;
  if (len === 4) m = digitsAt(str, i + 3, 2);
  else if (len === 5 && str.charCodeAt(i + 3) === 58) m = digitsAt(str, i + 4, 2);
  else if (len !== 2) return undefined;
  if (h < 0 || m < 0 || m > 59) return undefined;
  const v = h * 60 + m;
  return sign === 45 ? -v : v;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2}))?([.,]\d{1,9})?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** ISO 8601 / RFC 3339 date-times (`2026-11-23T08:00:00+07:00`, `2026-11-23 08:00:00.123Z`, `2026-11-23`). */
export function parseIsoTime(str: string): number | undefined {
  const m = ISO.exec(str);
  if (m === null) return undefined;
  let ms = 0;
  if (m[7] !== undefined) ms = fraction(m[7], 1, m[7].length)?.ms ?? 0;
  let offset = DEFAULT_OFFSET_MINUTES;
  if (m[8] !== undefined) {
    const o = m[8] === 'Z' || m[8] === 'z' ? 0 : parseOffset(m[8], 0, m[8].length);
    if (o === undefined) return undefined;
    offset = o;
  }
  const num = (x: string | undefined): number => (x === undefined ? 0 : Number(x));
  return utcMillis(num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]), num(m[6]), ms, offset);
}

/**
 * Epoch numbers: seconds (≤ 1e11, fractions allowed), milliseconds (≤ 1e14) or microseconds beyond.
 */
export function parseEpoch(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  const ms = n <= 1e11 ? n * 1000 : n <= 1e14 ? n : n / 1000;
  const t = Math.floor(ms);
  return t <= MAX_MS ? t : undefined;
}

const EPOCH_STRING = /^\d{9,16}(\.\d+)?$/;

/** Any timestamp value found in a JSON document: ISO string, CLF string, epoch number or numeric string. */
export function parseAnyTime(value: unknown): number | undefined {
  if (typeof value === 'number') return parseEpoch(value);
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (EPOCH_STRING.test(s)) return parseEpoch(Number(s));
  const c = s.charCodeAt(2);
  if (c === 47) return parseClfTime(s); // "17/May/2015:..."
  return parseIsoTime(s);
}

const isoMemo = { ms: [NaN, NaN, NaN, NaN], iso: ['', '', '', ''], used: [0, 0, 0, 0], tick: 0 };

/**
 * ISO 8601 UTC with milliseconds, e.g. `2015-05-17T10:05:03.000Z`. Remembers the last few values:
 * within a batch, `event.created`/`event.ingested` never change and log lines share their second.
 * A miss replaces the least recently used value, so a run of distinct line times (a shuffled log)
 * does not evict the batch's two constant times.
 */
export function toIso(ms: number): string {
  const m = isoMemo;
  const tick = ++m.tick;
  let oldest = 0;
  for (let i = 0; i < 4; i++) {
    if (m.ms[i] === ms) {
      m.used[i] = tick;
      return m.iso[i];
    }
    if (m.used[i] < m.used[oldest]) oldest = i;
  }
  const iso = new Date(ms).toISOString();
  m.ms[oldest] = ms;
  m.iso[oldest] = iso;
  m.used[oldest] = tick;
  return iso;
}
