/**
 * Pins the Elasticsearch request of every question each rule type asks the EventStore: the rule
 * evaluators run against a memory store that records their questions, and each recorded question is
 * turned into its request here. A change in what a rule asks, or in how it is compiled, shows here.
 */
import type { estypes } from '@elastic/elasticsearch';
import { parseFilter } from '../../query/parse';
import { evaluateRule } from '../../rules/evaluate';
import { MINUTE, T0, WINDOW, makeEvent, makeRule, storeWith } from '../../rules/evaluate/test-support';
import type { Rule } from '../../rules/rule';
import type { AggregateQuery, EventQuery, EventStore, SearchQuery } from '../event-store';
import { ALL_SCOPE } from '../scope';
import { COMPOSITE_PAGE_SIZE, aggregateRequest } from './aggregation-dsl';
import { countRequest, searchRequest } from './search-dsl';

interface Asked { aggregates: AggregateQuery[]; searches: SearchQuery[]; counts: EventQuery[] }

async function questionsOf(rule: Rule, events = [makeEvent(T0), makeEvent(WINDOW.from - 10 * MINUTE)]): Promise<Asked> {
  const store = await storeWith(events);
  const asked: Asked = { aggregates: [], searches: [], counts: [] };
  const recording: EventStore = Object.assign(Object.create(store) as EventStore, {
    aggregate: (q: AggregateQuery, s: typeof ALL_SCOPE) => { asked.aggregates.push(q); return store.aggregate(q, s); },
    search: (q: SearchQuery, s: typeof ALL_SCOPE) => { asked.searches.push(q); return store.search(q, s); },
    count: (q: EventQuery, s: typeof ALL_SCOPE) => { asked.counts.push(q); return store.count(q, s); },
  });
  await evaluateRule(rule, WINDOW, recording);
  return asked;
}

const INDEX = { index: ['canh-events-nginx.access-*'], ignore_unavailable: true, allow_no_indices: true };
const SAMPLES = { samples: { top_hits: { size: 10, sort: [{ '@timestamp': { order: 'desc' } }, { 'event.id': { order: 'desc' } }], _source: false, docvalue_fields: ['event.id'] } } };
const src = (field: string, i: number): Record<string, estypes.AggregationsCompositeAggregationSource> => ({ [`g${i}`]: { terms: { field, missing_bucket: true, missing_order: 'last', order: 'asc' } } });

/** The request of a grouped rule aggregate over [from, to) with these filters and inner aggregations. */
function grouped(from: number, to: number, filters: estypes.QueryDslQueryContainer[], groupBy: string[], aggs?: Record<string, unknown>): estypes.SearchRequest {
  const composite: estypes.AggregationsCompositeAggregation = { size: COMPOSITE_PAGE_SIZE, sources: groupBy.map(src) };
  return {
    ...INDEX, size: 0, track_total_hits: false,
    query: { bool: { filter: [{ range: { '@timestamp': { gte: from, lt: to, format: 'epoch_millis' } } }, { terms: { 'event.dataset': ['nginx.access'] } }, ...filters] } },
    aggs: { groups: aggs ? { composite, aggs: aggs as Record<string, estypes.AggregationsAggregationContainer> } : { composite } },
  };
}

const requests = (asked: Asked) => asked.aggregates.map((q) => aggregateRequest(q, ALL_SCOPE));
const ORG = ['organization.id'];
const status401 = { term: { 'http.response.status_code': 401 } };

