import type { estypes } from '@elastic/elasticsearch';
import { MATCH_ALL } from '../../query/ast';
import { parseFilter } from '../../query/parse';
import type { AggregateQuery } from '../event-store';
import { ALL_SCOPE } from '../scope';
import { COMPOSITE_PAGE_SIZE } from './aggregation-dsl';
import { MAX_QUERIES_PER_SEARCH, ManyAggregatePaging, planPasses } from './aggregate-many-dsl';

const FROM = Date.UTC(2026, 0, 1, 12);
const TO = FROM + 300_000;
const q = (filter: string, extra: Partial<AggregateQuery> = {}): AggregateQuery => ({
  from: FROM, to: TO, datasets: ['web.access'], filter: filter === '' ? MATCH_ALL : parseFilter(filter),
  groupBy: ['organization.id'], metrics: [{ op: 'count' }], limit: 10_000, ...extra,
});
const HEADER = { index: ['canh-events-web.access-*'], ignore_unavailable: true, allow_no_indices: true };
const TIME = { range: { '@timestamp': { gte: FROM, lt: TO, format: 'epoch_millis' } } };
const DATASET = { terms: { 'event.dataset': ['web.access'] } };

function searchResponse(aggregations: Record<string, unknown>, total?: number): estypes.MsearchMultiSearchItem {
  return {
    took: 5, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, status: 200,
    hits: { ...(total === undefined ? {} : { total: { value: total, relation: 'eq' } }), max_score: null, hits: [] },
    aggregations: aggregations as Record<string, estypes.AggregationsAggregate>,
  } as estypes.MsearchMultiSearchItem;
}
const msearch = (...items: estypes.MsearchResponseItem[]): estypes.MsearchResponse => ({ took: 6, responses: items });

describe('planPasses', () => {
  it('folds queries of one shape (range, datasets, localities, group-by) and keeps the rest apart', () => {
    const queries = [q('a:1'), q('b:1', { groupBy: ['user.name'] }), q('c:1'), q('d:1', { groupBy: [] }), q('e:1', { datasets: ['otp.auth'] }), q('f:1', { localities: [] })];
    expect(planPasses(queries)).toEqual([[0, 2, 5], [1], [3], [4]]);
  });

  it(`at most ${MAX_QUERIES_PER_SEARCH} queries a search`, () => {
    const passes = planPasses(Array.from({ length: MAX_QUERIES_PER_SEARCH + 1 }, (_, i) => q(`a:${i}`)));
    expect(passes.map((p) => p.length)).toEqual([MAX_QUERIES_PER_SEARCH, 1]);
  });
});

