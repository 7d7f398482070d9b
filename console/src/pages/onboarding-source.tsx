/**
 * /sources/:id: the source's status (polled: waiting → receiving, or silent), its shipper
 * configurations (with <YOUR_KEY>), key rotation and revocation (confirmed), enable/disable, and its
 * dead letters (raw lines as text). A 404 (absent or outside the scope) says "source not found".
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, withQuery } from '../api';
import type { RouteProps } from '../app';
import { Link } from '../components/link';
import { ConfigTabs, KeyOnce } from '../components/onboarding-configs';
import { ConfirmDialog } from '../components/onboarding-confirm';
import { canManageSources, KeyState, localityLabel, OnboardingError, percent, SourceStatusBadge } from '../components/onboarding-shared';
import { useApp } from '../context';
import { tOr, useI18n } from '../i18n';
import { formatTime } from '../time';
import type { DeadLetter, ShipperConfigs, Source, SourceDetail, SourceWithKey } from '../types';

/** How often the status (and the first page of dead letters) is read again. */
export const STATUS_POLL_MS = 2500;
const DEAD_LETTER_PAGE = 20;

type DeadLetterPage = { dead_letters: DeadLetter[]; next_cursor: string | null };

export function SourcePage({ params }: RouteProps) {
  const { t, lang } = useI18n();
  const { session, localities } = useApp();
  const manager = canManageSources(session.user.role);
  const id = params.id ?? '';
  const path = `/sources/${encodeURIComponent(id)}`;
  const [source, setSource] = useState<SourceDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [configs, setConfigs] = useState<ShipperConfigs | null>(null);
  const [fresh, setFresh] = useState<SourceWithKey | null>(null);
  const [dialog, setDialog] = useState<'rotate' | 'revoke' | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const read = () => api<SourceDetail>(path).then((s) => { setSource(s); setError(null); }).catch(setError);
  useEffect(() => {
    setSource(null);
    setError(null);
    setFresh(null);
    void read();
    api<{ configs: ShipperConfigs }>(`${path}/shipper-configs`).then((r) => setConfigs(r.configs)).catch(() => setConfigs(null));
    const timer = setInterval(() => { if (!document.hidden) void read(); }, STATUS_POLL_MS);
    return () => clearInterval(timer);
  }, [id]);

  const act = async (what: 'rotate' | 'revoke' | 'enable' | 'disable') => {
    setBusy(true);
    setActionError(null);
    setDone(null);
    try {
      if (what === 'rotate') {
        setFresh(await api<SourceWithKey>(`${path}/rotate-key`, { method: 'POST' }));
      } else if (what === 'revoke') {
        await api<Source>(`${path}/revoke`, { method: 'POST' });
        setFresh(null);
      } else {
        await api<Source>(path, { method: 'PATCH', body: { enabled: what === 'enable' } });
      }
      setDone(t(`onb.done.${what}`));
      await read();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
      setDialog(null);
    }
  };

  if (error instanceof ApiError && error.status === 404) {
    return (
      <section class="not-found" data-testid="not-found">
        <h1>{t('onb.notFound')}</h1>
        <p>{t('onb.notFoundText')}</p>
        <Link to="/sources" class="btn">{t('onb.back')}</Link>
      </section>
    );
  }
  if (error !== null && !source) return <OnboardingError error={error} onRetry={() => void read()} />;
  if (!source) return <p class="muted">{t('common.loading')}</p>;

  return (
    <article class="source" data-testid="source-page">
      <Link to="/sources" class="back">{t('onb.back')}</Link>
      <header class="incident-head">
        <h1 data-testid="source-name">{source.name}</h1>
        <SourceStatusBadge status={source.status} />
        <KeyState source={source} />
      </header>
      <div class="incident-grid">
        <div class="incident-main">
          <StatusPanel source={source} />
          {fresh && (
            <div class="panel" data-testid="rotated">
              <h2>{t('onb.newKey')}</h2>
              <KeyOnce apiKey={fresh.api_key} />
              <ConfigTabs configs={fresh.configs} note="onb.configsWithKey" />
            </div>
          )}
          {!fresh && configs && (
            <div class="panel">
              <h2>{t('onb.configs')}</h2>
              <ConfigTabs configs={configs} note="onb.configsPlaceholder" />
            </div>
          )}
          <DeadLetters sourceId={source.id} tick={source} />
        </div>
        <aside class="incident-side">
          <div class="panel">
            <h2>{t('onb.facts')}</h2>
            <dl class="facts">
              <dt>{t('onb.col.locality')}</dt><dd>{localityLabel(localities, source.locality)}</dd>
              <dt>{t('onb.col.kind')}</dt><dd>{tOr(t, `onb.kind.${source.kind}`, source.kind)}</dd>
              <dt>{t('onb.col.format')}</dt><dd class="mono">{source.format}</dd>
              <dt>{t('onb.col.key')}</dt><dd><span class="mono" data-testid="key-prefix">{source.key_prefix}…</span></dd>
              <dt>{t('onb.createdAt')}</dt><dd>{formatTime(source.created_at, lang)}</dd>
              {source.syslog && <><dt>{t('onb.field.senders')}</dt><dd class="mono">{source.syslog.senders.join(', ') || '—'}</dd></>}
              {source.syslog && <><dt>{t('onb.field.token')}</dt><dd class="mono">{source.syslog.token ?? '—'}</dd></>}
            </dl>
          </div>
          <div class="panel actions">
            <h2>{t('onb.keyActions')}</h2>
            {done && <p class="banner banner-ok" role="status">{done}</p>}
            {actionError !== null && <OnboardingError error={actionError} />}
            {!manager && <p class="muted">{t('onb.readOnly')}</p>}
            {manager && (
              <div class="action-row">
                <button type="button" class="btn" data-testid="rotate" disabled={busy} onClick={() => setDialog('rotate')}>
                  {source.revoked ? t('onb.rotateRevoked') : t('onb.rotate')}
                </button>
                {!source.revoked && (
                  <button type="button" class="btn btn-danger" data-testid="revoke" disabled={busy} onClick={() => setDialog('revoke')}>{t('onb.revoke')}</button>
                )}
                <button type="button" class="btn" data-testid="toggle-enabled" disabled={busy} onClick={() => void act(source.enabled ? 'disable' : 'enable')}>
                  {source.enabled ? t('onb.disable') : t('onb.enable')}
                </button>
              </div>
            )}
            {manager && <p class="muted small">{source.enabled ? t('onb.disableHelp') : t('onb.enableHelp')}</p>}
          </div>
        </aside>
      </div>
      {dialog === 'rotate' && (
        <ConfirmDialog title={t('onb.rotateTitle')} confirmLabel={t('onb.rotate')} busy={busy}
          onConfirm={() => void act('rotate')} onCancel={() => setDialog(null)}>
          <p>{t('onb.rotateText')}</p>
        </ConfirmDialog>
      )}
      {dialog === 'revoke' && (
        <ConfirmDialog title={t('onb.revokeTitle')} confirmLabel={t('onb.revoke')} danger busy={busy}
          onConfirm={() => void act('revoke')} onCancel={() => setDialog(null)}>
          <p>{t('onb.revokeText')}</p>
        </ConfirmDialog>
      )}
    </article>
  );
}

