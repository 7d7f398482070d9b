/**
 * Event search (/search): the query bar, the time range, the dataset, the histogram and the results
 * (newest first, expandable, "load more" by cursor). The search is the URL query (`q`, `range` or
 * `from`/`to`, `dataset`), so a search can be shared and back/forward work.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, withQuery } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { SearchEventRow, eventKey } from '../components/search-event-row';
import { SearchHistogram } from '../components/search-histogram';
import { SearchQueryBar, type QueryError } from '../components/search-query-bar';
import { rangeApiParams, rangeParams, readRange, TimePicker, type TimeRange } from '../components/search-time';
import { useApp } from '../context';
import { useI18n } from '../i18n';
import { navigate, useLocation } from '../router';
import type { EventDoc, EventHistogram, EventSearchPage } from '../types';

export const DATASETS = ['web.access', 'otp.auth', 'uptime.probe', 'syslog'] as const;
const PAGE_SIZE = 50;

interface SearchState {
  readonly q: string;
  readonly range: TimeRange;
  readonly dataset: string;
}

function readState(query: URLSearchParams): SearchState {
  return { q: query.get('q') ?? '', range: readRange(query), dataset: query.get('dataset') ?? '' };
}

/** The console URL of a search (shareable). */
export function searchUrl(s: SearchState): string {
  return withQuery('/search', { q: s.q, ...rangeParams(s.range), dataset: s.dataset });
}

function apiQuery(s: SearchState) {
  return { q: s.q, ...rangeApiParams(s.range), dataset: s.dataset };
}

function queryError(err: unknown, query: string): QueryError | null {
  if (!(err instanceof ApiError) || err.code !== 'CANH_QUERY_INVALID') return null;
  const position = typeof err.details?.position === 'number' ? err.details.position : null;
  return { message: err.message, position, query };
}

export function SearchPage() {
  const { t, lang } = useI18n();
  const { localities } = useApp();
  const loc = useLocation();
  const state = readState(loc.query);
  const key = searchUrl(state);
  const [draft, setDraft] = useState(state.q);
  const [events, setEvents] = useState<readonly EventDoc[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [histogram, setHistogram] = useState<EventHistogram | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [qError, setQError] = useState<QueryError | null>(null);
  const [run, setRun] = useState(0);

  // The box follows the URL (back/forward, a shared link), not the other way round.
  useEffect(() => setDraft(state.q), [state.q]);

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    setError(null);
    setQError(null);
    setExpanded(new Set());
    const params = apiQuery(state);
    Promise.all([
      api<EventSearchPage>(withQuery('/events', { ...params, size: PAGE_SIZE }), { signal: ctl.signal }),
      api<EventHistogram>(withQuery('/events/histogram', { ...params, interval: 'auto' }), { signal: ctl.signal }),
    ]).then(([page, hist]) => {
      setEvents(page.events);
      setTotal(page.total);
      setCursor(page.next_cursor);
      setHistogram(hist);
    }).catch((err) => {
      if ((err as Error).name === 'AbortError') return;
      setEvents([]);
      setTotal(null);
      setCursor(null);
      setHistogram(null);
      const qe = queryError(err, state.q);
      if (qe) setQError(qe);
      else setError(err);
    }).finally(() => { if (!ctl.signal.aborted) setLoading(false); });
    return () => ctl.abort();
  }, [key, run]);

  const go = (next: Partial<SearchState>) => {
    const url = searchUrl({ ...state, q: draft.trim() === '' ? '' : draft, ...next });
    if (url === location.pathname + location.search) setRun((n) => n + 1);
    else navigate(url);
  };

  const loadMore = () => {
    if (!cursor) return;
    api<EventSearchPage>(withQuery('/events', { ...apiQuery(state), size: PAGE_SIZE, cursor })).then((page) => {
      setEvents((current) => [...current, ...page.events]);
      setCursor(page.next_cursor);
    }).catch(setError);
  };

  const toggle = (k: string) => setExpanded((current) => {
    const next = new Set(current);
    if (!next.delete(k)) next.add(k);
    return next;
  });
  const num = (n: number) => n.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB');
  const localityName = (code: string) => localities.get(code)?.name ?? code;

  return (
    <section class="search" data-testid="search-page">
      <div class="page-head">
        <h1>{t('search.title')}</h1>
        <span class="muted small">{t('search.keys')}</span>
      </div>
      <div class="filters search-filters">
        <SearchQueryBar value={draft} onInput={setDraft} onSubmit={() => go({})} error={qError} busy={loading} />
        <div class="search-filters-row">
          <TimePicker range={state.range} onChange={(range) => go({ range })} />
          <label class="filter">
            {t('search.dataset')}
            <select name="dataset" value={state.dataset} onChange={(e) => go({ dataset: e.currentTarget.value })}>
              <option value="">{t('common.all')}</option>
              {!DATASETS.includes(state.dataset as never) && state.dataset && <option value={state.dataset}>{state.dataset}</option>}
              {DATASETS.map((d) => <option key={d} value={d}>{d}</option>)}
            </select>
          </label>
        </div>
      </div>
      {error !== null && <ErrorBanner error={error} onRetry={() => setRun((n) => n + 1)} />}
      {histogram && <SearchHistogram histogram={histogram} onPick={(from, to) => go({ range: { kind: 'absolute', from, to } })} />}
      <div class="search-count" data-testid="search-total">
        {total !== null && t('search.total', { n: num(total), shown: num(events.length) })}
        {loading && <span class="muted"> {t('common.loading')}</span>}
      </div>
      <div class="table-wrap">
        <table class="grid search-results" data-testid="search-results">
          <thead>
            <tr>
              <th scope="col" class="search-toggle-cell"><span class="visually-hidden">{t('search.expand')}</span></th>
              <th scope="col">{t('event.time')}</th>
              <th scope="col">{t('search.col.locality')}</th>
              <th scope="col">{t('event.dataset')}</th>
              <th scope="col">{t('search.col.summary')}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((doc, n) => {
              const k = eventKey(doc, n);
              return <SearchEventRow key={k} doc={doc} expanded={expanded.has(k)} onToggle={() => toggle(k)} localityName={localityName} />;
            })}
          </tbody>
        </table>
        {!loading && events.length === 0 && error === null && qError === null && <p class="empty">{t('search.empty')}</p>}
      </div>
      <div class="table-foot">
        <span class="muted small">{t('queue.shown', { n: events.length })}</span>
        {cursor && <button type="button" class="btn" onClick={loadMore} data-testid="load-more">{t('queue.loadMore')}</button>}
      </div>
    </section>
  );
}
