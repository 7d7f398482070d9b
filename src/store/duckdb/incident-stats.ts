import type { DuckDBValue } from '@duckdb/node-api';
import { SEVERITIES, type Severity } from '../../rules/rule';
import {
  AGE_BOUNDS, AGE_BUCKETS, AUTO_ESCALATION_ACTOR,
  type BacklogCount, type BreachCount, type CreatedCount, type DurationSummary, type IncidentDimension, type IncidentStats,
  type ResponseTimes, type RuleCount, type StatsRange,
} from '../incident-stats';
import type { Scope } from '../scope';
import { and, scopeCondition, type Sql } from './query';
import type { Row, SmallDuckDb } from './small-db';

/** Dimension → column of the incidents table (a fixed map: never a caller's text in the SQL). */
const COLUMNS: Record<IncidentDimension, string> = { locality: 'locality', category: 'category', severity: 'severity' };

/**
 * IncidentStats in SQL over DuckDbIncidentStore's tables (incidents, incident_timeline), on the
 * store's own SmallDuckDb: each query runs through its serial() chain, so it never joins a write's
 * transaction. Every query scans the incidents table once (zone maps on first_seen help a range);
 * those that need the timeline read only the entries of the selected incidents with the few actions
 * they use. Percentiles are quantile_cont, the definition quantileCont() mirrors in memory.
 */
export class DuckDbIncidentStats implements IncidentStats {
  constructor(private readonly db: SmallDuckDb) {}

  async createdCounts(q: StatsRange & { intervalMs: number; by: IncidentDimension }, scope: Scope): Promise<readonly CreatedCount[]> {
    const where = rangeWhere(q, scope);
    const interval = BigInt(q.intervalMs);
    const rows = await this.query(
      `SELECT (first_seen // ?) * ? AS start, ${COLUMNS[q.by]} AS key, count(*) AS n FROM incidents WHERE ${where.sql}
       GROUP BY ALL ORDER BY start, key`,
      [interval, interval, ...where.params],
    );
    return rows.map((r) => ({ start: Number(r.start), key: String(r.key), count: Number(r.n) }));
  }

  async backlog(now: number, scope: Scope): Promise<readonly BacklogCount[]> {
    const where = and([{ sql: "status <> 'resolved'", params: [] }, scopeCondition(scope, 'locality', 'province')]);
    const age = `CASE ${AGE_BOUNDS.map((_, i) => `WHEN ? - first_seen < ? THEN ${i}`).join(' ')} ELSE ${AGE_BOUNDS.length} END`;
    const ageParams = AGE_BOUNDS.flatMap((bound) => [BigInt(now), BigInt(bound)]);
    const rows = await this.query(
      `SELECT locality, severity, severity_rank, status, ${age} AS age, count(*) AS n FROM incidents WHERE ${where.sql}
       GROUP BY ALL ORDER BY locality, severity_rank, status, age`,
      [...ageParams, ...where.params],
    );
    return rows.map((r) => ({
      locality: String(r.locality), severity: r.severity as Severity, status: r.status as BacklogCount['status'],
      age: AGE_BUCKETS[Number(r.age)], count: Number(r.n),
    }));
  }

