import type { DuckDBValue } from '@duckdb/node-api';
import { NUMBER_RE } from '../../query/predicate';
import { MAX_GROUP_LIMIT } from '../cursor';
import type { AggregateQuery, AggregateRow, Metric } from '../event-store';
import type { Scope } from '../scope';
import { eventWhere, resolveColumn, type Sql } from './query';
import { COLUMN_BY_FIELD } from './schema';

/**
 * SQL of aggregate(): group values and metrics per group. Group values: typed columns as stored
 * (timestamps as epoch ms, turned into ISO text by rowToAggregate), JSON fields as their text. Metric
 * inputs: numeric columns as numbers; text (keyword columns, JSON fields) only when it is a decimal
 * number (the filter language's NUMBER_RE), so "12" counts and "n/a" does not.
 */


export function groupExpr(field: string): string {
  const col = COLUMN_BY_FIELD.get(field);
  if (col?.kind === 'timestamp') return `epoch_ms(${col.column})`;
  return col ? col.column : resolveColumn(field).expr;
}

export function numericExpr(field: string): string {
  const col = COLUMN_BY_FIELD.get(field);
  if (col?.kind === 'timestamp') return `CAST(epoch_ms(${col.column}) AS DOUBLE)`;
  if (col?.kind === 'bigint' || col?.kind === 'integer') return `CAST(${col.column} AS DOUBLE)`;
  const text = `(${col ? col.column : resolveColumn(field).expr})`;
  return `(CASE WHEN regexp_full_match(${text}, '${NUMBER_RE.replace(/'/g, "''")}') THEN TRY_CAST(${text} AS DOUBLE) END)`;
}

/** A metric's SQL; with `filter`, over the rows of the group that match it (FILTER clause). */
export function metricExpr(m: Metric, filter?: string): string {
  const only = filter === undefined ? '' : ` FILTER (WHERE ${filter})`;
  switch (m.op) {
    case 'count':
      return `CAST(count(*)${only} AS DOUBLE)`;
    case 'cardinality':
      return `CAST(count(DISTINCT ${groupExpr(m.field)})${only} AS DOUBLE)`;
    case 'p95':
      return `CAST(quantile_cont(${numericExpr(m.field)}, 0.95)${only} AS DOUBLE)`;
    default:
      return `CAST(${m.op}(${numericExpr(m.field)})${only} AS DOUBLE)`;
  }
}

/** Sample ids of a group: the newest `n` by (ts, id), newest first; with `filter`, of its matching rows. */
export function samplesExpr(n: number, filter?: string): string {
  return `max_by(id, (ts, id), ${Math.floor(n)})${filter === undefined ? '' : ` FILTER (WHERE ${filter})`}`;
}

/** The aggregate statement: columns g0..gN (group values), m0..mM (metrics), then the samples if asked. */
export function aggregateSql(q: AggregateQuery, scope: Scope): Sql {
  const where = eventWhere(q, scope);
  const groups = q.groupBy.map((f, i) => `${groupExpr(f)} AS g${i}`);
  const metrics = q.metrics.map((m, i) => `${metricExpr(m)} AS m${i}`);
  const samples = q.samples === undefined ? [] : [`${samplesExpr(q.samples)} AS s`];
  const params: DuckDBValue[] = [...where.params];
  let sql = `SELECT ${[...groups, ...metrics, ...samples].join(', ')} FROM events WHERE ${where.sql}`;
  if (groups.length > 0) sql += ` GROUP BY ${q.groupBy.map((_, i) => `g${i}`).join(', ')}`;
  if (q.minFirstMetric !== undefined) {
    sql += ' HAVING m0 >= ?';
    params.push(q.minFirstMetric);
  }
  const order = ['m0 DESC NULLS LAST', ...q.groupBy.map((_, i) => `g${i} ASC NULLS LAST`)];
  sql += ` ORDER BY ${order.join(', ')} LIMIT ?`;
  params.push(q.limit ?? MAX_GROUP_LIMIT);
  return { sql, params };
}

/** One result row (g0.., m0..) as an AggregateRow. */
export function rowToAggregate(q: AggregateQuery, row: readonly unknown[]): AggregateRow {
  const group: Record<string, string | number | null> = {};
  q.groupBy.forEach((field, i) => {
    const v = row[i];
    const col = COLUMN_BY_FIELD.get(field);
    if (v === null || v === undefined) group[field] = null;
    else if (col?.kind === 'timestamp') group[field] = new Date(Number(v)).toISOString();
    else group[field] = typeof v === 'bigint' ? Number(v) : (v as string | number);
  });
  const values = q.metrics.map((_, i) => {
    const v = row[q.groupBy.length + i];
    return v === null || v === undefined ? null : Number(v);
  });
  if (q.samples === undefined) return { group, values };
  return { group, values, sampleIds: sampleList(row[q.groupBy.length + q.metrics.length]) };
}

/** A LIST of ids as read from DuckDB (a DuckDBListValue, or null for no rows). */
export function sampleList(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  const items = (v as { items?: readonly unknown[] }).items ?? (v as readonly unknown[]);
  return items.map(String);
}

/** Histogram statement: bucket index (from `first`) and count, for non-empty buckets. */
export function histogramSql(where: Sql, first: number, intervalMs: number): Sql {
  return {
    // Rows are >= from >= first, so the difference is never negative and // is a floor.
    sql: `SELECT (epoch_ms(ts) - CAST(? AS BIGINT)) // CAST(? AS BIGINT) AS b, count(*) AS n FROM events WHERE ${where.sql} GROUP BY b`,
    params: [first, intervalMs, ...where.params],
  };
}
