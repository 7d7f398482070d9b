import { errors } from '../errors';
import { isoToEpochMs } from '../query/predicate';
import { MAX_SAMPLES, type AggregateQuery, type DeadLetter, type EcsDocument, type EventBatch, type TimeRange } from './event-store';

/**
 * Rules of the EventStore port that every adapter applies identically, so that they answer the same
 * input with the same result or the same error: page sizes, keyset cursors, the key of an event,
 * time ranges, histogram buckets and what a well-formed batch is.
 *
 * Glossary: a *key* is the (time, id) pair a listing is ordered by, newest first; a *cursor* is the
 * key of the last item of a page, encoded as opaque base64url text.
 */

export const MIN_PAGE_SIZE = 1;
export const MAX_PAGE_SIZE = 1000;
/** Most groups one aggregate may return. */
export const MAX_GROUP_LIMIT = 10_000;
/** Most buckets one histogram may have. */
export const MAX_HISTOGRAM_BUCKETS = 10_000;

/** Position in a newest-first listing: epoch ms and id of the last item returned. */
export interface CursorKey {
  readonly at: number;
  readonly id: string;
}

/** Throws kind `invalid` unless `size` is an integer in 1..1000. */
export function checkPageSize(size: number): void {
  if (!Number.isInteger(size) || size < MIN_PAGE_SIZE || size > MAX_PAGE_SIZE) {
    throw errors.invalidRequest(`Page size must be an integer from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}`, { size });
  }
}

/** Opaque cursor for the page after `key`. */
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.at, key.id]), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor; throws kind `invalid` for anything else. */
export function decodeCursor(cursor: string): CursorKey {
  const bad = () => errors.invalidRequest('The cursor is not valid: pass the nextCursor of a previous page', { cursor });
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || typeof id !== 'string') throw bad();
  return { at, id };
}

/** Cursor key of a decoded optional cursor, or undefined. */
export function cursorKey(cursor: string | undefined): CursorKey | undefined {
  return cursor === undefined ? undefined : decodeCursor(cursor);
}

const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Value of the `n` decimal digits of `s` at `at`, or -1 when one is not a digit. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Epoch ms of `s` when it is exactly what `toISOString()` writes (YYYY-MM-DDTHH:mm:ss.sssZ, fields
 * in range), else undefined. Read digit by digit: this runs for every stored event, and a valid
 * canonical string is then known to round-trip without formatting it again.
 */
export function canonicalTimestampMs(s: string): number | undefined {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return undefined;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  const ms = digits(s, 20, 3);
  // Years below 100 would be read as 19xx by Date.UTC: left to the general path.
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0) return undefined;
  const leap = mo === 2 && (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
  if (d > DAYS_IN_MONTH[mo - 1] + (leap ? 1 : 0)) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
}

/**
 * Epoch ms of an ISO 8601 `@timestamp` (query/predicate.ts isoToEpochMs rules), with fast paths for
 * the canonical `toISOString()` form the normalizer writes.
 */
export function timestampMs(s: string): number | undefined {
  const fast = canonicalTimestampMs(s);
  if (fast !== undefined) return fast;
  if (CANONICAL_ISO.test(s)) {
    const ms = Date.parse(s);
    if (Number.isFinite(ms) && new Date(ms).toISOString() === s) return ms;
  }
  return isoToEpochMs(s);
}

/**
 * The key of a stored event: `@timestamp` as epoch ms and `event.id`. Throws kind `invalid` when the
 * document lacks either (every stored event has both).
 */
export function eventKey(doc: EcsDocument): CursorKey {
  const ts = doc['@timestamp'];
  const event = doc.event;
  const id = event !== null && typeof event === 'object' ? (event as Record<string, unknown>).id : undefined;
  const at = typeof ts === 'string' ? timestampMs(ts) : undefined;
  if (at === undefined || typeof id !== 'string' || id.length === 0) {
    throw errors.invalidRequest('Every event needs an ISO 8601 @timestamp and a non-empty event.id', {
      eventId: typeof id === 'string' ? id : null,
    });
  }
  return { at, id };
}

/** Throws kind `invalid` unless from/to are whole epoch ms. */
export function checkTimeRange(range: TimeRange): void {
  if (!Number.isSafeInteger(range.from) || !Number.isSafeInteger(range.to)) {
    throw errors.invalidRequest('Time range bounds must be whole epoch milliseconds', { from: range.from, to: range.to });
  }
}

