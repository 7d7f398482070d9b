/**
 * One incident: summary, actions, timeline, evidence events (raw lines as text) and related
 * incidents. A 404 (absent, or outside the user's scope) shows the not-found page.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, withQuery } from '../api';
import type { RouteProps } from '../app';
import { SeverityBadge, StatusBadge } from '../components/badges';
import { ErrorBanner } from '../components/error-banner';
import { Link } from '../components/link';
import { useApp } from '../context';
import { tOr, useI18n } from '../i18n';
import { formatTime } from '../time';
import type { EventDoc, Incident, IncidentDetail, IncidentPage } from '../types';
import { IncidentActions } from './incident-actions';
import { NotFound } from './not-found';
import { Timeline } from './timeline';

export function IncidentPageRoute({ params }: RouteProps) {
  const { t } = useI18n();
  const id = params.id ?? '';
  const [incident, setIncident] = useState<IncidentDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = () =>
    api<IncidentDetail>(`/incidents/${encodeURIComponent(id)}`)
      .then((i) => { setIncident(i); setError(null); })
      .catch(setError);
  useEffect(() => {
    setIncident(null);
    setError(null);
    void reload();
  }, [id]);

  if (error instanceof ApiError && error.status === 404) {
    return <NotFound kind="incident" />;
  }
  if (error !== null && !incident) return <ErrorBanner error={error} onRetry={reload} />;
  if (!incident) return <p class="muted">{t('common.loading')}</p>;
  return (
    <article class="incident" data-testid="incident-page">
      <Link to="/incidents" class="back">{t('incident.back')}</Link>
      <header class="incident-head">
        <SeverityBadge severity={incident.severity} />
        <h1 data-testid="incident-title">{incident.title}</h1>
        <StatusBadge status={incident.status} />
      </header>
      <div class="incident-grid">
        <div class="incident-main">
          <Summary incident={incident} />
          <Timeline entries={incident.timeline} />
          <Evidence incident={incident} />
        </div>
        <aside class="incident-side">
          <IncidentActions incident={incident} onChanged={setIncidentFromAction(setIncident, reload)} onReload={reload} />
          <Related incident={incident} />
        </aside>
      </div>
    </article>
  );
}

/** After an action: the answer has no timeline, so the incident is read again (timeline included). */
function setIncidentFromAction(set: (i: IncidentDetail) => void, reload: () => Promise<void>) {
  return (answer: Incident) => {
    void reload().then(() => undefined, () => set({ ...answer, timeline: [] }));
  };
}

