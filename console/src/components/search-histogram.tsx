/**
 * Counts over time as SVG bars drawn by Preact (no charting library, no inline style: sizes are
 * SVG attributes, colours CSS classes). Clicking a bar (or Enter on it) narrows the range to it.
 */
import { useI18n } from '../i18n';
import { formatTime } from '../time';
import type { EventHistogram } from '../types';

const WIDTH = 1000;
const HEIGHT = 90;

export function SearchHistogram({ histogram, onPick }: { histogram: EventHistogram; onPick: (from: string, to: string) => void }) {
  const { t, lang } = useI18n();
  const buckets = histogram.buckets;
  if (buckets.length === 0) return null;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const slot = WIDTH / buckets.length;
  const gap = slot > 4 ? 1 : 0;
  const end = (start: string) => new Date(Date.parse(start) + histogram.interval_ms).toISOString();
  const num = (n: number) => n.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB');
  return (
    <figure class="search-histogram" data-testid="histogram">
      <div class="search-histogram-max muted small">{num(max)}</div>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" width="100%" height={HEIGHT} role="img" aria-label={t('search.histogram')}>
        <line class="search-histogram-axis" x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} />
        {buckets.map((b, i) => {
          const h = b.count === 0 ? 0 : Math.max(2, (b.count / max) * (HEIGHT - 2));
          const label = t('search.bar', { from: formatTime(b.start, lang, true), to: formatTime(end(b.start), lang, true), n: num(b.count) });
          const pick = () => onPick(b.start, end(b.start));
          return (
            <g key={b.start} class="search-bar-group" tabIndex={b.count > 0 ? 0 : -1} role="button" aria-label={label} onClick={pick}
              onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } }}>
              <title>{label}</title>
              {/* A full-height transparent target, so low bars are easy to click. */}
              <rect class="search-bar-target" x={i * slot} y={0} width={slot} height={HEIGHT} />
              <rect class="search-bar" data-count={b.count} x={i * slot + gap / 2} y={HEIGHT - h} width={Math.max(0.5, slot - gap)} height={h} />
            </g>
          );
        })}
      </svg>
      <figcaption class="search-histogram-axis-labels muted small">
        <span>{formatTime(buckets[0].start, lang)}</span>
        <span>{t('search.interval', { interval: intervalText(histogram.interval_ms) })}</span>
        <span>{formatTime(end(buckets[buckets.length - 1].start), lang)}</span>
      </figcaption>
    </figure>
  );
}

/** 60000 → "1m", 3600000 → "1h", … (the API's interval units). */
export function intervalText(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
