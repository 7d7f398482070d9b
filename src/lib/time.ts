import { errors } from '../errors';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses a duration like `30s`, `5m`, `1h`, `7d` into ms; throws `invalid` naming the parameter. */
export function parseDuration(text: string, param: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw errors.invalidRequest(`${param}: expected a duration such as 30s, 5m, 1h or 1d, got "${text}"`, { field: param });
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : n * UNITS[m[2]];
}

/**
 * Parses a time parameter: ISO 8601 (`2026-11-23T08:00:00+07:00`), epoch milliseconds, `now`, or
 * `now-15m` / `now-7d`. Throws `invalid` naming the parameter.
 */
export function parseTime(text: string, param: string, now: number): number {
  const t = text.trim();
  if (t === 'now') return now;
  const rel = /^now-(\d+(?:ms|s|m|h|d|w))$/.exec(t);
  if (rel) return now - parseDuration(rel[1], param);
  if (/^\d{10,15}$/.test(t)) return Number(t);
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return ms;
  }
  throw errors.invalidRequest(`${param}: expected an ISO 8601 time, epoch milliseconds, now or now-<duration>, got "${text}"`, { field: param });
}
