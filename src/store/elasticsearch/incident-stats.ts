import type { Client, estypes } from '@elastic/elasticsearch';
import { severityRank, type Incident, type TimelineAction, type TimelineEntry } from '../../incidents/incident';
import {
  AGE_BUCKETS, AUTO_ESCALATION_ACTOR, ageBucket, summarize,
  type BacklogCount, type BreachCount, type CreatedCount, type IncidentDimension, type IncidentStats, type ResponseTimes, type RuleCount, type StatsRange,
} from '../incident-stats';
import type { Scope } from '../scope';
import { StateIndices, allOf, call, fromJson, scopeFilter, type Query, type StateStoreOptions } from './state-index';

/**
 * IncidentStats on Elasticsearch, over ElasticsearchIncidentStore's indices (incidents, timeline).
 *
 * Every statistic is computed in the process from plain searches, not from aggregations:
 * - the incidents of the question (scope and firstSeen range, or "not resolved" for the backlog)
 *   are read with search_after pages of PAGE documents, `_source` limited to the fields used;
 * - MTTA/MTTR and breaches also read the timeline entries of those incidents with the few actions
 *   they use (terms on their ids, ID_CHUNK ids a search), plus the entries still `pending` on each
 *   incident document (a change committed but not yet copied to the timeline index, incident-store.ts).
 * Why: the contract demands exactly DuckDB's figures. `percentiles` is a TDigest estimate (not
 * quantile_cont), MTTA needs a per-incident join of timeline entries that no aggregation over one
 * index gives, and "title of the newest incident, ties by greatest id" is a top_hits per rule
 * anyway. Reading the incidents created in a range costs one request per PAGE incidents (incidents
 * are far fewer than events); the scope is applied in every incidents query, and timeline
 * entries are read only for incidents that query returned.
 */

/** Documents a search page returns (under index.max_result_window). */
const PAGE = 5000;
/** Incident ids in one terms query of the timeline (under index.max_terms_count, 65,536). */
const ID_CHUNK = 1000;

type StatsFields = Pick<Incident, 'id' | 'locality' | 'province' | 'category' | 'severity' | 'status' | 'firstSeen' | 'ackDue' | 'ruleId' | 'title'>;
/** The fields of an incident document the statistics read; `pending` is incident-store.ts's JSON text. */
type IncidentDoc = StatsFields & { readonly pending?: string };
const INCIDENT_FIELDS = ['id', 'locality', 'province', 'category', 'severity', 'status', 'firstSeen', 'ackDue', 'ruleId', 'title', 'pending'];

type EntryDoc = Pick<TimelineEntry, 'incidentId' | 'seq' | 'at' | 'actor' | 'action'>;
const ENTRY_FIELDS = ['incidentId', 'seq', 'at', 'actor', 'action'];

/** The timeline moments the statistics need (as MemoryIncidentStats and the DuckDB SQL read them). */
interface Moments {
  readonly createdAt: number;
  readonly ackAt: number | null;
  readonly resolvedAt: number | null;
  readonly autoResolved: boolean;
  readonly autoEscalated: boolean;
}

/** Which timeline entries a statistic reads: the query on the timeline index, and the same test for pending entries. */
interface EntryFilter {
  readonly query: Query;
  readonly keep: (e: EntryDoc) => boolean;
}

