import type { estypes } from '@elastic/elasticsearch';
import { errors } from '../../errors';
import { MATCH_ALL } from '../../query/ast';
import { checkAggregate } from '../cursor';
import type { AggregateQuery, AggregateRow } from '../event-store';
import type { Scope } from '../scope';
import { aggregateBody, compositeAgg, metricAggs, type SearchBody } from './aggregation-dsl';
import { bucketGroup, compositeBuckets, compositeOf, finishAggregate, nextAfter, readAggregatePage, readRow } from './aggregation-read';
import { eventIndexOptions } from './search-dsl';
import { compileQuery, eventQuery } from './query-dsl';

/**
 * aggregateMany() on Elasticsearch, the twin of DuckDB's aggregate-many.ts: queries that share a
 * time range, datasets, localities and group-by ("a shape") are one search whose query is the shape
 * AND (any of their filters), with ONE composite over the groups and, per query j, a `filter`
 * sub-aggregation `q<j>` holding its filter and its metrics: its doc_count is how many events of the
 * group match query j. A group belongs to query j's answer when that count is > 0; then each answer is
 * filtered, ordered and limited as aggregate() does. Every pass (a shape, or a query without
 * group-by) is one item of an msearch body; composite paging continues the passes not yet done.
 */

/** Most queries folded into one search (as the DuckDB store; each adds a filter per bucket). */
export const MAX_QUERIES_PER_SEARCH = 16;

/** The key of queries that can share a search, or null for a query searched on its own. */
export function shapeKey(q: AggregateQuery): string | null {
  if (q.groupBy.length === 0) return null;
  return JSON.stringify([q.from, q.to, [...(q.datasets ?? [])].sort(), [...(q.localities ?? [])].sort(), q.groupBy]);
}

/** Indices of `queries` grouped into passes: same shape, at most MAX_QUERIES_PER_SEARCH each, in first-seen order. */
export function planPasses(queries: readonly AggregateQuery[]): number[][] {
  const passes: number[][] = [];
  const open = new Map<string, number[]>();
  queries.forEach((q, i) => {
    const key = shapeKey(q);
    const pass = key === null ? undefined : open.get(key);
    if (pass && pass.length < MAX_QUERIES_PER_SEARCH) {
      pass.push(i);
      return;
    }
    const fresh = [i];
    passes.push(fresh);
    if (key !== null) open.set(key, fresh);
  });
  return passes;
}

/** The body of one pass of several same-shape queries (one composite page). */
export function sharedBody(queries: readonly AggregateQuery[], scope: Scope, after?: estypes.AggregationsCompositeAggregateKey): SearchBody {
  const q0 = queries[0];
  const runtime: estypes.MappingRuntimeFields = {};
  const shape = { from: q0.from, to: q0.to, datasets: q0.datasets, localities: q0.localities, filter: MATCH_ALL };
  const filters = queries.map((q) => compileQuery(q.filter));
  const anyFilter: estypes.QueryDslQueryContainer = { bool: { should: filters, minimum_should_match: 1 } };
  const perQuery = Object.fromEntries(queries.map((q, j): [string, estypes.AggregationsAggregationContainer] => {
    const inner = metricAggs(q, runtime);
    return [`q${j}`, Object.keys(inner).length === 0 ? { filter: filters[j] } : { filter: filters[j], aggs: inner }];
  }));
  const body: SearchBody = {
    size: 0,
    track_total_hits: false,
    query: eventQuery(shape, scope, [anyFilter]),
    aggs: { groups: { composite: compositeAgg(q0.groupBy, after), aggs: perQuery } },
  };
  if (Object.keys(runtime).length > 0) body.runtime_mappings = runtime;
  return body;
}


/** Rows of each query of a shared pass from one response page, and the next page's key. */
export function readSharedPage(
  queries: readonly AggregateQuery[], response: estypes.SearchResponse,
): { rows: AggregateRow[][]; after: estypes.AggregationsCompositeAggregateKey | null } {
  const groups = compositeOf(response.aggregations);
  const rows: AggregateRow[][] = queries.map(() => []);
  for (const bucket of compositeBuckets(groups)) {
    const group = bucketGroup(queries[0].groupBy, bucket.key);
    queries.forEach((q, j) => {
      const sub = bucket[`q${j}`] as (estypes.AggregationsFilterAggregate & Record<string, unknown>) | undefined;
      if (!sub) throw errors.storeUnavailable(new Error(`Elasticsearch answered a bucket without q${j}`));
      if (sub.doc_count > 0) rows[j].push(readRow(q, group, sub, sub.doc_count));
    });
  }
  return { rows, after: nextAfter(groups) };
}

interface Pass {
  readonly members: number[];
  after: estypes.AggregationsCompositeAggregateKey | null | undefined;
}

/**
 * Drives aggregateMany through msearch rounds: `next()` gives the msearch request of every pass not
 * yet done (null when all are), `add()` its response (items in the same order), `result()` one answer
 * per query, in the order of the queries. Throws kind `invalid` (before any request) for an invalid
 * query, kind `unavailable` for an item Elasticsearch answered with an error.
 *
 *     const paging = new ManyAggregatePaging(queries, scope);
 *     for (let req = paging.next(); req; req = paging.next()) paging.add(await client.msearch(req));
 *     return paging.result();
 */
export class ManyAggregatePaging {
  private readonly passes: Pass[];
  private readonly rows: AggregateRow[][];
  private sent: Pass[] = [];

  constructor(private readonly queries: readonly AggregateQuery[], private readonly scope: Scope) {
    queries.forEach(checkAggregate);
    this.passes = planPasses(queries).map((members) => ({ members, after: undefined }));
    this.rows = queries.map(() => []);
  }

  next(): estypes.MsearchRequest | null {
    this.sent = this.passes.filter((p) => p.after !== null);
    if (this.sent.length === 0) return null;
    const searches: estypes.MsearchRequestItem[] = [];
    for (const pass of this.sent) {
      const members = pass.members.map((i) => this.queries[i]);
      const after = pass.after ?? undefined;
      searches.push(eventIndexOptions(members[0].datasets), members.length === 1 ? aggregateBody(members[0], this.scope, after) : sharedBody(members, this.scope, after));
    }
    return { searches };
  }

  add(response: estypes.MsearchResponse): void {
    if (response.responses.length !== this.sent.length) {
      throw errors.storeUnavailable(new Error(`msearch answered ${response.responses.length} items for ${this.sent.length} searches`));
    }
    response.responses.forEach((item, k) => {
      if ('error' in item) throw errors.storeUnavailable(new Error(`msearch item failed: ${item.error.type}: ${item.error.reason ?? ''}`));
      const pass = this.sent[k];
      const members = pass.members.map((i) => this.queries[i]);
      if (members.length === 1) {
        const page = readAggregatePage(members[0], item as estypes.SearchResponse);
        this.rows[pass.members[0]].push(...page.rows);
        pass.after = page.after;
        return;
      }
      const page = readSharedPage(members, item as estypes.SearchResponse);
      page.rows.forEach((rows, j) => this.rows[pass.members[j]].push(...rows));
      pass.after = page.after;
    });
  }

  result(): AggregateRow[][] {
    return this.queries.map((q, i) => finishAggregate(q, this.rows[i]));
  }
}
