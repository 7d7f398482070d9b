import { errors } from '../errors';
import { parseDuration, parseTime } from '../lib/time';
import type { StatsRange } from '../store/incident-stats';

/** Default look-back of a statistic when `from` is not given. */
export const DEFAULT_STATS_RANGE_MS = 30 * 24 * 3_600_000;
/** Most buckets one /stats/incidents answer may have. */
export const MAX_STATS_BUCKETS = 2000;
/** Default and largest `size` of /stats/top-rules. */
export const DEFAULT_TOP_RULES = 10;
export const MAX_TOP_RULES = 100;

const AUTO_INTERVALS = ['1m', '5m', '15m', '1h', '3h', '6h', '12h', '1d', '7d', '30d'].map((d) => parseDuration(d, 'interval'));

/** [from, to) from the `from`/`to` parameters (ISO 8601, epoch ms, now, now-7d); defaults: to = now, from = to - 30 days. */
export function parseRange(p: { readonly from?: string; readonly to?: string }, now: number, defaultMs = DEFAULT_STATS_RANGE_MS): StatsRange {
  const to = p.to ? parseTime(p.to, 'to', now) : now;
  const from = p.from ? parseTime(p.from, 'from', now) : to - defaultMs;
  if (from >= to) throw errors.invalidRequest('from must be before to', { field: 'from' });
  return { from, to };
}

/** The bucket width: a duration (`1h`, `1d`), or absent/`auto` for about 30 to 120 buckets over the range. */
export function parseInterval(text: string | undefined, range: StatsRange): number {
  const span = range.to - range.from;
  const interval = text && text !== 'auto'
    ? parseDuration(text, 'interval')
    : AUTO_INTERVALS.find((i) => span / i <= 120) ?? AUTO_INTERVALS[AUTO_INTERVALS.length - 1];
  if (interval <= 0) throw errors.invalidRequest('interval must be longer than 0', { field: 'interval' });
  if (Math.ceil(span / interval) > MAX_STATS_BUCKETS) {
    throw errors.invalidRequest(`interval: ${text} gives more than ${MAX_STATS_BUCKETS} buckets over this range; choose a wider interval`, { field: 'interval' });
  }
  return interval;
}

/** One of `allowed`, or `fallback` when absent; kind `invalid` naming the parameter otherwise. */
export function parseChoice<T extends string>(param: string, text: string | undefined, allowed: readonly T[], fallback: T): T {
  if (text === undefined || text === '') return fallback;
  if (!(allowed as readonly string[]).includes(text)) {
    throw errors.invalidRequest(`${param} must be one of: ${allowed.join(', ')}`, { field: param, value: text, allowed });
  }
  return text as T;
}

/** An integer in [1, max], or `fallback` when absent. */
export function parseSize(param: string, value: number | string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw errors.invalidRequest(`${param} must be an integer from 1 to ${max}`, { field: param });
  return n;
}
