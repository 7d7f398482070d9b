import { errors as esErrors } from '@elastic/elasticsearch';
import { AppError } from '../../errors';
import { MATCH_ALL } from '../../query/ast';
import type { DeadLetter, EcsDocument, EventBatch } from '../event-store';
import { ALL_SCOPE, localityScope } from '../scope';
import { COMPOSITE_PAGE_SIZE } from './aggregation-dsl';
import { ElasticsearchEventStore } from './event-store';
import { fakeElasticsearch, type FakeAnswer, type FakeRequest } from './fake-connection';
import { searchRequest } from './search-dsl';

const T0 = Date.UTC(2026, 0, 10, 8, 0, 0);
const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
const RANGE = { from: T0 - 3_600_000, to: T0 + 3_600_000, filter: MATCH_ALL };

const event = (id: string, at = T0): EcsDocument => ({
  '@timestamp': new Date(at).toISOString(), event: { id, dataset: 'web.access', original: `GET /${id}` },
  organization: { id: '01001' }, canh: { province: '01', source_id: 'src-1' },
});
const deadLetter = (line: number): DeadLetter => ({
  id: `b1:${line}`, sourceId: 'src-1', locality: '01001', province: '01', batchId: 'b1', line, raw: 'garbage', reason: 'unparseable', receivedAt: T0,
});
const batch = (events: EcsDocument[], deadLetters: DeadLetter[] = []): EventBatch => ({
  batchId: 'b1', sourceId: 'src-1', locality: '01001', province: '01', dataset: 'web.access',
  received: events.length + deadLetters.length, events, deadLetters, receivedAt: T0,
});

type ItemAnswer = { status: number; error?: { type: string; reason: string } };
/** A `_bulk` answer: one item per action line of the request, with the given statuses (default 201). */
function bulkAnswer(request: FakeRequest, statuses: Record<number, ItemAnswer> = {}): FakeAnswer {
  const lines = request.body as Record<string, { _index: string; _id: string }>[];
  const items = lines.filter((_, i) => i % 2 === 0).map((action, i) => {
    const [op, meta] = Object.entries(action)[0];
    return { [op]: { _index: meta._index, _id: meta._id, ...(statuses[i] ?? { status: 201 }) } };
  });
  return { status: 200, body: { took: 1, errors: Object.keys(statuses).length > 0, items } };
}

const bulks = (requests: FakeRequest[]) => requests.filter((r) => r.path === '/_bulk');
/** The action lines and documents of a recorded `_bulk`. */
function pairs(request: FakeRequest): { action: Record<string, { _index: string; _id: string }>; doc: Record<string, unknown> }[] {
  const lines = request.body as Record<string, unknown>[];
  return lines.filter((_, i) => i % 2 === 0).map((action, i) => ({ action: action as Record<string, { _index: string; _id: string }>, doc: lines[2 * i + 1] }));
}

function storeWith(respond: (request: FakeRequest, bulkNumber: number) => FakeAnswer | Error | undefined) {
  let bulkNumber = 0;
  const es = fakeElasticsearch((request) => respond(request, request.path === '/_bulk' ? ++bulkNumber : bulkNumber));
  const store = new ElasticsearchEventStore(es.client, { retentionDays: 30, indexPrefix: 't1-', refresh: 'wait_for', now: () => NOW });
  return { store, requests: es.requests };
}

