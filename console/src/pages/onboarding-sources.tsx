/**
 * /sources: the log sources of the user's scope with their status (read one by one from
 * GET /sources/{id}), counters and key state. Locality admins and admins get "New source".
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Link } from '../components/link';
import { canManageSources, KeyState, localityLabel, OnboardingError, percent, SourceStatusBadge } from '../components/onboarding-shared';
import { useApp } from '../context';
import { tOr, useI18n } from '../i18n';
import { formatTime } from '../time';
import type { Source, SourceDetail } from '../types';

/** How often the statuses are read again. */
export const LIST_POLL_MS = 10_000;

/** Statuses read per refresh (one request each, a few at a time); rows beyond show '—' and link to their page. */
const MAX_STATUSES = 200;
const PARALLEL = 6;

async function readStatuses(sources: readonly Source[]): Promise<Map<string, SourceDetail>> {
  const out = new Map<string, SourceDetail>();
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const s = sources[next++];
      const d = await api<SourceDetail>(`/sources/${encodeURIComponent(s.id)}`).catch(() => null);
      if (d) out.set(d.id, d);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return out;
}

export function SourcesPage() {
  const { t, lang } = useI18n();
  const { session, localities } = useApp();
  const manager = canManageSources(session.user.role);
  const [sources, setSources] = useState<readonly Source[] | null>(null);
  const [details, setDetails] = useState<ReadonlyMap<string, SourceDetail>>(new Map());
  const [error, setError] = useState<unknown>(null);

  const load = () => {
    setError(null);
    return api<{ sources: Source[] }>('/sources')
      .then(async (r) => {
        const sorted = [...r.sources].sort((a, b) => a.locality.localeCompare(b.locality) || a.name.localeCompare(b.name));
        setSources(sorted);
        // Statuses come from the detail route; a failure leaves that row without one.
        setDetails(await readStatuses(sorted.slice(0, MAX_STATUSES)));
      })
      .catch(setError);
  };
  useEffect(() => {
    void load();
    const timer = setInterval(() => { if (!document.hidden) void load(); }, LIST_POLL_MS);
    return () => clearInterval(timer);
  }, []);

  return (
    <section class="sources" data-testid="sources-page">
      <div class="page-head">
        <h1>{t('onb.sources.title')}</h1>
        {manager && <Link to="/sources/new" class="btn btn-primary" title={t('onb.new.title')}>{t('onb.newSource')}</Link>}
        {manager && session.user.locality && (
          <Link to={`/localities/${encodeURIComponent(session.user.locality)}/contacts`} class="btn">{t('onb.contacts.link')}</Link>
        )}
        {!manager && <span class="muted small" data-testid="read-only">{t('onb.readOnly')}</span>}
      </div>
      {error !== null && <OnboardingError error={error} onRetry={() => void load()} />}
      <div class="table-wrap">
        <table class="grid" data-testid="sources-table">
          <thead>
            <tr>
              <th scope="col">{t('onb.col.name')}</th>
              <th scope="col">{t('onb.col.locality')}</th>
              <th scope="col">{t('onb.col.kind')}</th>
              <th scope="col">{t('onb.col.format')}</th>
              <th scope="col">{t('onb.col.status')}</th>
              <th scope="col" class="num">{t('onb.col.events')}</th>
              <th scope="col" class="num">{t('onb.col.parseRate')}</th>
              <th scope="col">{t('onb.col.lastEvent')}</th>
              <th scope="col">{t('onb.col.key')}</th>
            </tr>
          </thead>
          <tbody>
            {(sources ?? []).map((s) => {
              const d = details.get(s.id);
              return (
                <tr key={s.id} data-id={s.id}>
                  <td class="title-cell"><Link to={`/sources/${encodeURIComponent(s.id)}`}>{s.name}</Link></td>
                  <td>{localityLabel(localities, s.locality)}</td>
                  <td>{tOr(t, `onb.kind.${s.kind}`, s.kind)}</td>
                  <td class="mono">{s.format}</td>
                  <td>{d ? <SourceStatusBadge status={d.status} /> : '—'}</td>
                  <td class="num">{d ? d.events.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB') : '—'}</td>
                  <td class="num">{d ? percent(d.parse_rate, lang) : '—'}</td>
                  <td class="time">{formatTime(d?.last_event_at ?? null, lang)}</td>
                  <td><span class="mono">{s.key_prefix}…</span> <KeyState source={s} /></td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {sources === null && error === null && <p class="muted">{t('common.loading')}</p>}
        {sources !== null && sources.length > MAX_STATUSES && <p class="muted small">{t('onb.sources.statusCap', { n: MAX_STATUSES })}</p>}
        {sources !== null && sources.length === 0 && <p class="empty">{manager ? t('onb.sources.emptyManager') : t('onb.sources.empty')}</p>}
      </div>
    </section>
  );
}
