/**
 * A rule's page (/rules/:id): what it is, its run history (GET /rules/{id}/runs, hits of the
 * user's scope) and the dry-run form (hidden for central reviewers, whose role is read-only).
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { SeverityBadge } from '../components/badges';
import { ErrorBanner } from '../components/error-banner';
import { Link } from '../components/link';
import { RuleDryRun } from '../components/rules-dry-run';
import { durationText, everyText } from '../components/rules-format';
import { useApp } from '../context';
import { useI18n } from '../i18n';
import { formatTime } from '../time';
import type { RuleList, RuleRun, RuleSummary } from '../types';
import type { RouteProps } from '../app';

export function RuleDetailRoute({ params }: RouteProps) {
  return <RuleDetail key={params.id} id={params.id} />;
}

function RuleDetail({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { session } = useApp();
  const [rule, setRule] = useState<RuleSummary | null | undefined>(undefined);
  const [runs, setRuns] = useState<readonly RuleRun[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => {
    setError(null);
    api<RuleList>('/rules').then((l) => setRule(l.rules.find((r) => r.id === id) ?? null)).catch(setError);
    api<{ runs: RuleRun[] }>(`/rules/${encodeURIComponent(id)}/runs?size=50`).then((r) => setRuns(r.runs)).catch(() => setRuns([]));
  };
  useEffect(load, [id]);

  if (rule === null) {
    return (
      <div class="not-found" data-testid="not-found">
        <h1>{t('rules.notFound')}</h1>
        <Link to="/rules">{t('rules.back')}</Link>
      </div>
    );
  }
  return (
    <section class="rule-page" data-testid="rule-page">
      <Link to="/rules" class="back">{t('rules.back')}</Link>
      {error !== null && <ErrorBanner error={error} onRetry={load} />}
      {rule === undefined && error === null && <p class="muted">{t('common.loading')}</p>}
      {rule && (
        <>
          <div class="incident-head">
            <SeverityBadge severity={rule.severity} />
            <h1>{rule.title}</h1>
          </div>
          <div class="incident-grid">
            <div class="incident-main">
              {session.user.role === 'central_reviewer'
                ? <p class="muted" data-testid="dry-run-read-only">{t('rules.dryRunReadOnly')}</p>
                : <RuleDryRun ruleId={rule.id} />}
              <section class="panel" aria-labelledby="runs-h">
                <h2 id="runs-h">{t('rules.runs')}</h2>
                {runs === null && <p class="muted">{t('common.loading')}</p>}
                {runs?.length === 0 && <p class="muted">{t('rules.runsNone')}</p>}
                {runs && runs.length > 0 && (
                  <div class="table-wrap">
                    <table class="grid" data-testid="rule-runs">
                      <thead>
                        <tr>
                          <th scope="col">{t('rules.col.lastRun')}</th>
                          <th scope="col">{t('rules.hit.window')}</th>
                          <th scope="col" class="num">{t('rules.col.duration')}</th>
                          <th scope="col" class="num">{t('rules.col.hits')}</th>
                          <th scope="col" class="num">{t('rules.skipped')}</th>
                          <th scope="col">{t('rules.col.error')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {runs.map((r, n) => (
                          <tr key={n} class={r.error ? 'rules-run-failed' : ''}>
                            <td class="time">{formatTime(r.started_at, lang, true)}</td>
                            <td class="time">{formatTime(r.window_from, lang, true)} → {formatTime(r.window_to, lang, true)}</td>
                            <td class="num">{durationText(r.duration_ms)}</td>
                            <td class="num">{r.hits}</td>
                            <td class="num">{r.skipped_windows}</td>
                            <td class="rules-error-cell">{r.error ?? ''}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </section>
            </div>
            <aside class="incident-side">
              <section class="panel" aria-labelledby="rule-facts-h">
                <h2 id="rule-facts-h">{t('incident.summary')}</h2>
                <dl class="facts" data-testid="rule-facts">
                  <dt>{t('rules.col.id')}</dt><dd class="mono">{rule.id}</dd>
                  <dt>{t('rules.version')}</dt><dd class="mono">{rule.version}</dd>
                  <dt>{t('rules.col.category')}</dt><dd>{rule.category}</dd>
                  <dt>{t('rules.col.type')}</dt><dd>{rule.type}</dd>
                  <dt>{t('rules.col.dataset')}</dt><dd class="mono">{rule.dataset}</dd>
                  <dt>{t('rules.col.every')}</dt><dd>{everyText(rule.every_ms)}</dd>
                  <dt>{t('rules.window')}</dt><dd>{everyText(rule.window_ms)}</dd>
                  <dt>{t('rules.enabled')}</dt><dd>{rule.enabled ? t('rules.yes') : t('rules.no')}</dd>
                  <dt>{t('rules.file')}</dt><dd class="mono">{`${rule.file}:${rule.line}`}</dd>
                </dl>
              </section>
            </aside>
          </div>
        </>
      )}
    </section>
  );
}
