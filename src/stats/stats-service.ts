import type { Source } from '../directory/types';
import { sourceStatus, type SourceStatusName } from '../directory/source-status';
import type { Clock } from '../lib/clock';
import { parseDuration } from '../lib/time';
import { parseFilter } from '../query/parse';
import { SEVERITIES, type Severity } from '../rules/rule';
import { MAX_GROUP_LIMIT, MAX_PAGE_SIZE } from '../store/cursor';
import type { AggregateRow, EventStore } from '../store/event-store';
import {
  AGE_BUCKETS, INCIDENT_DIMENSIONS,
  type AgeBucket, type DurationSummary, type IncidentDimension, type IncidentStats, type RuleCount, type StatsRange,
} from '../store/incident-stats';
import type { Scope } from '../store/scope';
import { DEFAULT_TOP_RULES, MAX_TOP_RULES, parseChoice, parseInterval, parseRange, parseSize } from './params';

/** OTP verification actions: the attempts of the success rate (docs/statistics.md). */
export const OTP_ATTEMPT_ACTIONS: readonly string[] = ['otp-verified', 'otp-verify-failed'];
/** Default window of /stats/sources. */
export const DEFAULT_SOURCE_WINDOW_MS = 24 * 3_600_000;
/** Most dead letters /stats/sources reads to count a window's (then `deadLettersComplete` is false). */
export const MAX_DEAD_LETTER_SCAN = 20 * MAX_PAGE_SIZE;

export interface RangeParams { readonly from?: string; readonly to?: string }

export interface IncidentSeries {
  readonly range: StatsRange;
  readonly intervalMs: number;
  readonly by: IncidentDimension;
  /** Every bucket start in the range, oldest first. */
  readonly buckets: readonly number[];
  /** One series per dimension value with incidents, by key: counts[i] belongs to buckets[i]. */
  readonly series: readonly { readonly key: string; readonly total: number; readonly counts: readonly number[] }[];
}

export type BacklogBy = 'locality' | 'severity' | 'locality,severity';
export interface BacklogRow {
  readonly locality: string | null;
  readonly severity: Severity | null;
  readonly open: number;
  readonly acknowledged: number;
  readonly total: number;
  readonly ages: Readonly<Record<AgeBucket, number>>;
}

/** Durations in seconds. */
export interface SecondsSummary { readonly n: number; readonly mean: number | null; readonly p50: number | null; readonly p90: number | null }
export interface ResponseTimeRow {
  readonly key: string;
  readonly incidents: number;
  readonly mtta: SecondsSummary;
  readonly mttr: SecondsSummary;
  readonly autoResolved: number;
}

export interface SlaRow { readonly locality: string; readonly severity: Severity; readonly incidents: number; readonly breaches: number; readonly rate: number }

export interface SourceHealth {
  readonly id: string;
  readonly name: string;
  readonly locality: string;
  readonly kind: Source['kind'];
  readonly enabled: boolean;
  readonly status: SourceStatusName;
  readonly lastEventAt: number | null;
  /** Since the source was created. */
  readonly eventsTotal: number;
  readonly parseRateTotal: number | null;
  /** In the window: events by @timestamp, dead letters by when they were received. */
  readonly events: number;
  readonly deadLetters: number;
  /** deadLetters / (events + deadLetters) in the window; null when both are 0. */
  readonly parseErrorRate: number | null;
}

export type OtpBy = 'locality' | 'service' | 'locality,service';
export interface OtpRow {
  readonly locality: string | null;
  readonly service: string | null;
  readonly attempts: number;
  readonly successes: number;
  readonly failures: number;
  readonly successRate: number | null;
}

export interface AvailabilityRow {
  readonly locality: string;
  readonly monitor: string;
  readonly service: string | null;
  readonly probes: number;
  readonly up: number;
  readonly down: number;
  readonly availability: number | null;
}

export interface StatsServiceDeps {
  readonly incidents: IncidentStats;
  readonly events: EventStore;
  /** The sources in a scope (DirectoryService). */
  readonly sources: { listSources(scope: Scope): Promise<readonly Source[]> };
  readonly clock: Clock;
}

const cmp = (a: string | null, b: string | null) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);
const seconds = (s: DurationSummary): SecondsSummary => ({
  n: s.n, mean: s.meanMs === null ? null : s.meanMs / 1000, p50: s.p50Ms === null ? null : s.p50Ms / 1000, p90: s.p90Ms === null ? null : s.p90Ms / 1000,
});

/**
 * The statistics of the central reviewers' dashboard (docs/statistics.md): incident figures from
 * IncidentStats, OTP and availability from EventStore.aggregate, source health from the directory
 * and the event store's counters. Every answer is within the caller's scope. Parameters are the
 * request's text; bad ones throw kind `invalid` naming the parameter.
 */
export class StatsService {
  constructor(private readonly deps: StatsServiceDeps) {}