  async responseTimes(range: StatsRange, by: 'locality' | 'severity', scope: Scope): Promise<readonly ResponseTimes[]> {
    const where = rangeWhere(range, scope);
    const summary = (col: string) =>
      `count(${col}) AS ${col}_n, avg(${col}) AS ${col}_mean, quantile_cont(${col}, 0.5) AS ${col}_p50, quantile_cont(${col}, 0.9) AS ${col}_p90`;
    const rows = await this.query(
      `WITH sel AS (SELECT id, ${COLUMNS[by]} AS key, first_seen FROM incidents WHERE ${where.sql}),
       m AS (
         SELECT incident_id,
           min(entry_at) FILTER (WHERE action = 'created') AS created_at,
           min(entry_at) FILTER (WHERE action = 'acknowledged') AS ack_at,
           min(entry_at) FILTER (WHERE action IN ('resolved', 'auto_resolved')) AS res_at,
           arg_min(action, (entry_at, seq)) FILTER (WHERE action IN ('resolved', 'auto_resolved')) AS res_action
         FROM incident_timeline
         WHERE action IN ('created', 'acknowledged', 'resolved', 'auto_resolved') AND incident_id IN (SELECT id FROM sel)
         GROUP BY incident_id),
       d AS (
         SELECT sel.key, m.ack_at - coalesce(m.created_at, sel.first_seen) AS ack, m.res_at - coalesce(m.created_at, sel.first_seen) AS res, m.res_action
         FROM sel LEFT JOIN m ON m.incident_id = sel.id)
       SELECT key, count(*) AS incidents, ${summary('ack')}, ${summary('res')},
         count(*) FILTER (WHERE res_action = 'auto_resolved') AS auto
       FROM d GROUP BY key ORDER BY key`,
      where.params,
    );
    return rows.map((r) => ({
      key: String(r.key), incidents: Number(r.incidents), ack: toSummary(r, 'ack'), resolve: toSummary(r, 'res'), autoResolved: Number(r.auto),
    }));
  }

  async breaches(range: StatsRange, now: number, scope: Scope): Promise<readonly BreachCount[]> {
    const where = rangeWhere(range, scope);
    const rows = await this.query(
      `WITH sel AS (SELECT id, locality, severity, severity_rank, status, ack_due FROM incidents WHERE ${where.sql}),
       esc AS (
         SELECT DISTINCT incident_id FROM incident_timeline
         WHERE action = 'escalated' AND actor = ? AND incident_id IN (SELECT id FROM sel))
       SELECT locality, severity, severity_rank, count(*) AS n,
         count(*) FILTER (WHERE (status = 'open' AND ack_due < ?) OR esc.incident_id IS NOT NULL) AS breaches
       FROM sel LEFT JOIN esc ON esc.incident_id = sel.id
       GROUP BY locality, severity, severity_rank ORDER BY locality, severity_rank`,
      [...where.params, AUTO_ESCALATION_ACTOR, BigInt(now)],
    );
    return rows.map((r) => ({ locality: String(r.locality), severity: r.severity as Severity, incidents: Number(r.n), breaches: Number(r.breaches) }));
  }

  async topRules(range: StatsRange, size: number, scope: Scope): Promise<readonly RuleCount[]> {
    const where = rangeWhere(range, scope);
    const rows = await this.query(
      `SELECT rule_id, arg_max(title, (first_seen, id)) AS title, arg_max(category, (first_seen, id)) AS category,
         max(severity_rank) AS severity_rank, count(*) AS n
       FROM incidents WHERE ${where.sql} GROUP BY rule_id ORDER BY n DESC, rule_id LIMIT ?`,
      [...where.params, BigInt(size)],
    );
    return rows.map((r) => ({
      ruleId: String(r.rule_id), title: String(r.title), category: String(r.category), severity: SEVERITIES[Number(r.severity_rank)], count: Number(r.n),
    }));
  }

  private query(sql: string, params: unknown[]): Promise<Row[]> {
    return this.db.serial(() => this.db.query(sql, params));
  }
}

function rangeWhere(range: StatsRange, scope: Scope): Sql {
  return and([
    { sql: 'first_seen >= ? AND first_seen < ?', params: [BigInt(range.from), BigInt(range.to)] as DuckDBValue[] },
    scopeCondition(scope, 'locality', 'province'),
  ]);
}

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toSummary(r: Row, col: string): DurationSummary {
  return { n: Number(r[`${col}_n`]), meanMs: numOrNull(r[`${col}_mean`]), p50Ms: numOrNull(r[`${col}_p50`]), p90Ms: numOrNull(r[`${col}_p90`]) };
}
