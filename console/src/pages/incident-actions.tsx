/**
 * Acknowledge, assign, comment, escalate, resolve (with a resolution) and reopen. Each sends the
 * version read; a 409 (someone acted, or a new hit arrived) asks to reload instead of overwriting.
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { useApp } from '../context';
import { tOr, useI18n, type MessageKey } from '../i18n';
import { RESOLUTIONS, type Incident, type Resolution } from '../types';

type Action = 'ack' | 'assign' | 'comment' | 'escalate' | 'resolve' | 'reopen';
const LABELS: Record<Action, MessageKey> = {
  ack: 'incident.ack', assign: 'incident.assign', comment: 'incident.comment', escalate: 'incident.escalate', resolve: 'incident.resolve', reopen: 'incident.reopen',
};

export function IncidentActions({ incident, onChanged, onReload }: { incident: Incident; onChanged: (i: Incident) => void; onReload: () => void }) {
  const { t } = useI18n();
  const { session } = useApp();
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Action | null>(null);
  const [assignee, setAssignee] = useState(incident.assignee ?? '');
  const [comment, setComment] = useState('');
  const [resolution, setResolution] = useState<Resolution>('true_positive');
  const [note, setNote] = useState('');

  if (session.user.role === 'central_reviewer') {
    return (
      <section class="panel" aria-labelledby="actions-h">
        <h2 id="actions-h">{t('incident.actions')}</h2>
        <p class="muted">{t('incident.readOnly')}</p>
      </section>
    );
  }

  const run = async (action: Action, body: Record<string, unknown>, after?: () => void) => {
    setBusy(action);
    setError(null);
    setDone(null);
    try {
      const answer = await api<Incident>(`/incidents/${encodeURIComponent(incident.id)}/${action}`, { body });
      after?.();
      setDone(action);
      onChanged(answer);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const v = incident.version;
  const active = incident.status !== 'resolved';
  const conflict = error instanceof ApiError && error.status === 409;

  return (
    <section class="panel actions" aria-labelledby="actions-h">
      <h2 id="actions-h">{t('incident.actions')}</h2>
      {conflict && (
        <div class="banner banner-warn" role="alert" data-testid="conflict">
          <span>{t('incident.conflict')}</span>
          <button type="button" class="btn btn-small" onClick={() => { setError(null); onReload(); }}>{t('common.reload')}</button>
        </div>
      )}
      {error !== null && !conflict && <ErrorBanner error={error} />}
      {done && <p class="banner banner-ok" role="status">{t('incident.done', { action: t(LABELS[done]) })}</p>}
      <div class="action-row">
        {incident.status === 'open' && (
          <button type="button" class="btn btn-primary" disabled={busy !== null} onClick={() => run('ack', { version: v })}>{t('incident.ack')}</button>
        )}
        {active && (
          <button type="button" class="btn" disabled={busy !== null} onClick={() => run('escalate', { version: v })}>{t('incident.escalate')}</button>
        )}
        {!active && (
          <button type="button" class="btn" disabled={busy !== null} onClick={() => run('reopen', { version: v })}>{t('incident.reopen')}</button>
        )}
      </div>
      <form class="action-form" onSubmit={(e) => { e.preventDefault(); void run('assign', { version: v, assignee: assignee.trim() || null }); }}>
        <label>
          {t('incident.assignee')}
          <input name="assignee" value={assignee} placeholder={t('incident.assigneePlaceholder')} onInput={(e) => setAssignee(e.currentTarget.value)} />
        </label>
        <div class="action-row">
          <button type="submit" class="btn" disabled={busy !== null}>{t('incident.assign')}</button>
          <button type="button" class="btn btn-link" disabled={busy !== null} onClick={() => { setAssignee(session.user.username); void run('assign', { version: v, assignee: session.user.username }); }}>{t('incident.assignToMe')}</button>
        </div>
      </form>
      <form class="action-form" onSubmit={(e) => { e.preventDefault(); if (comment.trim()) void run('comment', { text: comment.trim() }, () => setComment('')); }}>
        <label>
          {t('incident.comment')}
          <textarea name="comment" rows={2} maxLength={10000} value={comment} placeholder={t('incident.commentPlaceholder')} onInput={(e) => setComment(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn" disabled={busy !== null || comment.trim() === ''}>{t('incident.comment')}</button>
      </form>
      {active && (
        <form class="action-form" data-testid="resolve-form" onSubmit={(e) => { e.preventDefault(); void run('resolve', { version: v, resolution, ...(note.trim() ? { note: note.trim() } : {}) }, () => setNote('')); }}>
          <label>
            {t('incident.resolveAs')}
            <select name="resolution" value={resolution} onChange={(e) => setResolution(e.currentTarget.value as Resolution)}>
              {RESOLUTIONS.map((r) => <option key={r} value={r}>{tOr(t, `resolution.${r}`, r)}</option>)}
            </select>
          </label>
          <label>
            {t('incident.note')}
            <textarea name="note" rows={2} maxLength={10000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          <button type="submit" class="btn btn-primary" disabled={busy !== null}>{t('incident.resolve')}</button>
        </form>
      )}
    </section>
  );
}
