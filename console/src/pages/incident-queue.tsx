/**
 * The incident queue: a dense table of incidents in the user's scope; filters and sort live in the
 * URL query (shareable, back/forward work); cursor paging; the first page is polled so new
 * incidents show up as a "N new" pill without reloading.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, withQuery } from '../api';
import { useApp } from '../context';
import { SeverityBadge, StatusBadge } from '../components/badges';
import { ErrorBanner } from '../components/error-banner';
import { Link } from '../components/link';
import { tOr, useI18n, type MessageKey } from '../i18n';
import { navigate, useLocation } from '../router';
import { formatTime } from '../time';
import { CATEGORIES, SEVERITIES, STATUSES, type Incident, type IncidentPage } from '../types';

/** How often the first page is fetched again for new incidents. */
export const POLL_MS = 4000;
const PAGE_SIZE = 50;
const FILTERS = ['status', 'severity', 'locality', 'category', 'rule'] as const;
type Filter = (typeof FILTERS)[number];
const SORTS = ['severity', 'count', 'first_seen', 'last_seen'] as const;
type Sort = (typeof SORTS)[number];

interface QueueQuery {
  readonly filters: Record<Filter, string>;
  readonly sort: Sort;
  readonly direction: 'asc' | 'desc';
}

function readQuery(query: URLSearchParams): QueueQuery {
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<Filter, string>;
  const sort = (SORTS as readonly string[]).includes(query.get('sort') ?? '') ? (query.get('sort') as Sort) : 'last_seen';
  return { filters, sort, direction: query.get('direction') === 'asc' ? 'asc' : 'desc' };
}

function queueUrl(q: QueueQuery): string {
  return withQuery('/incidents', { ...q.filters, sort: q.sort === 'last_seen' ? '' : q.sort, direction: q.direction === 'desc' ? '' : q.direction });
}

function apiPath(q: QueueQuery, cursor: string | null): string {
  return withQuery('/incidents', { ...q.filters, sort: q.sort, direction: q.direction, size: PAGE_SIZE, cursor });
}

let firstRowsMarked = false;

