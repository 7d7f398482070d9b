import type { estypes } from '@elastic/elasticsearch';
import { MATCH_ALL } from '../../query/ast';
import { parseFilter } from '../../query/parse';
import type { AggregateQuery } from '../event-store';
import { ALL_SCOPE, localityScope } from '../scope';
import { COMPOSITE_PAGE_SIZE, aggregateRequest, groupField, histogramRequest, readHistogram } from './aggregation-dsl';
import { AggregatePaging, finishAggregate, readAggregatePage } from './aggregation-read';

const FROM = Date.UTC(2026, 0, 1, 12);
const TO = FROM + 300_000;
const TIME = { range: { '@timestamp': { gte: FROM, lt: TO, format: 'epoch_millis' } } };
const INDEX = { index: ['canh-events-web.access-*'], ignore_unavailable: true, allow_no_indices: true };
const base: AggregateQuery = { from: FROM, to: TO, filter: MATCH_ALL, datasets: ['web.access'], groupBy: ['organization.id'], metrics: [{ op: 'count' }] };
const datasetFilter = { terms: { 'event.dataset': ['web.access'] } };
const SAMPLES_AGG = {
  top_hits: { size: 10, sort: [{ '@timestamp': { order: 'desc' } }, { 'event.id': { order: 'desc' } }], _source: false, docvalue_fields: ['event.id'] },
};
const source = (field: string, i = 0) => ({ [`g${i}`]: { terms: { field, missing_bucket: true, missing_order: 'last', order: 'asc' } } });

/** A search response as Elasticsearch writes it (took, timed_out, _shards, hits, aggregations). */
function response(aggregations: Record<string, unknown>, total?: number): estypes.SearchResponse {
  return {
    took: 3, timed_out: false, _shards: { total: 2, successful: 2, skipped: 0, failed: 0 },
    hits: { ...(total === undefined ? {} : { total: { value: total, relation: 'eq' } }), max_score: null, hits: [] },
    aggregations: aggregations as Record<string, estypes.AggregationsAggregate>,
  } as estypes.SearchResponse;
}
const sampleHits = (ids: string[]) => ({
  hits: { total: { value: ids.length, relation: 'eq' }, max_score: null, hits: ids.map((id) => ({ _index: 'canh-events-web.access-2026.01.01', _id: id, _score: null, fields: { 'event.id': [id] }, sort: [FROM, id] })) },
});

