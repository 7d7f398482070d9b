import type { DuckDBValue } from '@duckdb/node-api';
import { MATCH_ALL } from '../../query/ast';
import { compileSql } from '../../query/compile-sql';
import { MAX_GROUP_LIMIT } from '../cursor';
import type { AggregateQuery, AggregateRow, Metric } from '../event-store';
import type { Scope } from '../scope';
import { groupExpr, numericExpr, rowToAggregate, sampleList } from './aggregate';
import { eventWhere, resolveColumn, type Sql } from './query';

/**
 * aggregateMany() on DuckDB: queries that share a time range, datasets, localities and group-by
 * ("a shape") are answered by ONE statement that scans the events once, groups them once and keeps,
 * per query j, its metrics over the rows that match its filter (`agg(...) FILTER (WHERE f_j)`), plus
 * c_j = how many rows of the group match f_j. A group belongs to query j's answer when c_j > 0 and
 * its first metric reaches the query's minimum, exactly as the HAVING of the single-query statement;
 * the order and limit of each answer are applied here, as the single statement's ORDER BY would.
 */

/**
 * Most queries folded into one statement. Measured on 2M events (bench/rules.ts data): 16 threshold
 * aggregates in one pass took 80% of the time of 16 statements; 64 in one pass, 97% of 64 statements.
 */
export const MAX_QUERIES_PER_PASS = 16;

/** The key of queries that can share a pass, or null for a query that is run on its own. */
export function shapeKey(q: AggregateQuery): string | null {
  // Without group-by an aggregate answers one row even over no events: not worth folding.
  if (q.groupBy.length === 0) return null;
  return JSON.stringify([q.from, q.to, [...(q.datasets ?? [])].sort(), [...(q.localities ?? [])].sort(), q.groupBy]);
}

/** A finite number as an SQL literal (checkAggregate already refused anything else). */
function literal(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toExponential(17);
}

/** A metric's SQL over the projected input column `x` (see aggregateManySql), for the rows where `b` holds. */
function metricOver(m: Metric, x: string, b: string): string {
  switch (m.op) {
    case 'count':
      return `CAST(count_if(${b}) AS DOUBLE)`;
    case 'cardinality':
      return `CAST(count(DISTINCT ${x}) FILTER (WHERE ${b}) AS DOUBLE)`;
    case 'p95':
      return `CAST(quantile_cont(${x}, 0.95) FILTER (WHERE ${b}) AS DOUBLE)`;
    default:
      return `CAST(${m.op}(${x}) FILTER (WHERE ${b}) AS DOUBLE)`;
  }
}

/**
 * One statement for queries of the same shape. An inner SELECT reads the window once and projects
 * the group values, ts, id, each metric's input and one boolean per query's filter (b_j: each filter
 * is evaluated once per event); the outer SELECT groups the events matching any of them and
 * computes, per query j, c_j = count_if(b_j), its metrics over the rows where b_j holds, and s_j
 * (the samples) when it asks for them, NULL unless the group is in its answer.
 * Columns: g0..gK, then per query j: c_j, m_j_0.., s_j.
 */
export function aggregateManySql(queries: readonly AggregateQuery[], scope: Scope): Sql {
  const q0 = queries[0];
  const base = eventWhere({ from: q0.from, to: q0.to, datasets: q0.datasets, localities: q0.localities, filter: MATCH_ALL }, scope);
  const filters = queries.map((q) => compileSql(q.filter, resolveColumn));
  const inputs = new Map<string, string>();
  const inputOf = (m: Exclude<Metric, { op: 'count' }>): string => {
    const expr = m.op === 'cardinality' ? groupExpr(m.field) : numericExpr(m.field);
    if (!inputs.has(expr)) inputs.set(expr, `x${inputs.size}`);
    return inputs.get(expr) as string;
  };
  const groups = q0.groupBy.map((_, i) => `g${i}`);
  const outer: string[] = [...groups];
  const fires: string[] = [];
  queries.forEach((q, j) => {
    const b = `b${j}`;
    outer.push(`count_if(${b}) AS c${j}`);
    q.metrics.forEach((m, i) => outer.push(`${metricOver(m, m.op === 'count' ? '' : inputOf(m), b)} AS m${j}_${i}`));
    const fire = q.minFirstMetric === undefined ? `c${j} > 0` : `(c${j} > 0 AND m${j}_0 >= ${literal(q.minFirstMetric)})`;
    fires.push(fire);
    if (q.samples !== undefined) outer.push(`CASE WHEN ${fire} THEN max_by(id, (ts, id), ${Math.floor(q.samples)}) FILTER (WHERE ${b}) END AS s${j}`);
  });
  const inner = [
    ...q0.groupBy.map((f, i) => `${groupExpr(f)} AS g${i}`),
    'ts', 'id',
    ...[...inputs].map(([expr, name]) => `${expr} AS ${name}`),
    ...filters.map((f, j) => `COALESCE((${f.sql}), FALSE) AS b${j}`),
  ];
  const any = queries.map((_, j) => `b${j}`).join(' OR ');
  const sql = `SELECT ${outer.join(', ')} FROM (SELECT ${inner.join(', ')} FROM events WHERE ${base.sql}) WHERE ${any}`
    + ` GROUP BY ${groups.join(', ')} HAVING ${fires.join(' OR ')}`;
  return { sql, params: [...filters.flatMap((f) => f.params as DuckDBValue[]), ...base.params] };
}

/** Splits the rows of aggregateManySql into one answer per query, ordered and limited as aggregate() does. */
export function splitManyRows(queries: readonly AggregateQuery[], rows: readonly (readonly unknown[])[]): AggregateRow[][] {
  const k = queries[0].groupBy.length;
  const offsets: number[] = [];
  let at = k;
  for (const q of queries) {
    offsets.push(at);
    at += 1 + q.metrics.length + (q.samples === undefined ? 0 : 1);
  }
  return queries.map((q, j) => {
    const o = offsets[j];
    const mine: { row: readonly unknown[]; values: (number | null)[] }[] = [];
    for (const row of rows) {
      if (Number(row[o]) === 0) continue;
      const values = q.metrics.map((_, i) => (row[o + 1 + i] === null ? null : Number(row[o + 1 + i])));
      if (q.minFirstMetric !== undefined && (values[0] === null || values[0] < q.minFirstMetric)) continue;
      mine.push({ row, values });
    }
    mine.sort((a, b) => byFirstMetricThenGroup(a.values[0], b.values[0], a.row, b.row, k));
    return mine.slice(0, q.limit ?? MAX_GROUP_LIMIT).map(({ row, values }) => {
      const base = rowToAggregate({ ...q, samples: undefined }, [...row.slice(0, k), ...values]);
      return q.samples === undefined ? base : { ...base, sampleIds: sampleList(row[o + 1 + q.metrics.length]) };
    });
  });
}

/** ORDER BY m0 DESC NULLS LAST, g0 ASC NULLS LAST, ... with DuckDB's byte-wise text order. */
function byFirstMetricThenGroup(ma: number | null, mb: number | null, ra: readonly unknown[], rb: readonly unknown[], k: number): number {
  if (ma !== mb) {
    if (ma === null) return 1;
    if (mb === null) return -1;
    return mb - ma;
  }
  for (let i = 0; i < k; i++) {
    const c = compareValues(ra[i], rb[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a), Buffer.from(b));
  const na = typeof a === 'bigint' ? Number(a) : (a as number);
  const nb = typeof b === 'bigint' ? Number(b) : (b as number);
  return na < nb ? -1 : na > nb ? 1 : 0;
}
