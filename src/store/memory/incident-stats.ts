import { severityRank, type Incident, type TimelineEntry } from '../../incidents/incident';
import type { Severity } from '../../rules/rule';
import {
  AGE_BUCKETS, AUTO_ESCALATION_ACTOR, ageBucket, summarize,
  type BacklogCount, type BreachCount, type CreatedCount, type IncidentDimension, type IncidentStats, type ResponseTimes, type RuleCount, type StatsRange,
} from '../incident-stats';
import { inScope, type Scope } from '../scope';

/** What the statistics read of a MemoryIncidentStore (MemoryIncidentStore.stats() gives it). */
export interface MemoryIncidentData {
  incidents(): Iterable<Incident>;
  /** The incident's timeline, oldest first. */
  timeline(id: string): readonly TimelineEntry[];
}

/** The timeline moments the statistics need. */
interface Moments {
  readonly createdAt: number;
  readonly ackAt: number | null;
  readonly resolvedAt: number | null;
  readonly autoResolved: boolean;
  readonly autoEscalated: boolean;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** IncidentStats over a MemoryIncidentStore's data, computed as DuckDbIncidentStats computes them. */
export class MemoryIncidentStats implements IncidentStats {
  constructor(private readonly data: MemoryIncidentData) {}

  async createdCounts(q: StatsRange & { intervalMs: number; by: IncidentDimension }, scope: Scope): Promise<readonly CreatedCount[]> {
    const cells = new Map<string, CreatedCount>();
    for (const i of this.inRange(q, scope)) {
      const start = Math.floor(i.firstSeen / q.intervalMs) * q.intervalMs;
      const key = i[q.by];
      const id = JSON.stringify([start, key]);
      cells.set(id, { start, key, count: (cells.get(id)?.count ?? 0) + 1 });
    }
    return [...cells.values()].sort((a, b) => a.start - b.start || cmp(a.key, b.key));
  }

  async backlog(now: number, scope: Scope): Promise<readonly BacklogCount[]> {
    const cells = new Map<string, BacklogCount>();
    for (const i of this.scoped(scope)) {
      if (i.status === 'resolved') continue;
      const age = ageBucket(i.firstSeen, now);
      const id = JSON.stringify([i.locality, i.severity, i.status, age]);
      cells.set(id, { locality: i.locality, severity: i.severity, status: i.status, age, count: (cells.get(id)?.count ?? 0) + 1 });
    }
    return [...cells.values()].sort((a, b) => cmp(a.locality, b.locality) || severityRank(a.severity) - severityRank(b.severity) ||
      cmp(a.status, b.status) || AGE_BUCKETS.indexOf(a.age) - AGE_BUCKETS.indexOf(b.age));
  }

  async responseTimes(range: StatsRange, by: 'locality' | 'severity', scope: Scope): Promise<readonly ResponseTimes[]> {
    const groups = new Map<string, { incidents: number; ack: number[]; resolve: number[]; auto: number }>();
    for (const i of this.inRange(range, scope)) {
      const g = groups.get(i[by]) ?? { incidents: 0, ack: [], resolve: [], auto: 0 };
      groups.set(i[by], g);
      const m = this.moments(i);
      g.incidents++;
      if (m.ackAt !== null) g.ack.push(m.ackAt - m.createdAt);
      if (m.resolvedAt !== null) g.resolve.push(m.resolvedAt - m.createdAt);
      if (m.autoResolved) g.auto++;
    }
    return [...groups.entries()].sort(([a], [b]) => cmp(a, b)).map(([key, g]) => ({
      key, incidents: g.incidents, ack: summarize(g.ack), resolve: summarize(g.resolve), autoResolved: g.auto,
    }));
  }

  async breaches(range: StatsRange, now: number, scope: Scope): Promise<readonly BreachCount[]> {
    const cells = new Map<string, { locality: string; severity: Severity; incidents: number; breaches: number }>();
    for (const i of this.inRange(range, scope)) {
      const id = JSON.stringify([i.locality, i.severity]);
      const c = cells.get(id) ?? { locality: i.locality, severity: i.severity, incidents: 0, breaches: 0 };
      cells.set(id, c);
      c.incidents++;
      const overdue = i.status === 'open' && i.ackDue !== null && i.ackDue < now;
      if (overdue || this.moments(i).autoEscalated) c.breaches++;
    }
    return [...cells.values()].sort((a, b) => cmp(a.locality, b.locality) || severityRank(a.severity) - severityRank(b.severity));
  }

  async topRules(range: StatsRange, size: number, scope: Scope): Promise<readonly RuleCount[]> {
    const rules = new Map<string, { newest: Incident; severity: Severity; count: number }>();
    for (const i of this.inRange(range, scope)) {
      const r = rules.get(i.ruleId);
      if (!r) {
        rules.set(i.ruleId, { newest: i, severity: i.severity, count: 1 });
        continue;
      }
      r.count++;
      if (severityRank(i.severity) > severityRank(r.severity)) r.severity = i.severity;
      if (i.firstSeen > r.newest.firstSeen || (i.firstSeen === r.newest.firstSeen && i.id > r.newest.id)) r.newest = i;
    }
    return [...rules.entries()]
      .map(([ruleId, r]) => ({ ruleId, title: r.newest.title, category: r.newest.category, severity: r.severity, count: r.count }))
      .sort((a, b) => b.count - a.count || cmp(a.ruleId, b.ruleId))
      .slice(0, size);
  }

  private *scoped(scope: Scope): Iterable<Incident> {
    for (const i of this.data.incidents()) if (inScope(scope, i.locality, i.province)) yield i;
  }

  private *inRange(range: StatsRange, scope: Scope): Iterable<Incident> {
    for (const i of this.scoped(scope)) if (i.firstSeen >= range.from && i.firstSeen < range.to) yield i;
  }

  private moments(i: Incident): Moments {
    let createdAt: number | null = null;
    let ackAt: number | null = null;
    let resolved: TimelineEntry | null = null;
    let autoEscalated = false;
    // The first of each by time (then seq), as the SQL's min(entry_at) reads them.
    for (const e of this.data.timeline(i.id)) {
      if (e.action === 'created' && (createdAt === null || e.at < createdAt)) createdAt = e.at;
      if (e.action === 'acknowledged' && (ackAt === null || e.at < ackAt)) ackAt = e.at;
      if ((e.action === 'resolved' || e.action === 'auto_resolved') && (resolved === null || e.at < resolved.at)) resolved = e;
      if (e.action === 'escalated' && e.actor === AUTO_ESCALATION_ACTOR) autoEscalated = true;
    }
    return {
      createdAt: createdAt ?? i.firstSeen, ackAt, resolvedAt: resolved?.at ?? null, autoResolved: resolved?.action === 'auto_resolved', autoEscalated,
    };
  }
}
