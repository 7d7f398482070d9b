/**
 * One panel of the statistics dashboard: its title, a CSV link (the same endpoint with format=csv;
 * the session cookie authenticates the download), and its own loading, error and empty states.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, withQuery } from '../api';
import { useI18n } from '../i18n';
import { ErrorBanner } from './error-banner';

export type StatsQuery = Record<string, string | undefined>;

export interface StatsState<T> {
  readonly data: T | null;
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** GET /api/v1`path` with `query`, again whenever the query changes (the previous call is aborted). */
export function useStats<T>(path: string, query: StatsQuery): StatsState<T> {
  const url = withQuery(path, query);
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    setError(null);
    api<T>(url, { signal: ctl.signal })
      .then((d) => { setData(d); setLoading(false); })
      .catch((err) => {
        if ((err as Error).name === 'AbortError') return;
        setError(err);
        setLoading(false);
      });
    return () => ctl.abort();
  }, [url, tick]);
  return { data, error, loading, reload: () => setTick((n) => n + 1) };
}

interface PanelProps<T> {
  /** Names the panel in tests (the CSV file is named by the server: `canh-stats-<endpoint>.csv`). */
  readonly id: string;
  readonly title: string;
  readonly path: string;
  readonly query: StatsQuery;
  readonly state: StatsState<T>;
  /** True when the answer has nothing to show. */
  readonly isEmpty: (data: T) => boolean;
  readonly controls?: ComponentChildren;
  readonly note?: ComponentChildren;
  readonly children: (data: T) => ComponentChildren;
  readonly wide?: boolean;
}

export function StatsPanel<T>({ id, title, path, query, state, isEmpty, controls, note, children, wide }: PanelProps<T>) {
  const { t } = useI18n();
  const headingId = `stats-${id}-title`;
  let body: ComponentChildren;
  if (state.error) body = <ErrorBanner error={state.error} onRetry={state.reload} />;
  else if (!state.data) body = <p class="stats-status muted" role="status">{t('common.loading')}</p>;
  else if (isEmpty(state.data)) body = <p class="stats-status empty" data-testid="stats-empty">{t('stats.empty')}</p>;
  else body = children(state.data);
  return (
    <section class={wide ? 'panel stats-panel stats-wide' : 'panel stats-panel'} aria-labelledby={headingId} aria-busy={state.loading}
      data-testid={`stats-panel-${id}`} data-state={state.error ? 'error' : state.loading ? 'loading' : 'ready'}>
      <div class="stats-panel-head">
        <h2 id={headingId}>{title}</h2>
        {controls}
        <a class="btn btn-small stats-csv" href={`/api/v1${withQuery(path, { ...query, format: 'csv' })}`} download
          aria-label={t('stats.csvOf', { title })} data-testid={`stats-csv-${id}`}>CSV</a>
      </div>
      {note && <p class="small muted stats-note">{note}</p>}
      {body}
    </section>
  );
}

/** The accessible table under a chart: the same numbers, with a caption; the first `lead` columns are text. */
export function StatsTable({ id, caption, head, rows, lead = 1 }: {
  id: string; caption: string; head: readonly string[]; rows: readonly (readonly ComponentChildren[])[]; lead?: number;
}) {
  return (
    <div class="table-wrap stats-table-wrap">
      <table class="grid stats-table" data-testid={`stats-table-${id}`}>
        <caption class="stats-sr-only">{caption}</caption>
        <thead><tr>{head.map((h, i) => <th key={i} scope="col" class={i >= lead ? 'num' : undefined}>{h}</th>)}</tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>{r.map((c, j) => (j === 0 ? <th key={j} scope="row">{c}</th> : <td key={j} class={j >= lead ? 'num' : undefined}>{c}</td>))}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
