/**
 * The loaded rules (/rules): errors of rule files at the top, then every rule with its last run
 * (time, duration, hits of the user's scope, error). A rule's id opens its page (history, dry run).
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { SeverityBadge } from '../components/badges';
import { ErrorBanner } from '../components/error-banner';
import { Link } from '../components/link';
import { durationText, everyText, ruleErrorText } from '../components/rules-format';
import { useI18n } from '../i18n';
import { formatTime } from '../time';
import type { RuleList } from '../types';

export function RulesList() {
  const { t, lang } = useI18n();
  const [list, setList] = useState<RuleList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => {
    setError(null);
    api<RuleList>('/rules').then(setList).catch(setError);
  };
  useEffect(load, []);
  const rules = list ? [...list.rules].sort((a, b) => a.id.localeCompare(b.id)) : [];
  return (
    <section class="rules" data-testid="rules-page">
      <div class="page-head">
        <h1>{t('rules.title')}</h1>
        {list && <span class="muted small">{t('rules.count', { n: list.rules.length })}</span>}
      </div>
      {error !== null && <ErrorBanner error={error} onRetry={load} />}
      {list && list.errors.length > 0 && (
        <div class="banner banner-error rules-file-errors" role="alert" data-testid="rule-file-errors">
          <div>
            <strong>{t('rules.fileErrors', { n: list.errors.length })}</strong>
            <ul class="mono small">{list.errors.map((e, n) => <li key={n}>{ruleErrorText(e)}</li>)}</ul>
          </div>
        </div>
      )}
      <div class="table-wrap">
        <table class="grid" data-testid="rules-table">
          <thead>
            <tr>
              <th scope="col">{t('rules.col.id')}</th>
              <th scope="col">{t('rules.col.title')}</th>
              <th scope="col">{t('rules.col.severity')}</th>
              <th scope="col">{t('rules.col.category')}</th>
              <th scope="col">{t('rules.col.type')}</th>
              <th scope="col">{t('rules.col.dataset')}</th>
              <th scope="col" class="num">{t('rules.col.every')}</th>
              <th scope="col">{t('rules.col.lastRun')}</th>
              <th scope="col" class="num">{t('rules.col.duration')}</th>
              <th scope="col" class="num">{t('rules.col.hits')}</th>
              <th scope="col">{t('rules.col.error')}</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr key={r.id} data-rule-id={r.id} class={r.enabled ? '' : 'rules-disabled'}>
                <td class="mono"><Link to={`/rules/${encodeURIComponent(r.id)}`}>{r.id}</Link></td>
                <td class="title-cell">{r.title}{!r.enabled && <span class="muted small"> ({t('rules.disabled')})</span>}</td>
                <td><SeverityBadge severity={r.severity} /></td>
                <td>{r.category}</td>
                <td>{r.type}</td>
                <td class="mono">{r.dataset}</td>
                <td class="num">{everyText(r.every_ms)}</td>
                <td class="time">{r.last_run ? formatTime(r.last_run.started_at, lang, true) : t('rules.never')}</td>
                <td class="num">{durationText(r.last_run?.duration_ms)}</td>
                <td class="num">{r.last_run ? r.last_run.hits : '—'}</td>
                <td class="rules-error-cell">{r.last_run?.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {list && rules.length === 0 && <p class="empty">{t('rules.empty')}</p>}
        {!list && error === null && <p class="muted">{t('common.loading')}</p>}
      </div>
    </section>
  );
}