const RESPONSE_ACTIONS: readonly TimelineAction[] = ['created', 'acknowledged', 'resolved', 'auto_resolved'];
const RESPONSE_ENTRIES: EntryFilter = { query: { terms: { action: [...RESPONSE_ACTIONS] } }, keep: (e) => RESPONSE_ACTIONS.includes(e.action) };
const AUTO_ESCALATIONS: EntryFilter = {
  query: allOf([{ term: { action: 'escalated' } }, { term: { actor: AUTO_ESCALATION_ACTOR } }]),
  keep: (e) => e.action === 'escalated' && e.actor === AUTO_ESCALATION_ACTOR,
};
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class ElasticsearchIncidentStats implements IncidentStats {
  private readonly indices: StateIndices;

  /**
   * @param options the options of the incident store whose indices are read, or its StateIndices
   *   (ElasticsearchIncidentStore.stats() passes its own).
   */
  constructor(private readonly client: Client, options: StateStoreOptions | StateIndices = {}) {
    this.indices = options instanceof StateIndices ? options : new StateIndices(client, options);
  }

  async createdCounts(q: StatsRange & { intervalMs: number; by: IncidentDimension }, scope: Scope): Promise<readonly CreatedCount[]> {
    const cells = new Map<string, CreatedCount>();
    for (const i of await this.incidents(rangeQuery(q, scope))) {
      const start = Math.floor(i.firstSeen / q.intervalMs) * q.intervalMs;
      const key = i[q.by];
      const id = JSON.stringify([start, key]);
      cells.set(id, { start, key, count: (cells.get(id)?.count ?? 0) + 1 });
    }
    return [...cells.values()].sort((a, b) => a.start - b.start || cmp(a.key, b.key));
  }

  async backlog(now: number, scope: Scope): Promise<readonly BacklogCount[]> {
    const active: Query = { bool: { must_not: [{ term: { status: 'resolved' } }] } };
    const cells = new Map<string, BacklogCount>();
    for (const i of await this.incidents(allOf([active, scopeFilter(scope, 'locality', 'province')]))) {
      if (i.status === 'resolved') continue;
      const age = ageBucket(i.firstSeen, now);
      const id = JSON.stringify([i.locality, i.severity, i.status, age]);
      cells.set(id, { locality: i.locality, severity: i.severity, status: i.status, age, count: (cells.get(id)?.count ?? 0) + 1 });
    }
    return [...cells.values()].sort((a, b) => cmp(a.locality, b.locality) || severityRank(a.severity) - severityRank(b.severity) ||
      cmp(a.status, b.status) || AGE_BUCKETS.indexOf(a.age) - AGE_BUCKETS.indexOf(b.age));
  }

  async responseTimes(range: StatsRange, by: 'locality' | 'severity', scope: Scope): Promise<readonly ResponseTimes[]> {
    const incidents = await this.incidents(rangeQuery(range, scope));
    const timelines = await this.timelines(incidents, RESPONSE_ENTRIES);
    const groups = new Map<string, { incidents: number; ack: number[]; resolve: number[]; auto: number }>();
    for (const i of incidents) {
      const g = groups.get(i[by]) ?? { incidents: 0, ack: [], resolve: [], auto: 0 };
      groups.set(i[by], g);
      const m = moments(i, timelines.get(i.id) ?? []);
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
    const incidents = await this.incidents(rangeQuery(range, scope));
    const timelines = await this.timelines(incidents, AUTO_ESCALATIONS);
    const cells = new Map<string, { locality: string; severity: BreachCount['severity']; incidents: number; breaches: number }>();
    for (const i of incidents) {
      const id = JSON.stringify([i.locality, i.severity]);
      const c = cells.get(id) ?? { locality: i.locality, severity: i.severity, incidents: 0, breaches: 0 };
      cells.set(id, c);
      c.incidents++;
      const overdue = i.status === 'open' && i.ackDue !== null && i.ackDue < now;
      if (overdue || moments(i, timelines.get(i.id) ?? []).autoEscalated) c.breaches++;
    }
    return [...cells.values()].sort((a, b) => cmp(a.locality, b.locality) || severityRank(a.severity) - severityRank(b.severity));
  }

  async topRules(range: StatsRange, size: number, scope: Scope): Promise<readonly RuleCount[]> {
    const rules = new Map<string, { newest: StatsFields; severity: StatsFields['severity']; count: number }>();
    for (const i of await this.incidents(rangeQuery(range, scope))) {
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

  /** The incidents matching `query` (which carries the scope), with their pending timeline entries. */
  private async incidents(query: Query): Promise<(StatsFields & { pending: readonly TimelineEntry[] })[]> {
    const docs = await this.scan<IncidentDoc>('reading incidents for statistics', this.indices.name('incidents'), query, [{ id: 'asc' }], INCIDENT_FIELDS);
    return docs.map((d) => ({
      id: d.id, locality: d.locality, province: d.province ?? null, category: d.category, severity: d.severity, status: d.status,
      firstSeen: d.firstSeen, ackDue: d.ackDue ?? null, ruleId: d.ruleId, title: d.title,
      pending: fromJson<{ entries?: TimelineEntry[] } | null>(d.pending)?.entries ?? [],
    }));
  }

  /** The timeline entries of these incidents that `filter` keeps, by incident id, in seq order (pending ones included). */
  private async timelines(
    incidents: readonly { id: string; pending: readonly TimelineEntry[] }[], filter: EntryFilter,
  ): Promise<Map<string, EntryDoc[]>> {
    const bySeq = new Map<string, Map<number, EntryDoc>>();
    const add = (e: EntryDoc) => {
      const m = bySeq.get(e.incidentId) ?? new Map<number, EntryDoc>();
      bySeq.set(e.incidentId, m.set(e.seq, e));
    };
    const index = this.indices.name('timeline');
    for (let k = 0; k < incidents.length; k += ID_CHUNK) {
      const ids = incidents.slice(k, k + ID_CHUNK).map((i) => i.id);
      const query = allOf([{ terms: { incidentId: ids } }, filter.query]);
      const docs = await this.scan<EntryDoc>('reading incident timelines for statistics', index, query, [{ incidentId: 'asc' }, { seq: 'asc' }], ENTRY_FIELDS);
      docs.forEach(add);
    }
    // The pending entries are those of the incident's last change (also in the index once copied: same seq).
    for (const i of incidents) for (const e of i.pending) if (filter.keep(e)) add(e);
    return new Map([...bySeq].map(([id, m]) => [id, [...m.values()].sort((a, b) => a.seq - b.seq)]));
  }

  /** Every document matching `query`, in `sort` order (unique), with search_after pages. */
  private scan<T>(what: string, index: string, query: Query, sort: estypes.SortCombinations[], fields: string[]): Promise<T[]> {
    return call(what, async () => {
      const out: T[] = [];
      let after: estypes.SortResults | undefined;
      for (;;) {
        const res = await this.client.search<T>({ index, query, sort, size: PAGE, search_after: after, track_total_hits: false, _source: fields });
        const hits = res.hits.hits;
        for (const h of hits) if (h._source !== undefined) out.push(h._source);
        if (hits.length < PAGE) return out;
        after = hits[hits.length - 1].sort;
      }
    });
  }
}

/** firstSeen in [from, to) and the scope. */
function rangeQuery(range: StatsRange, scope: Scope): Query {
  return allOf([{ range: { firstSeen: { gte: range.from, lt: range.to } } }, scopeFilter(scope, 'locality', 'province')]);
}

/** The first created, acknowledged and resolved moments by time (ties: lowest seq), as the SQL's min(entry_at) and arg_min read them. */
function moments(i: StatsFields, entries: readonly EntryDoc[]): Moments {
  let createdAt: number | null = null;
  let ackAt: number | null = null;
  let resolved: EntryDoc | null = null;
  let autoEscalated = false;
  for (const e of entries) {
    if (e.action === 'created' && (createdAt === null || e.at < createdAt)) createdAt = e.at;
    if (e.action === 'acknowledged' && (ackAt === null || e.at < ackAt)) ackAt = e.at;
    if ((e.action === 'resolved' || e.action === 'auto_resolved') && (resolved === null || e.at < resolved.at)) resolved = e;
    if (e.action === 'escalated' && e.actor === AUTO_ESCALATION_ACTOR) autoEscalated = true;
  }
  return {
    createdAt: createdAt ?? i.firstSeen, ackAt, resolvedAt: resolved?.at ?? null, autoResolved: resolved?.action === 'auto_resolved', autoEscalated,
  };
}
