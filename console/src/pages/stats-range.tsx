/**
 * The dashboard's time range, kept in the URL query (`range=24h|7d|30d|custom`, and for custom
 * `from`/`to` as Vietnam wall-clock times `YYYY-MM-DDTHH:mm`), so a view can be bookmarked or shared.
 */
import { useState } from 'preact/hooks';
import { withQuery } from '../api';
import { useI18n } from '../i18n';
import { navigate } from '../router';

export const PRESETS = ['24h', '7d', '30d'] as const;
export type Preset = (typeof PRESETS)[number];
export const DEFAULT_PRESET: Preset = '7d';

export interface StatsRange {
  readonly preset: Preset | 'custom';
  /** Custom range as Vietnam wall-clock `YYYY-MM-DDTHH:mm`. */
  readonly from: string;
  readonly to: string;
}

const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

export function readRange(query: URLSearchParams): StatsRange {
  const r = query.get('range') ?? '';
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  if (r === 'custom' && LOCAL.test(from) && LOCAL.test(to)) return { preset: 'custom', from, to };
  return { preset: (PRESETS as readonly string[]).includes(r) ? (r as Preset) : DEFAULT_PRESET, from: '', to: '' };
}

/** Vietnam has a fixed offset (UTC+7, no daylight saving time). */
const vnIso = (local: string) => `${local}:00+07:00`;

/** The `from`/`to` parameters of the stats API for the range. */
export function apiRange(r: StatsRange): { from: string; to?: string } {
  return r.preset === 'custom' ? { from: vnIso(r.from), to: vnIso(r.to) } : { from: `now-${r.preset}` };
}

/** The sources endpoint looks back a `window` from now: the preset, or from the custom start to now. */
export function sourcesWindow(r: StatsRange, now = Date.now()): string {
  if (r.preset !== 'custom') return r.preset;
  return `${Math.max(1, Math.ceil((now - Date.parse(vnIso(r.from))) / 3_600_000))}h`;
}

/** `YYYY-MM-DDTHH:mm` in Vietnam time for epoch ms. */
function vnLocal(ms: number): string {
  return new Date(ms + 7 * 3_600_000).toISOString().slice(0, 16);
}

export function RangePicker({ range, extra }: { range: StatsRange; extra: Record<string, string> }) {
  const { t } = useI18n();
  const [from, setFrom] = useState(range.from || vnLocal(Date.now() - 7 * 86_400_000));
  const [to, setTo] = useState(range.to || vnLocal(Date.now()));
  const [custom, setCustom] = useState(range.preset === 'custom');
  const go = (q: Record<string, string>) => navigate(withQuery('/stats', { ...extra, ...q }));
  const invalid = !LOCAL.test(from) || !LOCAL.test(to) || from >= to;
  return (
    <form class="filters stats-range" aria-label={t('stats.range')} onSubmit={(e) => {
      e.preventDefault();
      if (!invalid) go({ range: 'custom', from, to });
    }}>
      <div class="stats-presets" role="group" aria-label={t('stats.range')}>
        {PRESETS.map((p) => (
          <button key={p} type="button" class={range.preset === p && !custom ? 'btn btn-small active' : 'btn btn-small'} aria-pressed={range.preset === p && !custom}
            data-range={p} onClick={() => { setCustom(false); go({ range: p === DEFAULT_PRESET ? '' : p }); }}>
            {t(`stats.range.${p}`)}
          </button>
        ))}
        <button type="button" class={custom ? 'btn btn-small active' : 'btn btn-small'} aria-pressed={custom} data-range="custom" onClick={() => setCustom(true)}>
          {t('stats.range.custom')}
        </button>
      </div>
      {custom && (
        <>
          <label>{t('stats.from')}<input type="datetime-local" name="from" value={from} onInput={(e) => setFrom(e.currentTarget.value)} /></label>
          <label>{t('stats.to')}<input type="datetime-local" name="to" value={to} onInput={(e) => setTo(e.currentTarget.value)} /></label>
          <button type="submit" class="btn btn-small btn-primary" disabled={invalid}>{t('stats.apply')}</button>
        </>
      )}
      <span class="small muted stats-tz">{t('stats.vnTime')}</span>
    </form>
  );
}
