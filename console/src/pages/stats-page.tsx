/**
 * The statistics dashboard (/stats): the central reviewers' home, open to every role for its own
 * scope. A time range (URL query), then one panel per statistic of docs/statistics.md, each with a
 * chart, the same numbers in a table, a CSV download, and its own loading, error and empty states.
 */
import { useI18n } from '../i18n';
import { navigate, useLocation } from '../router';
import { withQuery } from '../api';
import {
  AvailabilityPanel, BacklogPanel, IncidentsPanel, OtpPanel, ResponseTimesPanel, SlaPanel, SourcesPanel, TopRulesPanel,
} from './stats-panels';
import { apiRange, RangePicker, readRange, sourcesWindow } from './stats-range';

export const INCIDENTS_BY = ['severity', 'locality', 'category'] as const;
export const OTP_BY = ['locality,service', 'locality', 'service'] as const;

function pick<T extends string>(value: string | null, allowed: readonly T[]): T {
  return (allowed as readonly string[]).includes(value ?? '') ? (value as T) : allowed[0];
}

export function StatsPage() {
  const { t } = useI18n();
  const loc = useLocation();
  const range = readRange(loc.query);
  const by = pick(loc.query.get('by'), INCIDENTS_BY);
  const otpBy = pick(loc.query.get('otp_by'), OTP_BY);
  // The query parameters other than the range, kept when the range changes (and the reverse).
  const extra = { by: by === INCIDENTS_BY[0] ? '' : by, otp_by: otpBy === OTP_BY[0] ? '' : otpBy };
  const rangeQuery = { range: loc.query.get('range') ?? '', from: loc.query.get('from') ?? '', to: loc.query.get('to') ?? '' };
  const setParam = (name: string, value: string, fallback: string) =>
    navigate(withQuery('/stats', { ...rangeQuery, ...extra, [name]: value === fallback ? '' : value }), true);
  const r = apiRange(range);
  return (
    <div class="stats-page">
      <div class="page-head">
        <h1>{t('stats.title')}</h1>
        <span class="small muted">{t('stats.scopeNote')}</span>
      </div>
      <RangePicker key={`${range.preset}:${range.from}:${range.to}`} range={range} extra={extra} />
      <div class="stats-grid">
        <IncidentsPanel range={r} by={by} onBy={(v) => setParam('by', v, INCIDENTS_BY[0])} />
        <BacklogPanel />
        <ResponseTimesPanel range={r} by="severity" />
        <ResponseTimesPanel range={r} by="locality" />
        <SlaPanel range={r} />
        <TopRulesPanel range={r} />
        <OtpPanel range={r} by={otpBy} onBy={(v) => setParam('otp_by', v, OTP_BY[0])} />
        <AvailabilityPanel range={r} />
        <SourcesPanel window={sourcesWindow(range)} />
      </div>
    </div>
  );
}