describe('aggregateRequest', () => {
  it('threshold shape: a composite over the group with samples; count is the doc_count', () => {
    const q: AggregateQuery = { ...base, filter: parseFilter('http.response.status_code:401'), minFirstMetric: 20, limit: 10_000, samples: 10 };
    expect(aggregateRequest(q, ALL_SCOPE)).toEqual({
      ...INDEX, size: 0, track_total_hits: false,
      query: { bool: { filter: [TIME, datasetFilter, { term: { 'http.response.status_code': 401 } }] } },
      aggs: { groups: { composite: { size: COMPOSITE_PAGE_SIZE, sources: [source('organization.id')] }, aggs: { samples: SAMPLES_AGG } } },
    });
  });

  it('the next page carries the after key', () => {
    const after = { g0: '00004' };
    const req = aggregateRequest(base, ALL_SCOPE, after);
    expect(req.aggs?.groups.composite).toEqual({ size: COMPOSITE_PAGE_SIZE, sources: [source('organization.id')], after });
    expect(req.aggs?.groups.aggs).toBeUndefined();
  });

  it('every metric: cardinality (on the text DuckDB counts), avg/min/max, sum with its value count, p95', () => {
    const q: AggregateQuery = {
      ...base, groupBy: ['organization.id', 'source.ip'],
      metrics: [
        { op: 'cardinality', field: 'user.name' }, { op: 'cardinality', field: 'source.ip' }, { op: 'avg', field: 'event.duration' },
        { op: 'min', field: 'http.response.body.bytes' }, { op: 'max', field: '@timestamp' }, { op: 'sum', field: 'otp.attempt' },
        { op: 'p95', field: 'otp.delivery_ms' },
      ],
    };
    const req = aggregateRequest(q, ALL_SCOPE);
    expect(req.aggs?.groups).toEqual({
      composite: { size: COMPOSITE_PAGE_SIZE, sources: [source('organization.id'), source('source.ip.keyword', 1)] },
      aggs: {
        m0: { cardinality: { field: 'user.name', precision_threshold: 40_000 } },
        m1: { cardinality: { field: 'source.ip.keyword', precision_threshold: 40_000 } },
        m2: { avg: { field: 'event.duration' } },
        m3: { min: { field: 'http.response.body.bytes' } },
        m4: { max: { field: '@timestamp' } },
        m5: { sum: { field: 'otp.attempt' } },
        m5_n: { value_count: { field: 'otp.attempt' } },
        m6: { percentiles: { field: 'otp.delivery_ms', percents: [95], keyed: false, tdigest: { execution_hint: 'high_accuracy' } } },
      },
    });
    expect(req.runtime_mappings).toBeUndefined();
  });

  it('a numeric metric over a keyword field reads it through a runtime double (decimal numbers only, as DuckDB)', () => {
    const req = aggregateRequest({ ...base, metrics: [{ op: 'avg', field: 'labels.cost' }] }, ALL_SCOPE);
    expect(req.aggs?.groups.aggs).toEqual({ m0: { avg: { field: 'canh_num.labels.cost' } } });
    const runtime = req.runtime_mappings?.['canh_num.labels.cost'];
    expect(runtime?.type).toBe('double');
    expect(runtime?.script).toEqual({ source: expect.stringContaining('emit(Double.parseDouble(s))'), params: { field: 'labels.cost' } });
    expect((runtime?.script as { source: string }).source).toContain("doc[params.field].size() == 1");
  });

  it('groups read the stored text of ip and non-column numbers, the field itself otherwise', () => {
    expect(['organization.id', 'source.ip', 'otp.attempt', 'http.response.status_code', '@timestamp', 'labels.x'].map(groupField)).toEqual([
      'organization.id', 'source.ip.keyword', 'otp.attempt.keyword', 'http.response.status_code', '@timestamp', 'labels.x',
    ]);
  });

  it('without group-by: metrics at the top and the exact hit total as the count', () => {
    const q: AggregateQuery = { ...base, groupBy: [], metrics: [{ op: 'count' }, { op: 'max', field: 'event.duration' }], samples: 3 };
    expect(aggregateRequest(q, localityScope(['79']))).toEqual({
      ...INDEX, size: 0, track_total_hits: true,
      query: { bool: { filter: [TIME, datasetFilter, { bool: { should: [{ terms: { 'organization.id': ['79'] } }, { terms: { 'canh.province': ['79'] } }], minimum_should_match: 1 } }] } },
      aggs: { m1: { max: { field: 'event.duration' } }, samples: { ...SAMPLES_AGG, top_hits: { ...SAMPLES_AGG.top_hits, size: 3 } } },
    });
  });

  it('refuses an invalid question before building anything', () => {
    expect(() => aggregateRequest({ ...base, metrics: [] }, ALL_SCOPE)).toThrow(/At least one metric/);
    expect(() => aggregateRequest({ ...base, groupBy: ["x'; DROP"] }, ALL_SCOPE)).toThrow(/not a valid field name/);
    expect(() => aggregateRequest({ ...base, limit: 0 }, ALL_SCOPE)).toThrow(/limit must be/);
  });
});

describe('reading aggregate responses', () => {
  const q: AggregateQuery = { ...base, groupBy: ['organization.id', 'http.response.status_code'], metrics: [{ op: 'count' }, { op: 'sum', field: 'http.response.body.bytes' }, { op: 'p95', field: 'event.duration' }], samples: 10 };
  const bucket = (org: string | null, status: number | null, count: number, sum: number, n: number, p95: number | null, ids: string[]) => ({
    key: { g0: org, g1: status }, doc_count: count,
    m1: { value: sum }, m1_n: { value: n }, m2: { values: [{ key: 95, value: p95 }] }, samples: sampleHits(ids),
  });

  it('typed group values, null metrics where no value, samples newest first; then ordered by first metric, groups ascending', () => {
    const page = response({
      groups: {
        after_key: { g0: null, g1: null },
        buckets: [
          bucket('00001', 200, 3, 900, 3, 120.5, ['e3', 'e2', 'e1']),
          bucket('00001', 404, 5, 0, 0, null, ['e9', 'e8']),
          bucket('00002', 200, 5, 10, 1, 7, ['e7']),
          bucket(null, null, 1, 5, 1, 5, ['e0']),
        ],
      },
    });
    const { rows, after } = readAggregatePage(q, page);
    expect(after).toBeNull();
    expect(finishAggregate(q, rows)).toEqual([
      { group: { 'organization.id': '00001', 'http.response.status_code': 404 }, values: [5, null, null], sampleIds: ['e9', 'e8'] },
      { group: { 'organization.id': '00002', 'http.response.status_code': 200 }, values: [5, 10, 7], sampleIds: ['e7'] },
      { group: { 'organization.id': '00001', 'http.response.status_code': 200 }, values: [3, 900, 120.5], sampleIds: ['e3', 'e2', 'e1'] },
      { group: { 'organization.id': null, 'http.response.status_code': null }, values: [1, 5, 5], sampleIds: ['e0'] },
    ]);
  });

  it('minFirstMetric and limit apply after every page is read', () => {
    const rows = [1, 7, 3, 9].map((n, i) => ({ group: { 'organization.id': `0000${i}` }, values: [n] }));
    expect(finishAggregate({ ...base, minFirstMetric: 3, limit: 2 }, rows).map((r) => r.values[0])).toEqual([9, 7]);
  });

  it('group text orders byte-wise (as DuckDB), dates come back as ISO text, non-column numbers as text', () => {
    const q2: AggregateQuery = { ...base, groupBy: ['user.name', '@timestamp', 'otp.attempt'] };
    const page = response({
      groups: { buckets: [
        { key: { g0: 'Zed', g1: FROM, g2: '3' }, doc_count: 2 },
        { key: { g0: 'alice', g1: FROM, g2: '3' }, doc_count: 2 },
        { key: { g0: 'Élise', g1: FROM, g2: '3' }, doc_count: 2 },
      ] },
    });
    expect(finishAggregate(q2, readAggregatePage(q2, page).rows).map((r) => r.group)).toEqual([
      { 'user.name': 'Zed', '@timestamp': '2026-01-01T12:00:00.000Z', 'otp.attempt': '3' },
      { 'user.name': 'alice', '@timestamp': '2026-01-01T12:00:00.000Z', 'otp.attempt': '3' },
      { 'user.name': 'Élise', '@timestamp': '2026-01-01T12:00:00.000Z', 'otp.attempt': '3' },
    ]);
  });

  it('without group-by: one row with the hit total, even over no events', () => {
    const q3: AggregateQuery = { ...base, groupBy: [], metrics: [{ op: 'count' }, { op: 'avg', field: 'event.duration' }, { op: 'cardinality', field: 'user.name' }] };
    expect(readAggregatePage(q3, response({ m1: { value: null }, m2: { value: 0 } }, 0)).rows).toEqual([{ group: {}, values: [0, null, 0] }]);
    expect(finishAggregate({ ...q3, minFirstMetric: 1 }, readAggregatePage(q3, response({ m1: { value: null }, m2: { value: 0 } }, 0)).rows)).toEqual([]);
  });

  it('a response without the aggregation it asked for is the store being unavailable', () => {
    expect(() => readAggregatePage(base, response({}))).toThrow(expect.objectContaining({ kind: 'unavailable' }));
  });
});