describe('ManyAggregatePaging', () => {
  it('one msearch item per pass: a shared composite with one filter sub-aggregation per query', () => {
    const queries = [q('http.response.status_code:401', { minFirstMetric: 2, samples: 2 }), q('', { metrics: [{ op: 'cardinality', field: 'user.name' }] }), q('x:1', { groupBy: [] })];
    const request = new ManyAggregatePaging(queries, ALL_SCOPE).next();
    const top = { top_hits: { size: 2, sort: [{ '@timestamp': { order: 'desc' } }, { 'event.id': { order: 'desc' } }], _source: false, docvalue_fields: ['event.id'] } };
    expect(request).toEqual({
      searches: [
        HEADER,
        {
          size: 0, track_total_hits: false,
          query: { bool: { filter: [TIME, DATASET, { bool: { should: [{ term: { 'http.response.status_code': 401 } }, { match_all: {} }], minimum_should_match: 1 } }] } },
          aggs: {
            groups: {
              composite: { size: COMPOSITE_PAGE_SIZE, sources: [{ g0: { terms: { field: 'organization.id', missing_bucket: true, missing_order: 'last', order: 'asc' } } }] },
              aggs: {
                q0: { filter: { term: { 'http.response.status_code': 401 } }, aggs: { samples: top } },
                q1: { filter: { match_all: {} }, aggs: { m0: { cardinality: { field: 'user.name', precision_threshold: 40_000 } } } },
              },
            },
          },
        },
        HEADER,
        { size: 0, track_total_hits: true, query: { bool: { filter: [TIME, DATASET, { term: { x: '1' } }] } } },
      ],
    });
  });

  it('splits the shared buckets per query (a group is in an answer when it has events of that query), each answer ordered and limited', () => {
    const queries = [q('http.response.status_code:401', { minFirstMetric: 2 }), q('', { metrics: [{ op: 'cardinality', field: 'user.name' }], limit: 1 }), q('x:1', { groupBy: [] })];
    const paging = new ManyAggregatePaging(queries, ALL_SCOPE);
    paging.next();
    paging.add(msearch(
      searchResponse({ groups: { after_key: { g0: '00003' }, buckets: [
        { key: { g0: '00001' }, doc_count: 9, q0: { doc_count: 3 }, q1: { doc_count: 9, m0: { value: 2 } } },
        { key: { g0: '00002' }, doc_count: 4, q0: { doc_count: 1 }, q1: { doc_count: 4, m0: { value: 4 } } },
        { key: { g0: '00003' }, doc_count: 5, q0: { doc_count: 5 }, q1: { doc_count: 0, m0: { value: 0 } } },
      ] } }),
      searchResponse({}, 12),
    ));
    expect(paging.next()).toBeNull();
    expect(paging.result()).toEqual([
      [{ group: { 'organization.id': '00003' }, values: [5] }, { group: { 'organization.id': '00001' }, values: [3] }],
      [{ group: { 'organization.id': '00002' }, values: [4] }],
      [{ group: {}, values: [12] }],
    ]);
  });

  it('pages only the passes not done: a full page asks again after its key', () => {
    const queries = [q('a:1'), q('b:1'), q('', { groupBy: ['user.name'] })];
    const paging = new ManyAggregatePaging(queries, ALL_SCOPE);
    expect(paging.next()?.searches).toHaveLength(4);
    const full = Array.from({ length: COMPOSITE_PAGE_SIZE }, (_, i) => ({ key: { g0: `o${i}` }, doc_count: 1, q0: { doc_count: 1 }, q1: { doc_count: 0 } }));
    paging.add(msearch(
      searchResponse({ groups: { after_key: { g0: 'o999' }, buckets: full } }),
      searchResponse({ groups: { buckets: [{ key: { g0: null }, doc_count: 2 }] } }),
    ));
    const second = paging.next();
    expect(second?.searches).toHaveLength(2);
    expect((second?.searches?.[1] as estypes.MsearchMultisearchBody).aggs?.groups.composite?.after).toEqual({ g0: 'o999' });
    paging.add(msearch(searchResponse({ groups: { buckets: [{ key: { g0: 'p' }, doc_count: 1, q0: { doc_count: 0 }, q1: { doc_count: 1 } }] } })));
    expect(paging.next()).toBeNull();
    const [a, b, c] = paging.result();
    expect([a.length, b, c]).toEqual([COMPOSITE_PAGE_SIZE, [{ group: { 'organization.id': 'p' }, values: [1] }], [{ group: { 'user.name': null }, values: [2] }]]);
  });

  it('an item answered with an error fails the whole call as unavailable; an invalid query fails before any request', () => {
    const paging = new ManyAggregatePaging([q('a:1', { groupBy: [] })], ALL_SCOPE);
    paging.next();
    const failed = { error: { type: 'search_phase_execution_exception', reason: 'all shards failed' }, status: 400 } as estypes.ErrorResponseBase;
    expect(() => paging.add(msearch(failed))).toThrow(expect.objectContaining({ kind: 'unavailable' }));
    expect(() => new ManyAggregatePaging([q('a:1', { metrics: [] })], ALL_SCOPE)).toThrow(/At least one metric/);
  });
});