/**
 * Starts of the histogram buckets covering [from, to): multiples of intervalMs since the epoch.
 * Throws kind `invalid` for a non-positive or fractional interval, or more than MAX_HISTOGRAM_BUCKETS.
 */
export function bucketStarts(range: TimeRange, intervalMs: number): number[] {
  checkTimeRange(range);
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) {
    throw errors.invalidRequest('Histogram interval must be a positive whole number of milliseconds', { intervalMs });
  }
  const first = Math.floor(range.from / intervalMs) * intervalMs;
  const count = range.to > range.from ? Math.ceil((range.to - first) / intervalMs) : 0;
  if (count > MAX_HISTOGRAM_BUCKETS) {
    throw errors.invalidRequest(`A histogram may have at most ${MAX_HISTOGRAM_BUCKETS} buckets; widen the interval`, { intervalMs, buckets: count });
  }
  return Array.from({ length: count }, (_, i) => first + i * intervalMs);
}

/** True when (at, id) comes after the cursor key in newest-first order. */
export function isAfterKey(at: number, id: string, key: CursorKey): boolean {
  return at < key.at || (at === key.at && id < key.id);
}

function checkDeadLetter(d: DeadLetter): void {
  const ok =
    typeof d.id === 'string' && d.id.length > 0 && typeof d.sourceId === 'string' && typeof d.locality === 'string' &&
    (d.province === null || typeof d.province === 'string') && typeof d.batchId === 'string' &&
    Number.isSafeInteger(d.line) && typeof d.raw === 'string' && typeof d.reason === 'string' &&
    Number.isSafeInteger(d.receivedAt);
  if (!ok) throw errors.invalidRequest('Malformed dead letter', { id: typeof d.id === 'string' ? d.id : null });
}

/**
 * Checks a batch before anything of it is written; throws kind `invalid` (and nothing is written)
 * for a malformed batch, dead letter or event. Returns the key of each event, in order.
 */
export function checkBatch(batch: EventBatch): CursorKey[] {
  const ok =
    typeof batch.batchId === 'string' && batch.batchId.length > 0 && typeof batch.sourceId === 'string' &&
    Number.isSafeInteger(batch.received) && batch.received >= 0 && Number.isSafeInteger(batch.receivedAt) &&
    Array.isArray(batch.events) && Array.isArray(batch.deadLetters);
  if (!ok) throw errors.invalidRequest('Malformed batch: batchId, sourceId, received, receivedAt, events and deadLetters are required', { batchId: batch.batchId ?? null });
  batch.deadLetters.forEach(checkDeadLetter);
  return batch.events.map(eventKey);
}

const FIELD_NAME = /^[A-Za-z_@][A-Za-z0-9_.@-]*$/;
const METRIC_OPS = new Set(['count', 'cardinality', 'avg', 'min', 'max', 'sum', 'p95']);

function checkField(field: unknown, what: string): void {
  if (typeof field !== 'string' || !FIELD_NAME.test(field)) throw errors.invalidRequest(`${what}: not a valid field name`, { field });
}

/**
 * Checks an aggregate query (kind `invalid`): field names, at least one metric with a known op and
 * (except count) a field, limit 1..MAX_GROUP_LIMIT, a finite minFirstMetric.
 */
export function checkAggregate(q: AggregateQuery): void {
  checkTimeRange(q);
  q.groupBy.forEach((f) => checkField(f, 'groupBy'));
  if (q.metrics.length === 0) throw errors.invalidRequest('At least one metric is required');
  for (const m of q.metrics) {
    if (!METRIC_OPS.has(m.op)) throw errors.invalidRequest(`Unknown metric ${String(m.op)}`, { op: m.op });
    if (m.op !== 'count') checkField(m.field, m.op);
  }
  if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_GROUP_LIMIT)) {
    throw errors.invalidRequest(`limit must be an integer from 1 to ${MAX_GROUP_LIMIT}`, { limit: q.limit });
  }
  if (q.samples !== undefined && (!Number.isInteger(q.samples) || q.samples < 1 || q.samples > MAX_SAMPLES)) {
    throw errors.invalidRequest(`samples must be an integer from 1 to ${MAX_SAMPLES}`, { samples: q.samples });
  }
  if (q.minFirstMetric !== undefined && !Number.isFinite(q.minFirstMetric)) {
    throw errors.invalidRequest('minFirstMetric must be a finite number', { minFirstMetric: q.minFirstMetric });
  }
}