describe('AggregatePaging', () => {
  it('asks page after page until a page is short, then answers from all of them', () => {
    const paging = new AggregatePaging({ ...base, limit: 2 }, ALL_SCOPE);
    const full = Array.from({ length: COMPOSITE_PAGE_SIZE }, (_, i) => ({ key: { g0: `a${String(i).padStart(4, '0')}` }, doc_count: 1 }));
    const first = paging.next();
    expect(first?.aggs?.groups.composite?.after).toBeUndefined();
    paging.add(response({ groups: { after_key: { g0: 'a0999' }, buckets: full } }));
    expect(paging.next()?.aggs?.groups.composite?.after).toEqual({ g0: 'a0999' });
    paging.add(response({ groups: { after_key: { g0: 'b' }, buckets: [{ key: { g0: 'b' }, doc_count: 7 }] } }));
    expect(paging.next()).toBeNull();
    expect(paging.result()).toEqual([{ group: { 'organization.id': 'b' }, values: [7] }, { group: { 'organization.id': 'a0000' }, values: [1] }]);
  });
});

describe('histogram', () => {
  const hq = { from: FROM + 30_000, to: FROM + 200_000, filter: MATCH_ALL, intervalMs: 60_000 };

  it('fixed epoch-aligned buckets with the empty ones through extended_bounds', () => {
    expect(histogramRequest(hq, ALL_SCOPE)).toEqual({
      index: ['canh-events-*'], ignore_unavailable: true, allow_no_indices: true, size: 0, track_total_hits: false,
      query: { bool: { filter: [{ range: { '@timestamp': { gte: FROM + 30_000, lt: FROM + 200_000, format: 'epoch_millis' } } }] } },
      aggs: { histogram: { date_histogram: { field: '@timestamp', fixed_interval: '60000ms', min_doc_count: 0, extended_bounds: { min: FROM, max: FROM + 180_000 } } } },
    });
  });

  it('reads every bucket of the range, zero where Elasticsearch returned none', () => {
    const res = response({ histogram: { buckets: [
      { key_as_string: '2026-01-01T12:00:00.000Z', key: FROM, doc_count: 4 },
      { key_as_string: '2026-01-01T12:02:00.000Z', key: FROM + 120_000, doc_count: 9 },
    ] } });
    expect(readHistogram(hq, res)).toEqual([
      { start: FROM, count: 4 }, { start: FROM + 60_000, count: 0 }, { start: FROM + 120_000, count: 9 }, { start: FROM + 180_000, count: 0 },
    ]);
  });

  it('refuses a bad interval', () => {
    expect(() => histogramRequest({ ...hq, intervalMs: 0 }, ALL_SCOPE)).toThrow(/positive whole number/);
  });
});
