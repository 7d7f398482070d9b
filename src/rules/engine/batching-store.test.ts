import { MATCH_ALL } from '../../query/ast';
import { parseFilter } from '../../query/parse';
import type { AggregateQuery, EcsDocument, EventStore } from '../../store/event-store';
import { MemoryEventStore } from '../../store/memory/event-store';
import { ALL_SCOPE } from '../../store/scope';
import { evaluateRule } from '../evaluate';
import type { Rule, RuleCondition } from '../rule';
import { BatchingEventStore } from './batching-store';

const T = Date.UTC(2026, 10, 23, 2, 0, 0);
const WINDOW = { from: T - 300_000, to: T };

function event(i: number, org: string, status: number, ip: string): EcsDocument {
  return {
    '@timestamp': new Date(T - 1000 - i * 10).toISOString(),
    event: { id: `e${i}`, dataset: 'web.access', kind: 'event' },
    organization: { id: org },
    canh: { source_id: `src-${org}`, province: '01' },
    source: { ip },
    http: { response: { status_code: status } },
  };
}

function rule(id: string, filterText: string, condition: RuleCondition, groupBy = ['organization.id']): Rule {
  return {
    id, version: 'v1', title: id, description: '', severity: 'low', category: 'test', tags: [], dataset: 'web.access',
    filter: parseFilter(filterText), filterText, condition, groupBy, windowMs: 300_000, everyMs: 60_000, delayMs: 0,
    suppressMs: 0, enabled: true, origin: { file: 'x.yaml', line: 1 },
  };
}

/** A memory store that counts how it is asked. */
function counting(inner: MemoryEventStore): { store: EventStore; calls: { aggregate: number; many: number[] } } {
  const calls = { aggregate: 0, many: [] as number[] };
  const store = Object.create(inner) as EventStore;
  store.aggregate = (q, s) => { calls.aggregate++; return inner.aggregate(q, s); };
  store.aggregateMany = (qs, s) => { calls.many.push(qs.length); return inner.aggregateMany(qs, s); };
  return { store, calls };
}

describe('BatchingEventStore', () => {
  let memory: MemoryEventStore;
  beforeEach(async () => {
    memory = new MemoryEventStore();
    await memory.init();
    const events = Array.from({ length: 60 }, (_, i) => event(i, i % 3 === 0 ? '01001' : '01002', i % 4 === 0 ? 500 : 200, `10.0.0.${i % 7}`));
    await memory.write({ batchId: 'b', sourceId: 's', locality: '01001', province: '01', dataset: 'web.access', received: 60, events, deadLetters: [], receivedAt: T });
  });

  const rules = [
    rule('errors', 'http.response.status_code:>=500', { type: 'threshold', count: 3 }),
    rule('ips', '*', { type: 'cardinality', field: 'source.ip', count: 5 }),
    rule('ratio', '*', { type: 'ratio', match: parseFilter('http.response.status_code:500'), matchText: 'http.response.status_code:500', ratio: 0.2, minTotal: 10 }),
    rule('per-ip', 'http.response.status_code:200', { type: 'threshold', count: 4 }, ['organization.id', 'source.ip']),
  ];

  it('answers rules evaluated side by side with one aggregateMany, each exactly as alone', async () => {
    const { store, calls } = counting(memory);
    const batching = new BatchingEventStore(store, { gatherMs: 5 });
    const alone = await Promise.all(rules.map((r) => evaluateRule(r, WINDOW, memory)));
    const batched = await Promise.all(rules.map((r) => evaluateRule(r, WINDOW, batching)));
    expect(batched).toEqual(alone);
    expect(alone.map((hits) => hits.length)).toEqual([2, 2, 2, 7]);
    // ratio asks twice (totals, then matches): the second round of asks forms a second batch.
    expect(calls.many).toEqual([4, 1]);
    expect(calls.aggregate).toBe(0);
    expect(batching.stats).toEqual({ batches: 2, queries: 5, distinct: 5 });
  });

  it('sends a batch as soon as it is full', async () => {
    const { store, calls } = counting(memory);
    const batching = new BatchingEventStore(store, { gatherMs: 60_000, maxBatch: 2 });
    const q: AggregateQuery = { ...WINDOW, filter: MATCH_ALL, groupBy: ['organization.id'], metrics: [{ op: 'count' }] };
    const cardinality: AggregateQuery = { ...q, metrics: [{ op: 'cardinality', field: 'source.ip' }] };
    const rows = await Promise.all([batching.aggregate(q, ALL_SCOPE), batching.aggregate(cardinality, ALL_SCOPE)]);
    expect(rows).toEqual([await memory.aggregate(q, ALL_SCOPE), await memory.aggregate(cardinality, ALL_SCOPE)]);
    expect(calls.many).toEqual([2]);
  });

  it('asks once for aggregates that differ only in minimum and limit, each keeping its own rows', async () => {
    const { store, calls } = counting(memory);
    const batching = new BatchingEventStore(store, { gatherMs: 5 });
    const base: AggregateQuery = { ...WINDOW, filter: MATCH_ALL, groupBy: ['organization.id', 'source.ip'], metrics: [{ op: 'count' }], samples: 3 };
    const variants: AggregateQuery[] = [base, { ...base, minFirstMetric: 5 }, { ...base, minFirstMetric: 4, limit: 2 }, { ...base, limit: 1 }];
    const rows = await Promise.all(variants.map((v) => batching.aggregate(v, ALL_SCOPE)));
    expect(rows).toEqual(await Promise.all(variants.map((v) => memory.aggregate(v, ALL_SCOPE))));
    expect(rows.map((r) => r.length)).toEqual([14, 7, 2, 1]);
    expect(calls.many).toEqual([1]);
    expect(batching.stats).toEqual({ batches: 1, queries: 4, distinct: 1 });
  });

  it('fails only the bad query of a batch', async () => {
    const batching = new BatchingEventStore(memory, { gatherMs: 5 });
    const good: AggregateQuery = { ...WINDOW, filter: MATCH_ALL, groupBy: ['organization.id'], metrics: [{ op: 'count' }] };
    const bad: AggregateQuery = { ...good, limit: 0 };
    const [ok, failed] = await Promise.allSettled([batching.aggregate(good, ALL_SCOPE), batching.aggregate(bad, ALL_SCOPE)]);
    expect(ok).toMatchObject({ status: 'fulfilled', value: [{ group: { 'organization.id': '01002' }, values: [40] }, { group: { 'organization.id': '01001' }, values: [20] }] });
    expect(failed).toMatchObject({ status: 'rejected', reason: { kind: 'invalid' } });
  });
});