  async incidents(p: RangeParams & { readonly interval?: string; readonly by?: string }, scope: Scope): Promise<IncidentSeries> {
    const range = parseRange(p, this.now());
    const intervalMs = parseInterval(p.interval, range);
    const by = parseChoice('by', p.by, INCIDENT_DIMENSIONS, 'severity');
    const cells = await this.deps.incidents.createdCounts({ ...range, intervalMs, by }, scope);
    const first = Math.floor(range.from / intervalMs) * intervalMs;
    const buckets: number[] = [];
    for (let s = first; s < range.to; s += intervalMs) buckets.push(s);
    const series = new Map<string, number[]>();
    for (const c of cells) {
      const counts = series.get(c.key) ?? buckets.map(() => 0);
      series.set(c.key, counts);
      counts[(c.start - first) / intervalMs] += c.count;
    }
    return {
      range, intervalMs, by, buckets,
      series: [...series.entries()].sort(([a], [b]) => cmp(a, b)).map(([key, counts]) => ({ key, total: counts.reduce((s, n) => s + n, 0), counts })),
    };
  }

  async backlog(p: { readonly by?: string }, scope: Scope): Promise<{ readonly now: number; readonly by: BacklogBy; readonly rows: readonly BacklogRow[] }> {
    const by = parseChoice<BacklogBy>('by', p.by, ['locality', 'severity', 'locality,severity'], 'locality,severity');
    const now = this.now();
    const rows = new Map<string, { locality: string | null; severity: Severity | null; open: number; acknowledged: number; ages: Record<AgeBucket, number> }>();
    for (const c of await this.deps.incidents.backlog(now, scope)) {
      const locality = by === 'severity' ? null : c.locality;
      const severity = by === 'locality' ? null : c.severity;
      const id = JSON.stringify([locality, severity]);
      const row = rows.get(id) ?? { locality, severity, open: 0, acknowledged: 0, ages: Object.fromEntries(AGE_BUCKETS.map((a) => [a, 0])) as Record<AgeBucket, number> };
      rows.set(id, row);
      row[c.status] += c.count;
      row.ages[c.age] += c.count;
    }
    const sevRank = (s: Severity | null) => (s === null ? -1 : SEVERITIES.indexOf(s));
    return {
      now, by,
      rows: [...rows.values()]
        .sort((a, b) => cmp(a.locality, b.locality) || sevRank(a.severity) - sevRank(b.severity))
        .map((r) => ({ ...r, total: r.open + r.acknowledged })),
    };
  }

  async responseTimes(p: RangeParams & { readonly by?: string }, scope: Scope): Promise<{ readonly range: StatsRange; readonly by: 'locality' | 'severity'; readonly rows: readonly ResponseTimeRow[] }> {
    const range = parseRange(p, this.now());
    const by = parseChoice<'locality' | 'severity'>('by', p.by, ['locality', 'severity'], 'severity');
    const rows = await this.deps.incidents.responseTimes(range, by, scope);
    return { range, by, rows: rows.map((r) => ({ key: r.key, incidents: r.incidents, mtta: seconds(r.ack), mttr: seconds(r.resolve), autoResolved: r.autoResolved })) };
  }

  async sla(p: RangeParams, scope: Scope): Promise<{ readonly range: StatsRange; readonly now: number; readonly rows: readonly SlaRow[] }> {
    const now = this.now();
    const range = parseRange(p, now);
    const rows = await this.deps.incidents.breaches(range, now, scope);
    return { range, now, rows: rows.map((r) => ({ ...r, rate: r.breaches / r.incidents })) };
  }

  async topRules(p: RangeParams & { readonly size?: number | string }, scope: Scope): Promise<{ readonly range: StatsRange; readonly rules: readonly RuleCount[] }> {
    const range = parseRange(p, this.now());
    const size = parseSize('size', p.size, DEFAULT_TOP_RULES, MAX_TOP_RULES);
    return { range, rules: await this.deps.incidents.topRules(range, size, scope) };
  }

  async sources(p: { readonly window?: string }, scope: Scope): Promise<{ readonly range: StatsRange; readonly deadLettersComplete: boolean; readonly sources: readonly SourceHealth[] }> {
    const now = this.now();
    const range = { from: now - (p.window ? parseDuration(p.window, 'window') : DEFAULT_SOURCE_WINDOW_MS), to: now };
    const [sources, events, dead] = await Promise.all([
      this.deps.sources.listSources(scope),
      this.aggregate(range, [], ['canh.source_id'], scope),
      this.deadLettersSince(range.from, scope),
    ]);
    const eventsOf = new Map(events.map((r) => [String(r.group['canh.source_id']), r.values[0] ?? 0]));
    const health = await Promise.all(sources.map(async (s): Promise<SourceHealth> => {
      const st = sourceStatus(await this.deps.events.sourceStats(s.id), now);
      const windowEvents = eventsOf.get(s.id) ?? 0;
      const windowDead = dead.counts.get(s.id) ?? 0;
      return {
        id: s.id, name: s.name, locality: s.locality, kind: s.kind, enabled: s.enabled, status: st.status, lastEventAt: st.lastEventAt,
        eventsTotal: st.events, parseRateTotal: st.parseRate, events: windowEvents, deadLetters: windowDead,
        parseErrorRate: ratio(windowDead, windowEvents + windowDead),
      };
    }));
    return { range, deadLettersComplete: dead.complete, sources: health.sort((a, b) => cmp(a.locality, b.locality) || cmp(a.id, b.id)) };
  }

