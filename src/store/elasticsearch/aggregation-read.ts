import type { estypes } from '@elastic/elasticsearch';
import { errors } from '../../errors';
import { MAX_GROUP_LIMIT } from '../cursor';
import type { AggregateQuery, AggregateRow } from '../event-store';
import { FIELDS, fieldDef } from '../fields';
import type { Scope } from '../scope';
import { COMPOSITE_PAGE_SIZE, aggregateRequest } from './aggregation-dsl';
import { totalHits } from './search-dsl';

/**
 * Reading aggregation responses back into the port's rows, exactly as the DuckDB store answers:
 * group values typed as its columns (numbers for numeric columns, ISO text for dates, text for the
 * rest, null for a missing value), one value per metric (null when no event had one), groups whose
 * first metric reaches minFirstMetric, ordered by first metric descending (nulls last) then group
 * values ascending (byte-wise text, nulls last), at most `limit`. Composite pages come in key order,
 * so every page is read before ordering (AggregatePaging).
 */
type Container = Record<string, unknown>;

function malformed(what: string): Error {
  return errors.storeUnavailable(new Error(`Elasticsearch answered an aggregation without ${what}`));
}

/** A composite key value as the DuckDB store returns the group value. */
export function groupValue(field: string, key: estypes.FieldValue | undefined): string | number | null {
  if (key === null || key === undefined) return null;
  const type = fieldDef(field).type;
  if (type === 'date') return new Date(Number(key)).toISOString();
  if (FIELDS[field]?.column !== undefined && (type === 'long' || type === 'double')) return Number(key);
  return String(key);
}

function metricValue(container: Container, q: AggregateQuery, i: number, docCount: number): number | null {
  const m = q.metrics[i];
  if (m.op === 'count') return docCount;
  const agg = container[`m${i}`] as Container | undefined;
  if (!agg) throw malformed(`metric m${i}`);
  if (m.op === 'p95') {
    const values = (agg as unknown as estypes.AggregationsPercentilesAggregateBase).values;
    const first = Array.isArray(values) ? values[0]?.value : Object.values(values)[0];
    return first === null || first === undefined ? null : Number(first);
  }
  if (m.op === 'sum' && (container[`m${i}_n`] as estypes.AggregationsValueCountAggregate | undefined)?.value === 0) return null;
  const value = (agg as unknown as estypes.AggregationsSingleMetricAggregateBase).value;
  return value === null || value === undefined ? null : Number(value);
}

function sampleIds(container: Container): string[] {
  const top = container.samples as estypes.AggregationsTopHitsAggregate | undefined;
  if (!top) throw malformed('its samples');
  return top.hits.hits.map((hit) => String((hit.fields?.['event.id'] as unknown[] | undefined)?.[0] ?? ''));
}

/** One row from a container of the query's metric aggregations (a bucket, or the response's top level). */
export function readRow(q: AggregateQuery, group: AggregateRow['group'], container: Container, docCount: number): AggregateRow {
  const values = q.metrics.map((_, i) => metricValue(container, q, i, docCount));
  return q.samples === undefined ? { group, values } : { group, values, sampleIds: sampleIds(container) };
}

/** The group of a composite bucket, keyed by field name. */
export function bucketGroup(groupBy: readonly string[], key: estypes.AggregationsCompositeAggregateKey): AggregateRow['group'] {
  return Object.fromEntries(groupBy.map((f, i) => [f, groupValue(f, key[`g${i}`])]));
}

/** The `groups` composite of a response; kind `unavailable` when it is missing. */
export function compositeOf(aggregations: Record<string, estypes.AggregationsAggregate> | undefined): estypes.AggregationsCompositeAggregate {
  const groups = aggregations?.groups as estypes.AggregationsCompositeAggregate | undefined;
  if (!groups) throw malformed('its groups');
  return groups;
}

/** The buckets of a composite page, in key order. */
export function compositeBuckets(groups: estypes.AggregationsCompositeAggregate): estypes.AggregationsCompositeBucket[] {
  return Array.isArray(groups.buckets) ? groups.buckets : Object.values(groups.buckets);
}

/** The after key of the next page, or null when this page was the last. */
export function nextAfter(groups: estypes.AggregationsCompositeAggregate): estypes.AggregationsCompositeAggregateKey | null {
  return compositeBuckets(groups).length < COMPOSITE_PAGE_SIZE || !groups.after_key ? null : groups.after_key;
}

function compareValues(a: string | number | null | undefined, b: string | number | null | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
}

/** The query's answer from all its rows: minFirstMetric, then first metric desc, groups asc, limit. */
export function finishAggregate(q: AggregateQuery, rows: readonly AggregateRow[]): AggregateRow[] {
  const min = q.minFirstMetric;
  const kept = min === undefined ? [...rows] : rows.filter((r) => r.values[0] !== null && r.values[0] >= min);
  kept.sort((a, b) => {
    const [ma, mb] = [a.values[0], b.values[0]];
    if (ma !== mb) return ma === null ? 1 : mb === null ? -1 : mb - ma;
    for (const f of q.groupBy) {
      const c = compareValues(a.group[f], b.group[f]);
      if (c !== 0) return c;
    }
    return 0;
  });
  return kept.slice(0, q.limit ?? MAX_GROUP_LIMIT);
}

/** Rows of one aggregateRequest response page (not yet filtered or ordered) and the next page's key. */
export function readAggregatePage(
  q: AggregateQuery, response: estypes.SearchResponse,
): { rows: AggregateRow[]; after: estypes.AggregationsCompositeAggregateKey | null } {
  if (q.groupBy.length === 0) {
    return { rows: [readRow(q, {}, (response.aggregations ?? {}) as Container, totalHits(response))], after: null };
  }
  const groups = compositeOf(response.aggregations);
  const rows = compositeBuckets(groups).map((b) => readRow(q, bucketGroup(q.groupBy, b.key), b as Container, b.doc_count));
  return { rows, after: nextAfter(groups) };
}

/**
 * Drives one aggregate through its composite pages: `next()` gives the request to send (null when
 * done), `add()` takes its response, `result()` the port's answer.
 *
 *     const paging = new AggregatePaging(query, scope);
 *     for (let req = paging.next(); req; req = paging.next()) paging.add(await client.search(req));
 *     return paging.result();
 */
export class AggregatePaging {
  private readonly rows: AggregateRow[] = [];
  private after: estypes.AggregationsCompositeAggregateKey | null | undefined = undefined;

  constructor(private readonly query: AggregateQuery, private readonly scope: Scope) {}

  next(): estypes.SearchRequest | null {
    if (this.after === null) return null;
    return aggregateRequest(this.query, this.scope, this.after);
  }

  add(response: estypes.SearchResponse): void {
    const page = readAggregatePage(this.query, response);
    this.rows.push(...page.rows);
    this.after = page.after;
  }

  result(): AggregateRow[] {
    return finishAggregate(this.query, this.rows);
  }
}
