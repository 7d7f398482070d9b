/** Vietnam's offset from UTC (no daylight saving time). */
const VIETNAM_OFFSET_MS = 7 * 3600 * 1000;

/** `YYYY-MM-DD HH:mm:ss` of an epoch ms in Asia/Ho_Chi_Minh (UTC+7). */
export function vietnamTime(epochMs: number): string {
  return new Date(epochMs + VIETNAM_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** ISO 8601 in UTC, whole seconds, e.g. `2026-11-23T02:00:00Z`. */
export function isoUtc(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

/** A time for people: Vietnam time with the zone stated, then ISO UTC, e.g. `2026-11-23 09:00:00 (UTC+7, Asia/Ho_Chi_Minh) · 2026-11-23T02:00:00Z`. */
export function showTime(epochMs: number): string {
  return `${vietnamTime(epochMs)} (UTC+7, Asia/Ho_Chi_Minh) · ${isoUtc(epochMs)}`;
}
