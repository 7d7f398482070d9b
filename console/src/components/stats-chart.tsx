/**
 * A uPlot chart drawn into a ref'd element: bars over time (incidents per bucket) or bars over
 * categories (one group per table row), optionally stacked. uPlot draws on a canvas and sizes its
 * elements through element.style (CSSOM, allowed by the CSP `style-src 'self'`); it writes no
 * inline style attribute and no HTML. The numbers are also in the table under every chart, so the
 * canvas is hidden from assistive technology and labelled as a picture of that table.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';
import { TIME_ZONE } from '../time';

/** The chart colours; `.stats-swatch.c<i>` in styles.css has the same ones for the legends. */
export const STATS_PALETTE = ['#f85149', '#f0883e', '#d29922', '#4f8fba', '#3d9cf0', '#a371f7', '#3fb950', '#db61a2', '#8a99a8'];

export interface ChartSeries {
  readonly label: string;
  /** One value per x; null is a gap. */
  readonly values: readonly (number | null)[];
  /** Index into STATS_PALETTE. */
  readonly color: number;
}

export interface StatsChartProps {
  /** 'time': x are epoch ms (bucket starts); 'categories': x are the labels. */
  readonly kind: 'time' | 'categories';
  readonly x: readonly number[] | readonly string[];
  readonly series: readonly ChartSeries[];
  readonly stacked?: boolean;
  /** Formats the y axis values. */
  readonly yFormat: (v: number) => string;
  /** Formats time ticks (kind 'time'). */
  readonly timeFormat?: (ms: number) => string;
  /** Fixed y range (rates: [0, 1]). */
  readonly yMax?: number;
  readonly label: string;
  readonly testId: string;
}

const HEIGHT = 220;
const AXIS = { stroke: '#8a99a8', grid: { stroke: '#2a3440', width: 1 }, ticks: { stroke: '#2a3440', width: 1 }, font: '11px system-ui, sans-serif' };

/** Cumulative sums from the first series on; nulls count as 0. */
function stack(series: readonly ChartSeries[]): number[][] {
  const out: number[][] = [];
  series.forEach((s, i) => out.push(s.values.map((v, j) => (v ?? 0) + (i > 0 ? out[i - 1][j] : 0))));
  return out;
}

function options(props: StatsChartProps, width: number): uPlot.Options {
  const n = props.x.length;
  const many = !props.stacked && props.series.length > 1;
  const bars = (i: number) => uPlot.paths.bars!({
    size: [props.kind === 'time' ? 0.9 : many ? 0.38 : 0.7, 64],
    align: many ? (i === 0 ? -1 : 1) : 0,
  });
  // Stacked: the running totals are drawn biggest first, so each smaller one covers its share.
  const order = props.stacked ? [...props.series.keys()].reverse() : [...props.series.keys()];
  const labels = props.kind === 'categories' ? (props.x as readonly string[]) : [];
  return {
    width, height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    ...(props.kind === 'time' ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1e3), TIME_ZONE) } : {}),
    scales: {
      x: props.kind === 'time' ? { time: true } : { time: false, range: [-0.5, n - 0.5] },
      y: { range: (_u, _min, max) => [0, props.yMax ?? (max > 0 ? max * 1.1 : 1)] },
    },
    axes: [
      props.kind === 'time'
        ? { ...AXIS, space: 90, values: (_u, splits) => splits.map((s) => (props.timeFormat ? props.timeFormat(s * 1000) : String(s))) }
        : { ...AXIS, splits: () => labels.map((_l, i) => i), values: (_u, splits) => splits.map((s) => labels[s] ?? '') },
      { ...AXIS, size: 60, values: (_u, splits) => splits.map((s) => props.yFormat(s)) },
    ],
    series: [{}, ...order.map((i) => ({
      label: props.series[i].label,
      stroke: STATS_PALETTE[props.series[i].color % STATS_PALETTE.length],
      fill: STATS_PALETTE[props.series[i].color % STATS_PALETTE.length],
      width: 0,
      points: { show: false },
      paths: bars(i),
    }))],
  };
}

function data(props: StatsChartProps): uPlot.AlignedData {
  const xs = props.kind === 'time' ? (props.x as readonly number[]).map((ms) => ms / 1000) : props.x.map((_x, i) => i);
  const ys = props.stacked ? stack(props.series) : props.series.map((s) => s.values.map((v) => v));
  const order = props.stacked ? [...ys.keys()].reverse() : [...ys.keys()];
  return [xs, ...order.map((i) => ys[i])] as uPlot.AlignedData;
}

export function StatsChart(props: StatsChartProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    const width = () => Math.max(280, el.clientWidth);
    const plot = new uPlot(options(props, width()), data(props), el);
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  // Callers memoize x and series on their data: a new answer (or language) redraws the chart.
  }, [props.kind, props.x, props.series, props.stacked, props.yMax, props.label]);
  return <div class="stats-chart" ref={host} role="img" aria-label={props.label} data-testid={props.testId} />;
}

/** The series' colours and names (the canvas has no legend of its own). */
export function ChartLegend({ series }: { series: readonly ChartSeries[] }) {
  return (
    <ul class="stats-legend" aria-hidden="true">
      {series.map((s) => (
        <li key={s.label}><span class={`stats-swatch c${s.color % STATS_PALETTE.length}`} />{s.label}</li>
      ))}
    </ul>
  );
}
