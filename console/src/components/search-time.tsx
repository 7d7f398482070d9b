/**
 * The search's time range: a relative range (last 15 min … 7 d, sent as `now-<d>`) or a custom
 * from/to typed in Vietnam time (Asia/Ho_Chi_Minh is UTC+7 all year, no daylight saving).
 */
import { useEffect, useState } from 'preact/hooks';
import { useI18n, type MessageKey } from '../i18n';

export const RELATIVE_RANGES = ['15m', '1h', '24h', '7d'] as const;
export type RelativeRange = (typeof RELATIVE_RANGES)[number];
export const DEFAULT_RANGE: RelativeRange = '24h';

/** A relative range, or an absolute one (ISO times, `to` exclusive). */
export type TimeRange = { readonly kind: 'relative'; readonly last: RelativeRange } | { readonly kind: 'absolute'; readonly from: string; readonly to: string };

const VN_OFFSET_MS = 7 * 3_600_000;

/** An instant as the value of a datetime-local input, in Vietnam time ("2026-11-23T08:30"). */
export function toVietnamInput(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : new Date(ms + VN_OFFSET_MS).toISOString().slice(0, 16);
}

/** A datetime-local value read as Vietnam time, as an ISO instant; null when empty or unreadable. */
export function fromVietnamInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const ms = Date.parse(`${value.length === 16 ? `${value}:00` : value}+07:00`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** The range in the URL query: `range=1h`, or `from` and `to` (ISO); the default otherwise. */
export function readRange(query: URLSearchParams): TimeRange {
  const from = query.get('from');
  const to = query.get('to');
  if (from && to && !Number.isNaN(Date.parse(from)) && !Number.isNaN(Date.parse(to)) && Date.parse(from) < Date.parse(to)) {
    return { kind: 'absolute', from, to };
  }
  const last = query.get('range');
  return { kind: 'relative', last: (RELATIVE_RANGES as readonly string[]).includes(last ?? '') ? (last as RelativeRange) : DEFAULT_RANGE };
}

/** URL query parameters of a range (the default range is left out). */
export function rangeParams(range: TimeRange): Record<string, string> {
  if (range.kind === 'absolute') return { from: range.from, to: range.to };
  return range.last === DEFAULT_RANGE ? {} : { range: range.last };
}

/** API parameters of a range: `from=now-1h` (the server's clock) or the two instants. */
export function rangeApiParams(range: TimeRange): { from: string; to?: string } {
  if (range.kind === 'absolute') return { from: range.from, to: range.to };
  return { from: `now-${range.last}` };
}

/** Buttons for the relative ranges, and a custom from/to in Vietnam time. */
export function TimePicker({ range, onChange }: { range: TimeRange; onChange: (r: TimeRange) => void }) {
  const { t } = useI18n();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [invalid, setInvalid] = useState(false);
  useEffect(() => {
    if (range.kind === 'absolute') {
      setFrom(toVietnamInput(range.from));
      setTo(toVietnamInput(range.to));
    }
  }, [range.kind === 'absolute' ? `${range.from}/${range.to}` : '']);
  const apply = () => {
    const f = fromVietnamInput(from);
    const tt = fromVietnamInput(to);
    if (!f || !tt || Date.parse(f) >= Date.parse(tt)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    onChange({ kind: 'absolute', from: f, to: tt });
  };
  return (
    <div class="search-time" role="group" aria-label={t('search.range')}>
      <div class="search-range-buttons">
        {RELATIVE_RANGES.map((r) => (
          <button key={r} type="button" data-range={r} aria-pressed={range.kind === 'relative' && range.last === r}
            class={range.kind === 'relative' && range.last === r ? 'btn btn-small active' : 'btn btn-small'}
            onClick={() => onChange({ kind: 'relative', last: r })}>
            {t(`search.range.${r}` as MessageKey)}
          </button>
        ))}
      </div>
      <label class="filter">
        {t('search.from')}
        <input type="datetime-local" name="from" value={from} onInput={(e) => setFrom(e.currentTarget.value)}
          onKeyDown={(e) => { if (e.key === 'Enter') apply(); }} />
      </label>
      <label class="filter">
        {t('search.to')}
        <input type="datetime-local" name="to" value={to} onInput={(e) => setTo(e.currentTarget.value)}
          onKeyDown={(e) => { if (e.key === 'Enter') apply(); }} />
      </label>
      <button type="button" class={range.kind === 'absolute' ? 'btn btn-small active' : 'btn btn-small'} onClick={apply}>{t('search.applyRange')}</button>
      {invalid && <span class="search-range-invalid" role="alert">{t('search.rangeInvalid')}</span>}
    </div>
  );
}
