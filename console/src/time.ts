/** Every time the console shows is in Vietnam's zone, whatever the browser's zone is. */
import type { Lang } from './i18n';

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: Lang, withSeconds: boolean): Intl.DateTimeFormat {
  const key = `${lang}:${withSeconds}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
      timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
      ...(withSeconds ? { second: '2-digit' } : {}), hourCycle: 'h23',
    });
    formatters.set(key, f);
  }
  return f;
}

/** An ISO time (or epoch ms) as a Vietnam-time string; '—' for null or an unreadable value. */
export function formatTime(value: string | number | null | undefined, lang: Lang, withSeconds = false): string {
  if (value === null || value === undefined) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : formatter(lang, withSeconds).format(d);
}

/** A short relative age ("5 min", "3 h", "2 d"), for a column next to the absolute time. */
export function age(value: string, now: number): string {
  const s = Math.max(0, Math.round((now - new Date(value).getTime()) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}