async function thrown(promise: Promise<unknown>): Promise<AppError> {
  const err: unknown = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('ElasticsearchEventStore.write', () => {
  it('turns an event refused with a mapping error into a dead letter with the reason, and counts it', async () => {
    const reason = { type: 'document_parsing_exception', reason: "failed to parse field [http.response.status_code] of type [long]" };
    const { store, requests } = storeWith((req, n) => (req.path === '/_bulk' ? bulkAnswer(req, n === 1 ? { 1: { status: 400, error: reason } } : {}) : undefined));
    const result = await store.write(batch([event('a'), event('b')], [deadLetter(3)]));
    expect(result).toEqual({ written: 1, duplicates: 0, deadLettered: 2 });

    const [first, second] = bulks(requests);
    expect(first.params.refresh).toBe('wait_for');
    expect(pairs(first).map((p) => p.action)).toEqual([
      { create: { _index: 't1-canh-events-web.access-2026.01.10', _id: 'a' } },
      { create: { _index: 't1-canh-events-web.access-2026.01.10', _id: 'b' } },
      { create: { _index: 't1-canh-dead-letters-2026.01.10', _id: 'b1:3' } },
    ]);
    const [refused, counters] = pairs(second);
    expect(refused.action).toEqual({ create: { _index: 't1-canh-dead-letters-2026.01.10', _id: 'b1:event:b' } });
    expect(refused.doc).toMatchObject({ raw: 'GET /b', batchId: 'b1', sourceId: 'src-1', locality: '01001' });
    expect(refused.doc.reason).toContain('document_parsing_exception: failed to parse field [http.response.status_code]');
    expect(counters.action).toEqual({ index: { _index: 't1-canh-batches', _id: 'b1' } });
    expect(counters.doc).toEqual({ batchId: 'b1', sourceId: 'src-1', received: 3, stored: 1, deadLettered: 2, maxEventAt: T0, processedAt: NOW });
  });

  it('counts a 409 as a duplicate, and a dead letter already stored as not dead-lettered again', async () => {
    const { store } = storeWith((req, n) => (req.path === '/_bulk' ? bulkAnswer(req, n === 1 ? { 0: { status: 409 }, 2: { status: 409 } } : {}) : undefined));
    expect(await store.write(batch([event('a'), event('b')], [deadLetter(3)]))).toEqual({ written: 1, duplicates: 1, deadLettered: 0 });
  });

  it('throws kind unavailable on a 429 for the whole request, and writes no counters', async () => {
    const { store, requests } = storeWith((req) =>
      req.path === '/_bulk' ? { status: 429, body: { error: { type: 'es_rejected_execution_exception', reason: 'queue full' }, status: 429 } } : undefined);
    const err = await thrown(store.write(batch([event('a')])));
    expect(err.kind).toBe('unavailable');
    expect(String((err.cause as Error).message)).toContain('es_rejected_execution_exception: queue full');
    expect(bulks(requests)).toHaveLength(1);
  });

  it('throws kind unavailable when one item answers 429 or 5xx, so that the job retries the whole batch', async () => {
    for (const status of [429, 503]) {
      const { store, requests } = storeWith((req) => (req.path === '/_bulk' ? bulkAnswer(req, { 1: { status, error: { type: 'busy', reason: 'try later' } } }) : undefined));
      const err = await thrown(store.write(batch([event('a'), event('b')])));
      expect(err.kind).toBe('unavailable');
      expect((err.cause as Error).message).toContain(`item b answered ${status} busy: try later`);
      expect(bulks(requests)).toHaveLength(1);
    }
  });

  it('throws kind unavailable when the node cannot be reached', async () => {
    const { store } = storeWith(() => new esErrors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200'));
    expect((await thrown(store.write(batch([event('a')])))).kind).toBe('unavailable');
  });

  it('refuses a malformed batch as invalid before sending anything', async () => {
    const { store, requests } = storeWith((req) => bulkAnswer(req));
    const bad = { event: { id: 'no-timestamp' } };
    expect((await thrown(store.write(batch([event('a'), bad])))).kind).toBe('invalid');
    expect(requests).toEqual([]);
  });

  it('runs concurrent writes one at a time, in call order', async () => {
    const order: string[] = [];
    const { store } = storeWith((req) => {
      if (req.path !== '/_bulk') return undefined;
      order.push(pairs(req).map((p) => Object.values(p.action)[0]._id).join(','));
      return bulkAnswer(req);
    });
    await Promise.all([store.write(batch([event('a')])), store.write({ ...batch([event('b')]), batchId: 'b2' })]);
    expect(order).toEqual(['a', 'b1', 'b', 'b2']);
  });
});

describe('ElasticsearchEventStore reads', () => {
  const hit = (id: string) => ({ _index: 't1-canh-events-web.access-2026.01.10', _id: id, _source: event(id), sort: [T0, id] });

  it('sends the search of search-dsl.ts with the scope filter, on the prefixed indices', async () => {
    const { store, requests } = storeWith(() => ({ status: 200, body: { took: 1, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: 1, relation: 'eq' }, hits: [hit('a')] } } }));
    const scope = localityScope(['01']);
    const page = await store.search({ ...RANGE, size: 10 }, scope);
    expect(page).toEqual({ total: 1, events: [event('a')], nextCursor: null });
    expect(requests).toHaveLength(1);
    expect(requests[0].path).toBe('/t1-canh-events-*/_search');
    const { index, ignore_unavailable: ignore, allow_no_indices: allow, ...body } = searchRequest({ ...RANGE, size: 10 }, scope);
    expect(index).toEqual(['canh-events-*']);
    expect(requests[0].params).toMatchObject({ ignore_unavailable: String(ignore), allow_no_indices: String(allow) });
    expect(requests[0].body).toEqual(body);
    expect(JSON.stringify(requests[0].body)).toContain('"canh.province":["01"]');
  });

  it('pages a grouped aggregate through the composite after_key until there is none', async () => {
    const bucket = (i: number) => ({ key: { g0: `org-${String(i).padStart(4, '0')}` }, doc_count: 1 });
    const pages = [
      { buckets: Array.from({ length: COMPOSITE_PAGE_SIZE }, (_, i) => bucket(i)), after_key: { g0: 'org-0999' } },
      { buckets: [bucket(1000), { key: { g0: 'org-1001' }, doc_count: 5 }], after_key: { g0: 'org-1001' } },
    ];
    let n = 0;
    const { store, requests } = storeWith(() => ({ status: 200, body: { took: 1, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 }, hits: { hits: [] }, aggregations: { groups: pages[n++] } } }));
    const rows = await store.aggregate({ ...RANGE, groupBy: ['organization.id'], metrics: [{ op: 'count' }], limit: 2 }, ALL_SCOPE);
    expect(rows).toEqual([{ group: { 'organization.id': 'org-1001' }, values: [5] }, { group: { 'organization.id': 'org-0000' }, values: [1] }]);
    expect(requests).toHaveLength(2);
    const composite = (r: FakeRequest) => (r.body as { aggs: { groups: { composite: { after?: unknown } } } }).aggs.groups.composite;
    expect(composite(requests[0]).after).toBeUndefined();
    expect(composite(requests[1]).after).toEqual({ g0: 'org-0999' });
  });

  it('answers an aggregate over no index (Elasticsearch omits the aggregations) as over no events', async () => {
    const empty = { took: 0, timed_out: false, _shards: { total: 0, successful: 0, failed: 0 }, hits: { total: { value: 0, relation: 'eq' }, hits: [] } };
    const { store } = storeWith((req) => ({ status: 200, body: req.path === '/_msearch' ? { took: 0, responses: [{ status: 200, ...empty }] } : empty }));
    const metrics = [{ op: 'count' as const }, { op: 'avg' as const, field: 'http.response.body.bytes' }, { op: 'cardinality' as const, field: 'source.ip' }];
    expect(await store.aggregate({ ...RANGE, groupBy: [], metrics, samples: 2 }, ALL_SCOPE)).toEqual([{ group: {}, values: [0, null, 0], sampleIds: [] }]);
    expect(await store.aggregate({ ...RANGE, groupBy: ['organization.id'], metrics }, ALL_SCOPE)).toEqual([]);
    expect(await store.aggregateMany([
      { ...RANGE, groupBy: ['organization.id'], metrics },
      { ...RANGE, groupBy: ['organization.id'], metrics: [{ op: 'count' }] },
    ], ALL_SCOPE)).toEqual([[], []]);
  });

  it('pages aggregateMany through msearch rounds on the prefixed indices', async () => {
    let n = 0;
    const pages = [
      { buckets: Array.from({ length: COMPOSITE_PAGE_SIZE }, (_, i) => ({ key: { g0: `o${i}` }, doc_count: 1, q0: { doc_count: 1 }, q1: { doc_count: 0 } })), after_key: { g0: 'o999' } },
      { buckets: [{ key: { g0: 'z' }, doc_count: 3, q0: { doc_count: 1 }, q1: { doc_count: 3 } }] },
    ];
    const { store, requests } = storeWith(() => ({ status: 200, body: { took: 1, responses: [{ status: 200, took: 1, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 }, hits: { hits: [] }, aggregations: { groups: pages[n++] } }] } }));
    const q = { ...RANGE, groupBy: ['organization.id'], metrics: [{ op: 'count' as const }] };
    const [first, second] = await store.aggregateMany([q, { ...q, filter: { type: 'term', field: 'user.name', value: 'x' } }], ALL_SCOPE);
    expect(first).toHaveLength(COMPOSITE_PAGE_SIZE + 1);
    expect(second).toEqual([{ group: { 'organization.id': 'z' }, values: [3] }]);
    expect(requests.map((r) => r.path)).toEqual(['/_msearch', '/_msearch']);
    expect((requests[0].body as unknown[])[0]).toMatchObject({ index: ['t1-canh-events-*'] });
  });

  it('reads the counters of a source, zero when no batch index exists yet', async () => {
    let answer: Record<string, unknown> | undefined;
    const { store, requests } = storeWith(() => ({ status: 200, body: { took: 1, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 }, hits: { hits: [] }, ...answer } }));
    expect(await store.sourceStats('src-1')).toEqual({ received: 0, stored: 0, deadLettered: 0, lastEventAt: null, lastBatchAt: null });
    answer = { aggregations: { received: { value: 6 }, stored: { value: 3 }, deadLettered: { value: 3 }, lastEventAt: { value: T0 }, lastBatchAt: { value: NOW } } };
    expect(await store.sourceStats('src-1')).toEqual({ received: 6, stored: 3, deadLettered: 3, lastEventAt: T0, lastBatchAt: NOW });
    expect(requests[0].path).toBe('/t1-canh-batches/_search');
    expect(requests[0].body).toMatchObject({ query: { term: { sourceId: 'src-1' } } });
  });

  it('lists dead letters within the scope, newest first, with a cursor', async () => {
    const letters = [deadLetter(3), deadLetter(2)];
    const { store, requests } = storeWith(() => ({ status: 200, body: { took: 1, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 }, hits: { hits: letters.map((d) => ({ _index: 'x', _id: d.id, _source: d })) } } }));
    const page = await store.listDeadLetters({ size: 1, sourceId: 'src-1' }, localityScope(['01']));
    expect(page.deadLetters).toEqual([deadLetter(3)]);
    expect(page.nextCursor).not.toBeNull();
    expect(requests[0].path).toBe('/t1-canh-dead-letters-*/_search');
    expect(requests[0].body).toMatchObject({
      size: 2, sort: [{ receivedAt: { order: 'desc' } }, { id: { order: 'desc' } }],
      query: { bool: { filter: [{ bool: { should: [{ terms: { locality: ['01'] } }, { terms: { province: ['01'] } }], minimum_should_match: 1 } }, { term: { sourceId: 'src-1' } }] } },
    });
    await store.listDeadLetters({ size: 1, cursor: page.nextCursor ?? undefined }, ALL_SCOPE);
    expect(requests[1].body).toMatchObject({ search_after: [T0, 'b1:3'], query: { bool: { filter: [] } } });
  });

  it('maps a refused query to invalid and an unreachable node to unavailable', async () => {
    let answer: FakeAnswer | Error = { status: 400, body: { error: { type: 'search_phase_execution_exception', reason: 'all shards failed', root_cause: [{ type: 'query_shard_exception', reason: 'bad regex' }] }, status: 400 } };
    const { store } = storeWith(() => answer);
    const invalid = await thrown(store.count(RANGE, ALL_SCOPE));
    expect(invalid.kind).toBe('invalid');
    expect(invalid.message).toContain('query_shard_exception: bad regex');
    answer = new esErrors.TimeoutError('Request timed out');
    expect((await thrown(store.count(RANGE, ALL_SCOPE))).kind).toBe('unavailable');
    expect((await thrown(store.ping())).kind).toBe('unavailable');
  });

  it('pings with a HEAD request', async () => {
    const { store, requests } = storeWith(() => ({ status: 200 }));
    await store.ping();
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['HEAD /']);
  });
});
