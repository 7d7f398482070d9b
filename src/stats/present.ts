import { AGE_BUCKETS, type RuleCount, type StatsRange } from '../store/incident-stats';
import type { CsvTable } from './csv';
import type { StatsService } from './stats-service';

/**
 * Each statistic as JSON (snake_case, ISO 8601 times) and as a CSV table. The JSON shapes are the
 * response schemas of routes.ts; the CSV columns are the JSON's, flattened.
 */
type Result<K extends keyof StatsService> = StatsService[K] extends (...args: never[]) => Promise<infer R> ? R : never;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const range = (r: StatsRange) => ({ from: iso(r.from), to: iso(r.to) });
const ageKeys = AGE_BUCKETS.map((a) => `age_${a}`);

export const incidentsJson = (r: Result<'incidents'>) => ({ ...range(r.range), interval_ms: r.intervalMs, by: r.by, buckets: r.buckets.map(iso), series: r.series });
export const incidentsCsv = (r: Result<'incidents'>): CsvTable => ({
  header: ['bucket_start', r.by, 'count'],
  rows: r.series.flatMap((s) => s.counts.flatMap((n, i) => (n > 0 ? [[iso(r.buckets[i]), s.key, n]] : []))),
});

export const backlogJson = (r: Result<'backlog'>) => ({
  now: iso(r.now), by: r.by,
  rows: r.rows.map((x) => ({ locality: x.locality, severity: x.severity, open: x.open, acknowledged: x.acknowledged, total: x.total, age: x.ages })),
});
export const backlogCsv = (r: Result<'backlog'>): CsvTable => ({
  header: ['locality', 'severity', 'open', 'acknowledged', 'total', ...ageKeys],
  rows: r.rows.map((x) => [x.locality, x.severity, x.open, x.acknowledged, x.total, ...AGE_BUCKETS.map((a) => x.ages[a])]),
});

export const responseTimesJson = (r: Result<'responseTimes'>) => ({
  ...range(r.range), by: r.by,
  rows: r.rows.map((x) => ({ key: x.key, incidents: x.incidents, mtta: x.mtta, mttr: x.mttr, auto_resolved: x.autoResolved })),
});
export const responseTimesCsv = (r: Result<'responseTimes'>): CsvTable => ({
  header: [r.by, 'incidents', 'mtta_n', 'mtta_mean_s', 'mtta_p50_s', 'mtta_p90_s', 'mttr_n', 'mttr_mean_s', 'mttr_p50_s', 'mttr_p90_s', 'auto_resolved'],
  rows: r.rows.map((x) => [x.key, x.incidents, x.mtta.n, x.mtta.mean, x.mtta.p50, x.mtta.p90, x.mttr.n, x.mttr.mean, x.mttr.p50, x.mttr.p90, x.autoResolved]),
});

export const slaJson = (r: Result<'sla'>) => {
  const incidents = r.rows.reduce((s, x) => s + x.incidents, 0);
  const breaches = r.rows.reduce((s, x) => s + x.breaches, 0);
  return { ...range(r.range), now: iso(r.now), rows: r.rows, total: { incidents, breaches, rate: incidents > 0 ? breaches / incidents : null } };
};
export const slaCsv = (r: Result<'sla'>): CsvTable => ({
  header: ['locality', 'severity', 'incidents', 'breaches', 'rate'],
  rows: r.rows.map((x) => [x.locality, x.severity, x.incidents, x.breaches, x.rate]),
});

const ruleJson = (x: RuleCount) => ({ rule_id: x.ruleId, title: x.title, category: x.category, severity: x.severity, count: x.count });
export const topRulesJson = (r: Result<'topRules'>) => ({ ...range(r.range), rules: r.rules.map(ruleJson) });
export const topRulesCsv = (r: Result<'topRules'>): CsvTable => ({
  header: ['rule_id', 'title', 'category', 'severity', 'count'],
  rows: r.rules.map((x) => [x.ruleId, x.title, x.category, x.severity, x.count]),
});

export const sourcesJson = (r: Result<'sources'>) => ({
  ...range(r.range), dead_letters_complete: r.deadLettersComplete,
  sources: r.sources.map((s) => ({
    id: s.id, name: s.name, locality: s.locality, kind: s.kind, enabled: s.enabled, status: s.status, last_event_at: isoOrNull(s.lastEventAt),
    events_total: s.eventsTotal, parse_rate_total: s.parseRateTotal, events: s.events, dead_letters: s.deadLetters, parse_error_rate: s.parseErrorRate,
  })),
});
export const sourcesCsv = (r: Result<'sources'>): CsvTable => ({
  header: ['id', 'name', 'locality', 'kind', 'enabled', 'status', 'last_event_at', 'events_total', 'parse_rate_total', 'events', 'dead_letters', 'parse_error_rate'],
  rows: r.sources.map((s) => [
    s.id, s.name, s.locality, s.kind, s.enabled, s.status, isoOrNull(s.lastEventAt), s.eventsTotal, s.parseRateTotal, s.events, s.deadLetters, s.parseErrorRate,
  ]),
});

export const otpJson = (r: Result<'otp'>) => ({
  ...range(r.range), by: r.by,
  rows: r.rows.map((x) => ({ locality: x.locality, service: x.service, attempts: x.attempts, successes: x.successes, failures: x.failures, success_rate: x.successRate })),
});
export const otpCsv = (r: Result<'otp'>): CsvTable => ({
  header: ['locality', 'service', 'attempts', 'successes', 'failures', 'success_rate'],
  rows: r.rows.map((x) => [x.locality, x.service, x.attempts, x.successes, x.failures, x.successRate]),
});

export const availabilityJson = (r: Result<'availability'>) => ({ ...range(r.range), rows: r.rows });
export const availabilityCsv = (r: Result<'availability'>): CsvTable => ({
  header: ['locality', 'monitor', 'service', 'probes', 'up', 'down', 'availability'],
  rows: r.rows.map((x) => [x.locality, x.monitor, x.service, x.probes, x.up, x.down, x.availability]),
});