describe('the Elasticsearch request of every rule type', () => {
  it('match and threshold: one grouped count with samples (groups under the count are dropped when read)', async () => {
    const match = await questionsOf(makeRule({ type: 'match' }, { filterText: 'http.response.status_code:401' }));
    expect(requests(match)).toEqual([grouped(WINDOW.from, WINDOW.to, [status401], ORG, SAMPLES)]);
    expect(match.aggregates[0].minFirstMetric).toBe(1);
    const threshold = await questionsOf(makeRule({ type: 'threshold', count: 20 }, { filterText: 'http.response.status_code:401' }));
    expect(requests(threshold)).toEqual([grouped(WINDOW.from, WINDOW.to, [status401], ORG, SAMPLES)]);
    expect(threshold.aggregates[0]).toMatchObject({ minFirstMetric: 20, limit: 10_000, samples: 10 });
  });

  it('ratio: the totals, then the matching counts with the match filter ANDed', async () => {
    const rule = makeRule({ type: 'ratio', match: parseFilter('http.response.status_code:401'), matchText: 'http.response.status_code:401', ratio: 0.5, minTotal: 1 });
    expect(requests(await questionsOf(rule))).toEqual([
      grouped(WINDOW.from, WINDOW.to, [], ORG),
      grouped(WINDOW.from, WINDOW.to, [status401], ORG, SAMPLES),
    ]);
  });

  it('cardinality: a distinct count per group', async () => {
    const rule = makeRule({ type: 'cardinality', field: 'user.name', count: 5 }, { groupBy: ['organization.id', 'source.ip'] });
    expect(requests(await questionsOf(rule))).toEqual([
      grouped(WINDOW.from, WINDOW.to, [], ['organization.id', 'source.ip.keyword'], {
        m0: { cardinality: { field: 'user.name', precision_threshold: 40_000 } }, ...SAMPLES,
      }),
    ]);
  });

  it('metric: each op over the field', async () => {
    const ops = { avg: { avg: { field: 'event.duration' } }, min: { min: { field: 'event.duration' } }, max: { max: { field: 'event.duration' } } };
    for (const [op, agg] of Object.entries(ops)) {
      const rule = makeRule({ type: 'metric', field: 'event.duration', op: op as 'avg', above: 1000 });
      expect(requests(await questionsOf(rule))).toEqual([grouped(WINDOW.from, WINDOW.to, [], ORG, { m0: agg, ...SAMPLES })]);
    }
    const sum = makeRule({ type: 'metric', field: 'event.duration', op: 'sum', below: 10 });
    expect(requests(await questionsOf(sum))).toEqual([
      grouped(WINDOW.from, WINDOW.to, [], ORG, { m0: { sum: { field: 'event.duration' } }, m0_n: { value_count: { field: 'event.duration' } }, ...SAMPLES }),
    ]);
    const p95 = makeRule({ type: 'metric', field: 'otp.delivery_ms', op: 'p95', above: 5000 }, { filterText: 'event.action:otp-sent' });
    expect(requests(await questionsOf(p95))).toEqual([
      grouped(WINDOW.from, WINDOW.to, [{ term: { 'event.action': 'otp-sent' } }], ORG, {
        m0: { percentiles: { field: 'otp.delivery_ms', percents: [95], keyed: false, tdigest: { execution_hint: 'high_accuracy' } } }, ...SAMPLES,
      }),
    ]);
  });

  it('spike: the reference window count, and the current window count with samples', async () => {
    const rule = makeRule({ type: 'spike', direction: 'up', factor: 3, referenceMs: 60 * MINUTE, minCurrent: 10, minReference: 1 });
    expect(requests(await questionsOf(rule))).toEqual([
      grouped(WINDOW.from - 60 * MINUTE, WINDOW.from, [], ORG),
      grouped(WINDOW.from, WINDOW.to, [], ORG, SAMPLES),
    ]);
  });

  it('absence: the lookback (groups seen) and the window, both with samples', async () => {
    const rule = makeRule({ type: 'absence', fewerThan: 1, lookbackMs: 60 * MINUTE }, { groupBy: ['organization.id', 'monitor.id'], filterText: 'monitor.status:up' });
    const up = { term: { 'monitor.status': 'up' } };
    expect(requests(await questionsOf(rule))).toEqual([
      grouped(WINDOW.from - 60 * MINUTE, WINDOW.from, [up], ['organization.id', 'monitor.id'], SAMPLES),
      grouped(WINDOW.from, WINDOW.to, [up], ['organization.id', 'monitor.id'], SAMPLES),
    ]);
  });

  it('new_value: the window tuples, then the lookback asked only about them (an OR of their terms)', async () => {
    const rule = makeRule({ type: 'new_value', fields: ['user.name'], lookbackDays: 7 });
    const asked = await questionsOf(rule, [makeEvent(T0, { 'user.name': 'mallory' })]);
    const lookbackFrom = WINDOW.from - 7 * 86_400_000;
    expect(requests(asked)).toEqual([
      grouped(WINDOW.from, WINDOW.to, [], ['organization.id', 'user.name'], SAMPLES),
      grouped(lookbackFrom, WINDOW.from, [{ bool: { filter: [{ term: { 'organization.id': '00004' } }, { term: { 'user.name': 'mallory' } }] } }], ['organization.id', 'user.name']),
    ]);
  });

  it('sequence: newest-first searches over [from - span, to) of the events matching any step', async () => {
    const rule = makeRule({
      type: 'sequence', spanMs: 10 * MINUTE,
      steps: [
        { filter: parseFilter('event.action:otp-verify-failed'), filterText: 'event.action:otp-verify-failed', count: 3 },
        { filter: parseFilter('event.action:otp-verified'), filterText: 'event.action:otp-verified', count: 1 },
      ],
    });
    const asked = await questionsOf(rule);
    expect(asked.aggregates).toEqual([]);
    expect(asked.searches.map((q) => searchRequest(q, ALL_SCOPE))).toEqual([{
      ...INDEX, size: 1001, track_total_hits: true, sort: [{ '@timestamp': { order: 'desc' } }, { 'event.id': { order: 'desc' } }],
      query: { bool: { filter: [
        { range: { '@timestamp': { gte: WINDOW.from - 10 * MINUTE, lt: WINDOW.to, format: 'epoch_millis' } } },
        { terms: { 'event.dataset': ['nginx.access'] } },
        { bool: { should: [{ term: { 'event.action': 'otp-verify-failed' } }, { term: { 'event.action': 'otp-verified' } }], minimum_should_match: 1 } },
      ] } },
    }]);
  });

  it('a group the window aggregate left out is counted on its own (absence past 10,000 groups)', () => {
    const q: EventQuery = { from: WINDOW.from, to: WINDOW.to, datasets: ['nginx.access'], filter: parseFilter('organization.id:"00001" AND NOT _exists_:monitor.id') };
    expect(countRequest(q, ALL_SCOPE)).toEqual({
      ...INDEX,
      query: { bool: { filter: [
        { range: { '@timestamp': { gte: WINDOW.from, lt: WINDOW.to, format: 'epoch_millis' } } },
        { terms: { 'event.dataset': ['nginx.access'] } },
        { bool: { filter: [{ term: { 'organization.id': '00001' } }, { bool: { must_not: [{ exists: { field: 'monitor.id' } }] } }] } },
      ] } },
    });
  });
});