export function IncidentQueue() {
  const { t, lang } = useI18n();
  const { localities } = useApp();
  const loc = useLocation();
  const q = readQuery(loc.query);
  const key = apiPath(q, null);
  const [rows, setRows] = useState<readonly Incident[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [fresh, setFresh] = useState<readonly Incident[]>([]);
  const known = useRef(new Set<string>());
  const tableRef = useRef<HTMLTableSectionElement>(null);

  const load = (showLoading = true) => {
    const ctl = new AbortController();
    if (showLoading) setLoading(true);
    setError(null);
    api<IncidentPage>(key, { signal: ctl.signal })
      .then((page) => {
        if (ctl.signal.aborted) return;
        known.current = new Set(page.incidents.map((i) => i.id));
        setRows(page.incidents);
        setCursor(page.next_cursor);
        setFresh([]);
      })
      // A load aborted by a newer one (the filters changed) sets nothing: neither an error nor the end of loading.
      .catch((err) => { if (!ctl.signal.aborted) setError(err); })
      .finally(() => { if (!ctl.signal.aborted) setLoading(false); });
    return ctl;
  };
  useEffect(() => {
    const ctl = load();
    return () => ctl.abort();
  }, [key]);

  // Poll the first page: update rows already shown, count the incidents not seen yet.
  useEffect(() => {
    const ctl = new AbortController();
    const timer = setInterval(() => {
      if (document.hidden) return;
      // Aborted when the filters change: an answer for the old ones must not count as new incidents.
      api<IncidentPage>(key, { signal: ctl.signal }).then((page) => {
        const byId = new Map(page.incidents.map((i) => [i.id, i]));
        setRows((current) => current.map((r) => byId.get(r.id) ?? r));
        setFresh(page.incidents.filter((i) => !known.current.has(i.id)));
      }).catch(() => undefined);
    }, POLL_MS);
    return () => {
      clearInterval(timer);
      ctl.abort();
    };
  }, [key]);

  useEffect(() => {
    if (rows.length > 0 && !firstRowsMarked) {
      firstRowsMarked = true;
      performance.mark('canh:queue-first-rows');
    }
  }, [rows]);

  const loadMore = () => {
    if (!cursor) return;
    api<IncidentPage>(apiPath(q, cursor)).then((page) => {
      for (const i of page.incidents) known.current.add(i.id);
      setRows((current) => [...current, ...page.incidents.filter((i) => !current.some((c) => c.id === i.id))]);
      setCursor(page.next_cursor);
    }).catch(setError);
  };

  const setFilter = (name: Filter, value: string) => navigate(queueUrl({ ...q, filters: { ...q.filters, [name]: value } }));
  const sortBy = (sort: Sort) => navigate(queueUrl({ ...q, sort, direction: q.sort === sort && q.direction === 'desc' ? 'asc' : 'desc' }));
  const localityOptions = useMemo(() => [...localities.values()].sort((a, b) => a.code.localeCompare(b.code)), [localities]);

  // Keys anywhere on the page (outside form fields): j/k or arrows move between rows, Enter opens, / edits the rule filter.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.ctrlKey || event.metaKey || event.altKey || ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'A'].includes(target.tagName)) return;
      const trs = [...(tableRef.current?.querySelectorAll<HTMLTableRowElement>('tr[data-id]') ?? [])];
      const at = trs.indexOf(document.activeElement as HTMLTableRowElement);
      if (event.key === 'j' || event.key === 'ArrowDown') trs[Math.min(trs.length - 1, at + 1)]?.focus();
      else if (event.key === 'k' || event.key === 'ArrowUp') trs[Math.max(0, at - 1)]?.focus();
      else if (event.key === 'Enter' && at >= 0) navigate(`/incidents/${encodeURIComponent(trs[at].dataset.id ?? '')}`);
      else if (event.key === '/') document.getElementById('filter-rule')?.focus();
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const header = (sort: Sort | null, label: MessageKey, cls = '') => {
    if (!sort) return <th class={cls} scope="col">{t(label)}</th>;
    const active = q.sort === sort;
    return (
      <th class={`${cls} sortable`} scope="col" aria-sort={active ? (q.direction === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <button type="button" class="th-button" onClick={() => sortBy(sort)}>
          {t(label)}<span class="sort-mark" aria-hidden="true">{active ? (q.direction === 'asc' ? '▲' : '▼') : ''}</span>
        </button>
      </th>
    );
  };

  return (
    <section class="queue">
      <div class="page-head">
        <h1>{t('queue.title')}</h1>
        {fresh.length > 0 && (
          <button type="button" class="pill" data-testid="new-pill" onClick={() => load(false)}>{t('queue.newPill', { n: fresh.length })}</button>
        )}
        <span class="muted small">{t('queue.keys')}</span>
      </div>
      <form class="filters" aria-label={t('queue.filters')} onSubmit={(e) => e.preventDefault()}>
        <Select label={t('queue.status')} name="status" value={q.filters.status} onChange={(v) => setFilter('status', v)}
          options={[['open,acknowledged', t('queue.status.active')], ...STATUSES.map((s): [string, string] => [s, tOr(t, `status.${s}`, s)])]} />
        <Select label={t('queue.severity')} name="severity" value={q.filters.severity} onChange={(v) => setFilter('severity', v)}
          options={[['critical,high', `${t('severity.critical')} + ${t('severity.high')}`], ...SEVERITIES.map((s): [string, string] => [s, tOr(t, `severity.${s}`, s)])]} />
        <Select label={t('queue.locality')} name="locality" value={q.filters.locality} onChange={(v) => setFilter('locality', v)}
          options={localityOptions.map((l): [string, string] => [l.code, `${l.code} · ${l.name}`])} />
        <Select label={t('queue.category')} name="category" value={q.filters.category} onChange={(v) => setFilter('category', v)}
          options={CATEGORIES.map((c): [string, string] => [c, c])} />
        <label class="filter">
          {t('queue.rule')}
          <input id="filter-rule" name="rule" placeholder={t('queue.rulePlaceholder')} value={q.filters.rule}
            onKeyDown={(e) => { if (e.key === 'Enter') setFilter('rule', e.currentTarget.value.trim()); }}
            onBlur={(e) => { if (e.currentTarget.value.trim() !== q.filters.rule) setFilter('rule', e.currentTarget.value.trim()); }} />
        </label>
        {FILTERS.some((f) => q.filters[f]) && (
          <button type="button" class="btn btn-small" onClick={() => navigate(queueUrl({ ...q, filters: { status: '', severity: '', locality: '', category: '', rule: '' } }))}>{t('queue.clear')}</button>
        )}
      </form>
      {error !== null && <ErrorBanner error={error} onRetry={() => load()} />}
      <div class="table-wrap">
        <table class="grid" data-testid="incident-table">
          <thead>
            <tr>
              {header('severity', 'queue.col.severity', 'col-sev')}
              {header(null, 'queue.col.title')}
              {header(null, 'queue.col.locality')}
              {header(null, 'queue.col.rule')}
              {header(null, 'queue.col.category')}
              {header(null, 'queue.col.status')}
              {header('count', 'queue.col.count', 'num')}
              {header('first_seen', 'queue.col.firstSeen')}
              {header('last_seen', 'queue.col.lastSeen')}
              {header(null, 'queue.col.assignee')}
            </tr>
          </thead>
          <tbody ref={tableRef}>
            {rows.map((i) => (
              <tr key={i.id} data-id={i.id} tabIndex={0} class={`row-${i.status}`}>
                <td><SeverityBadge severity={i.severity} /></td>
                <td class="title-cell"><Link to={`/incidents/${encodeURIComponent(i.id)}`}>{i.title}</Link></td>
                <td title={i.locality}>{localities.get(i.locality)?.name ?? i.locality}</td>
                <td class="mono">{i.rule_id}</td>
                <td>{i.category}</td>
                <td><StatusBadge status={i.status} /></td>
                <td class="num">{i.count.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB')}</td>
                <td class="time">{formatTime(i.first_seen, lang)}</td>
                <td class="time">{formatTime(i.last_seen, lang)}</td>
                <td>{i.assignee ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {!loading && rows.length === 0 && error === null && <p class="empty">{t('queue.empty')}</p>}
        {loading && <p class="muted">{t('common.loading')}</p>}
      </div>
      <div class="table-foot">
        <span class="muted small">{t('queue.shown', { n: rows.length })}</span>
        {cursor && <button type="button" class="btn" onClick={loadMore}>{t('queue.loadMore')}</button>}
      </div>
    </section>
  );
}

function Select(props: { label: string; name: string; value: string; options: readonly [string, string][]; onChange: (v: string) => void }) {
  const { t } = useI18n();
  const known = props.value === '' || props.options.some(([v]) => v === props.value);
  return (
    <label class="filter">
      {props.label}
      <select name={props.name} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">{t('common.all')}</option>
        {!known && <option value={props.value}>{props.value}</option>}
        {props.options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
    </label>
  );
}