  async otp(p: RangeParams & { readonly by?: string }, scope: Scope): Promise<{ readonly range: StatsRange; readonly by: OtpBy; readonly rows: readonly OtpRow[] }> {
    const range = parseRange(p, this.now());
    const by = parseChoice<OtpBy>('by', p.by, ['locality', 'service', 'locality,service'], 'locality,service');
    const groups = await this.aggregate(range, ['otp.auth'], ['organization.id', 'service.name', 'event.action', 'event.outcome'], scope);
    const rows = new Map<string, { locality: string | null; service: string | null; successes: number; failures: number }>();
    for (const g of groups) {
      const outcome = g.group['event.outcome'];
      if (!OTP_ATTEMPT_ACTIONS.includes(String(g.group['event.action'])) || (outcome !== 'success' && outcome !== 'failure')) continue;
      const locality = by === 'service' ? null : text(g.group['organization.id']);
      const service = by === 'locality' ? null : text(g.group['service.name']);
      const id = JSON.stringify([locality, service]);
      const row = rows.get(id) ?? { locality, service, successes: 0, failures: 0 };
      rows.set(id, row);
      row[outcome === 'success' ? 'successes' : 'failures'] += g.values[0] ?? 0;
    }
    return {
      range, by,
      rows: [...rows.values()].sort((a, b) => cmp(a.locality, b.locality) || cmp(a.service, b.service)).map((r) => {
        const attempts = r.successes + r.failures;
        return { ...r, attempts, successRate: ratio(r.successes, attempts) };
      }),
    };
  }

  async availability(p: RangeParams, scope: Scope): Promise<{ readonly range: StatsRange; readonly rows: readonly AvailabilityRow[] }> {
    const range = parseRange(p, this.now());
    const groups = await this.aggregate(range, ['uptime.probe'], ['organization.id', 'monitor.id', 'service.name', 'monitor.status'], scope);
    const rows = new Map<string, { locality: string; monitor: string; service: string | null; probes: number; up: number; down: number }>();
    for (const g of groups) {
      const locality = text(g.group['organization.id']) ?? '';
      const monitor = text(g.group['monitor.id']) ?? '';
      const service = text(g.group['service.name']);
      const id = JSON.stringify([locality, monitor, service]);
      const row = rows.get(id) ?? { locality, monitor, service, probes: 0, up: 0, down: 0 };
      rows.set(id, row);
      const n = g.values[0] ?? 0;
      row.probes += n;
      if (g.group['monitor.status'] === 'up') row.up += n;
      if (g.group['monitor.status'] === 'down') row.down += n;
    }
    return {
      range,
      rows: [...rows.values()]
        .sort((a, b) => cmp(a.locality, b.locality) || cmp(a.monitor, b.monitor) || cmp(a.service, b.service))
        .map((r) => ({ ...r, availability: ratio(r.up, r.up + r.down) })),
    };
  }

  private now(): number {
    return this.deps.clock.now();
  }

  private aggregate(range: StatsRange, datasets: readonly string[], groupBy: readonly string[], scope: Scope): Promise<readonly AggregateRow[]> {
    return this.deps.events.aggregate({
      filter: parseFilter(''), ...range, ...(datasets.length ? { datasets } : {}), groupBy, metrics: [{ op: 'count' }], limit: MAX_GROUP_LIMIT,
    }, scope);
  }

  /** Dead letters received since `from` per source, newest first, reading at most MAX_DEAD_LETTER_SCAN. */
  private async deadLettersSince(from: number, scope: Scope): Promise<{ counts: Map<string, number>; complete: boolean }> {
    const counts = new Map<string, number>();
    let cursor: string | undefined;
    for (let read = 0; read < MAX_DEAD_LETTER_SCAN;) {
      const page = await this.deps.events.listDeadLetters({ size: MAX_PAGE_SIZE, ...(cursor ? { cursor } : {}) }, scope);
      for (const d of page.deadLetters) {
        if (d.receivedAt < from) return { counts, complete: true };
        counts.set(d.sourceId, (counts.get(d.sourceId) ?? 0) + 1);
      }
      read += page.deadLetters.length;
      if (!page.nextCursor) return { counts, complete: true };
      cursor = page.nextCursor;
    }
    return { counts, complete: false };
  }
}

function text(v: string | number | null | undefined): string | null {
  return v === null || v === undefined ? null : String(v);
}