function StatusPanel({ source }: { source: SourceDetail }) {
  const { t, lang } = useI18n();
  return (
    <div class={`panel status-panel src-panel-${source.status}`} data-testid="status-panel" aria-live="polite">
      <h2>{t('onb.statusTitle')}</h2>
      <p class="status-line" data-testid="status-text">
        <SourceStatusBadge status={source.status} /> {tOr(t, `onb.statusText.${source.status}`, source.status)}
      </p>
      <dl class="facts">
        <dt>{t('onb.col.events')}</dt>
        <dd data-testid="events">{source.events.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB')}</dd>
        <dt>{t('onb.col.parseRate')}</dt>
        <dd data-testid="parse-rate">{percent(source.parse_rate, lang)}</dd>
        <dt>{t('onb.col.lastEvent')}</dt>
        <dd data-testid="last-event">{formatTime(source.last_event_at, lang, true)}</dd>
      </dl>
      <p class="muted small">{t('onb.pollNote', { seconds: STATUS_POLL_MS / 1000 })}</p>
    </div>
  );
}

/** The source's dead letters, newest first; the first page is read again whenever the status is. */
function DeadLetters({ sourceId, tick }: { sourceId: string; tick: SourceDetail }) {
  const { t, lang } = useI18n();
  const [rows, setRows] = useState<readonly DeadLetter[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const pagedOnce = useRef(false);
  const url = (c: string | null) => withQuery('/dead-letters', { source: sourceId, size: DEAD_LETTER_PAGE, cursor: c });

  useEffect(() => {
    api<DeadLetterPage>(url(null)).then((page) => {
      setError(null);
      setRows((current) => {
        const known = new Set(current.map((d) => d.id));
        const added = page.dead_letters.filter((d) => !known.has(d.id));
        return [...added, ...current];
      });
      if (!pagedOnce.current) setCursor(page.next_cursor);
    }).catch(setError);
  }, [sourceId, tick]);

  const more = () => {
    if (!cursor) return;
    pagedOnce.current = true;
    api<DeadLetterPage>(url(cursor)).then((page) => {
      setRows((current) => {
        const known = new Set(current.map((d) => d.id));
        return [...current, ...page.dead_letters.filter((d) => !known.has(d.id))];
      });
      setCursor(page.next_cursor);
    }).catch(setError);
  };

  return (
    <div class="panel" data-testid="dead-letters">
      <h2>{t('onb.deadLetters')}</h2>
      <p class="muted small">{t('onb.deadLettersHelp')}</p>
      {error !== null && <OnboardingError error={error} />}
      {rows.length === 0 && error === null && <p class="muted">{t('onb.deadLettersNone')}</p>}
      <ul class="dead-letters">
        {rows.map((d) => (
          <li key={d.id} class="dead-letter" data-testid="dead-letter">
            <div class="event-meta">
              <span class="time">{formatTime(d.received_at, lang, true)}</span>
              <span>{t('onb.line', { n: d.line })}</span>
              <span class="dl-reason" data-testid="dead-letter-reason">{d.reason}</span>
            </div>
            <pre class="raw" data-testid="dead-letter-raw">{d.raw}</pre>
          </li>
        ))}
      </ul>
      {cursor && <button type="button" class="btn" data-testid="dead-letters-more" onClick={more}>{t('onb.loadMore')}</button>}
    </div>
  );
}
