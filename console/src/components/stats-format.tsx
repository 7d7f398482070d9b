/** Number, rate, duration and locality formatting for the statistics dashboard, in the user's language. */
import type { Translate, Lang } from '../i18n';
import type { Locality } from '../types';

const numbers = new Map<string, Intl.NumberFormat>();

function numberFormat(lang: Lang, percent: boolean): Intl.NumberFormat {
  const key = `${lang}:${percent}`;
  let f = numbers.get(key);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', percent ? { style: 'percent', maximumFractionDigits: 1 } : { maximumFractionDigits: 1 });
    numbers.set(key, f);
  }
  return f;
}

/** 1234 → "1.234" (vi) or "1,234" (en); null → "—". */
export function fmtNumber(lang: Lang, n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : numberFormat(lang, false).format(n);
}

/** A fraction as a percentage: 0.75 → "75%"; null → "—". */
export function fmtRate(lang: Lang, r: number | null | undefined): string {
  return r === null || r === undefined ? '—' : numberFormat(lang, true).format(r);
}

/** Seconds as "4 min 36 s", "2 h 5 min", "3 d 4 h" (rounded to the second); null → "—". */
export function fmtDuration(t: Translate, lang: Lang, seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  const n = (v: number) => fmtNumber(lang, v);
  const part = (v: number, unit: 'd' | 'h' | 'min' | 's') => (v > 0 ? [`${n(v)} ${t(`stats.unit.${unit}`)}`] : []);
  if (s < 60) return `${n(s)} ${t('stats.unit.s')}`;
  if (s < 3600) return [...part(Math.floor(s / 60), 'min'), ...part(s % 60, 's')].join(' ');
  if (s < 86400) return [...part(Math.floor(s / 3600), 'h'), ...part(Math.floor((s % 3600) / 60), 'min')].join(' ');
  return [...part(Math.floor(s / 86400), 'd'), ...part(Math.floor((s % 86400) / 3600), 'h')].join(' ');
}

/** "Ba Đình (00004)" when the name is known, else the code; null → "—". */
export function localityLabel(localities: ReadonlyMap<string, Locality>, code: string | null): string {
  if (code === null) return '—';
  const l = localities.get(code);
  return l ? `${l.name} (${code})` : code;
}