function Summary({ incident }: { incident: Incident }) {
  const { t, lang } = useI18n();
  const { localities } = useApp();
  const place = localities.get(incident.locality);
  const rows: [string, ComponentChildren][] = [
    [t('incident.rule'), <span class="mono">{incident.rule_id} <span class="muted">({incident.rule_version})</span></span>],
    [t('incident.category'), incident.category],
    [t('incident.locality'), place ? `${place.name} (${incident.locality})` : incident.locality],
    [t('incident.count'), incident.count],
    [t('incident.firstSeen'), formatTime(incident.first_seen, lang, true)],
    [t('incident.lastSeen'), formatTime(incident.last_seen, lang, true)],
    [t('incident.ackDue'), <span class={incident.ack_due && Date.parse(incident.ack_due) < Date.now() ? 'overdue' : ''}>{formatTime(incident.ack_due, lang)}</span>],
    [t('incident.escalation'), incident.escalation_level],
    [t('incident.assignee'), incident.assignee ?? '—'],
    [t('incident.resolution'), incident.resolution ? tOr(t, `resolution.${incident.resolution}`, incident.resolution) : '—'],
    [t('incident.resolvedAt'), formatTime(incident.resolved_at, lang)],
    [t('incident.group'), <span class="mono">{Object.entries(incident.group).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ') || '—'}</span>],
    [t('incident.evidenceQuery'), <code class="mono wrap">{incident.evidence.query}</code>],
  ];
  if (incident.parent_id) rows.push([t('incident.parent'), <Link to={`/incidents/${encodeURIComponent(incident.parent_id)}`}>{incident.parent_id}</Link>]);
  return (
    <section class="panel" aria-labelledby="summary-h">
      <h2 id="summary-h">{t('incident.summary')}</h2>
      <dl class="facts" data-testid="summary">
        {rows.map(([k, v]) => [<dt key={`${k}-t`}>{k}</dt>, <dd key={`${k}-d`}>{v}</dd>])}
      </dl>
    </section>
  );
}

const DAY = 86_400_000;
const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The evidence: the sample events by id (else the evidence query), around the incident's times. */
function Evidence({ incident }: { incident: Incident }) {
  const { t, lang } = useI18n();
  const [events, setEvents] = useState<readonly EventDoc[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const ids = incident.evidence.sample_event_ids.slice(0, 10);
  useEffect(() => {
    const q = ids.length > 0 ? ids.map((id) => `event.id:${quote(id)}`).join(' OR ') : incident.evidence.query;
    const from = new Date(Date.parse(incident.first_seen) - 7 * DAY).toISOString();
    const to = new Date(Date.parse(incident.last_seen) + 60_000).toISOString();
    api<{ events: EventDoc[] }>(withQuery('/events', { q, from, to, size: 20 }))
      .then((r) => setEvents(r.events))
      .catch(setError);
  }, [incident.id, ids.join(','), incident.evidence.query]);
  return (
    <section class="panel" aria-labelledby="evidence-h">
      <h2 id="evidence-h">{t('incident.evidence')}</h2>
      {error !== null && <ErrorBanner error={error} />}
      {events === null && error === null && <p class="muted">{t('common.loading')}</p>}
      {events?.length === 0 && <p class="muted">{t('incident.evidenceNone')}</p>}
      {events?.map((e, n) => (
        <div class="event" key={e.event?.id ?? n} data-testid="evidence-event">
          <div class="event-meta">
            <span>{formatTime(e['@timestamp'] ?? null, lang, true)}</span>
            <span class="muted">{e.event?.dataset ?? ''}</span>
            <span class="mono">{fieldText(e, 'source.ip')}</span>
          </div>
          {/* The raw line is untrusted: a text node inside <pre>, never parsed as HTML. */}
          <pre class="raw" data-testid="raw-line" aria-label={t('event.raw')}>{e.event?.original ?? JSON.stringify(e)}</pre>
        </div>
      ))}
    </section>
  );
}

function fieldText(doc: EventDoc, path: string): string {
  let v: unknown = doc;
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v === undefined || v === null ? '' : String(v);
}

/** The incidents rolled up into this one (a province roll-up), then the newest of the same rule in the same province. */
function Related({ incident }: { incident: Incident }) {
  const { t, lang } = useI18n();
  const [related, setRelated] = useState<readonly Incident[] | null>(null);
  const [children, setChildren] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    const sameRule = withQuery('/incidents', { rule: incident.rule_id, locality: incident.province ?? incident.locality, size: 11 });
    const rolledUp = withQuery('/incidents', { parent: incident.id, size: 50 });
    Promise.all([api<IncidentPage>(rolledUp), api<IncidentPage>(sameRule)])
      .then(([kids, rule]) => {
        const others = rule.incidents.filter((i) => i.id !== incident.id && !kids.incidents.some((k) => k.id === i.id)).slice(0, 10);
        setChildren(new Set(kids.incidents.map((i) => i.id)));
        setRelated([...kids.incidents, ...others]);
      })
      .catch(() => setRelated([]));
  }, [incident.id]);
  return (
    <section class="panel" aria-labelledby="related-h">
      <h2 id="related-h">{t('incident.related')}</h2>
      {related === null && <p class="muted">{t('common.loading')}</p>}
      {related?.length === 0 && <p class="muted">{t('incident.relatedNone')}</p>}
      <ul class="related">
        {related?.map((i) => (
          <li key={i.id}>
            <SeverityBadge severity={i.severity} /> <Link to={`/incidents/${encodeURIComponent(i.id)}`}>{i.title}</Link>
            <span class="muted small"> · {i.locality} · {formatTime(i.last_seen, lang)} · {tOr(t, `status.${i.status}`, i.status)}</span>
            {children.has(i.id) && <span class="muted small" data-testid="rolled-up"> · {t('incident.rolledUp')}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
