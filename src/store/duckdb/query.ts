import { timestampValue, type DuckDBValue } from '@duckdb/node-api';
import { catalogResolver, compileSql, type ColumnResolver } from '../../query/compile-sql';
import { checkTimeRange, type CursorKey } from '../cursor';
import type { EventQuery } from '../event-store';
import type { Scope } from '../scope';
import { REST_COLUMN } from './schema';

/**
 * SQL building blocks of the read side. Every value is a `?` parameter; identifiers come from the
 * field catalog or from jsonFieldExpr (which rejects unsafe field names), never from input text.
 */
export interface Sql {
  readonly sql: string;
  readonly params: DuckDBValue[];
}

/** Typed column from the field catalog, else the field read out of the JSON `rest` column. */
export const resolveColumn: ColumnResolver = catalogResolver(REST_COLUMN);

/** A TIMESTAMP parameter for epoch ms. */
export function tsParam(ms: number): DuckDBValue {
  return timestampValue(BigInt(Math.floor(ms)) * 1000n);
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * "In the subtree of one of these codes": organization.id = code OR canh.province = code. Localities
 * form a three-level tree, so this covers a commune (itself), a province (it and its communes).
 */
export function subtreeCondition(codes: readonly string[], localityColumn: string, provinceColumn: string): Sql {
  if (codes.length === 0) return { sql: 'FALSE', params: [] };
  const list = placeholders(codes.length);
  return { sql: `(${localityColumn} IN (${list}) OR ${provinceColumn} IN (${list}))`, params: [...codes, ...codes] };
}

/** The scope's condition, or null when it is everything. */
export function scopeCondition(scope: Scope, localityColumn: string, provinceColumn: string): Sql | null {
  return scope.kind === 'all' ? null : subtreeCondition(scope.codes, localityColumn, provinceColumn);
}

/** AND of the parts (TRUE when empty). */
export function and(parts: readonly (Sql | null)[]): Sql {
  const present = parts.filter((p): p is Sql => p !== null);
  if (present.length === 0) return { sql: 'TRUE', params: [] };
  return { sql: present.map((p) => `(${p.sql})`).join(' AND '), params: present.flatMap((p) => p.params) };
}

/** Newest-first keyset condition: rows strictly after the cursor's (ts, id). */
export function afterKey(key: CursorKey | undefined, tsColumn: string, idColumn: string): Sql | null {
  if (!key) return null;
  const t = tsParam(key.at);
  return { sql: `${tsColumn} < ? OR (${tsColumn} = ? AND ${idColumn} < ?)`, params: [t, t, key.id] };
}

/**
 * WHERE clause of an event query: time range [from, to), datasets, localities (subtrees), the
 * caller's scope and the filter. An empty datasets/localities list restricts nothing.
 */
export function eventWhere(query: EventQuery, scope: Scope, after?: CursorKey): Sql {
  checkTimeRange(query);
  const filter = compileSql(query.filter, resolveColumn);
  const datasets = query.datasets && query.datasets.length > 0 ? query.datasets : null;
  const localities = query.localities && query.localities.length > 0 ? query.localities : null;
  return and([
    { sql: 'ts >= ? AND ts < ?', params: [tsParam(query.from), tsParam(query.to)] },
    datasets ? { sql: `dataset IN (${placeholders(datasets.length)})`, params: [...datasets] } : null,
    localities ? subtreeCondition(localities, 'org_id', 'province') : null,
    scopeCondition(scope, 'org_id', 'province'),
    { sql: filter.sql, params: filter.params as DuckDBValue[] },
    afterKey(after, 'ts', 'id'),
  ]);
}
