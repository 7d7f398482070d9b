import { AppError } from '../../src/errors';
import { MATCH_ALL, type FilterNode } from '../../src/query/ast';
import type { DeadLetter, EcsDocument, EventBatch, EventStore, Metric } from '../../src/store/event-store';
import { ALL_SCOPE, localityScope, type Scope } from '../../src/store/scope';

/**
 * The EventStore contract: every adapter (memory, DuckDB, Elasticsearch) runs this suite and must
 * pass it unchanged. Written against the port only; fixed timestamps and a fixed clock.
 *
 * Locality tree of the fixtures: central `00` ▸ provinces `01`, `79` ▸ communes `01001`, `01002`
 * (province 01) and `79001` (province 79).
 */
export interface ContractContext {
  /** The clock the store must use for `lastBatchAt`. */
  readonly now: () => number;
}

export type MakeEventStore = (ctx: ContractContext) => Promise<EventStore>;

export const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
export const T0 = Date.UTC(2026, 0, 10, 8, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const RANGE = { from: T0 - 24 * HOUR, to: T0 + 24 * HOUR };

const PROVINCE_OF: Readonly<Record<string, string | null>> = { '00': null, '01': '01', '79': '79', '01001': '01', '01002': '01', '79001': '79' };

interface EventSpec {
  readonly id: string;
  readonly at: number;
  readonly locality?: string;
  readonly dataset?: string;
  readonly extra?: Record<string, unknown>;
}

/** A nested ECS event of locality `01001` (unless told) in dataset web.access (unless told). */
export function makeEvent({ id, at, locality = '01001', dataset = 'web.access', extra = {} }: EventSpec): EcsDocument {
  const province = PROVINCE_OF[locality];
  return {
    '@timestamp': new Date(at).toISOString(),
    event: { id, dataset, kind: 'event' },
    organization: { id: locality },
    canh: { source_id: `src-${locality}`, ...(province ? { province } : {}) },
    ...extra,
  };
}

export function makeDeadLetter(batchId: string, line: number, locality: string, receivedAt: number): DeadLetter {
  return {
    id: `${batchId}:${line}`, sourceId: `src-${locality}`, locality, province: PROVINCE_OF[locality] ?? null,
    batchId, line, raw: `garbage line ${line}`, reason: 'unparseable', receivedAt,
  };
}

export function makeBatch(batchId: string, events: EcsDocument[], deadLetters: DeadLetter[] = [], locality = '01001'): EventBatch {
  return {
    batchId, sourceId: `src-${locality}`, locality, province: PROVINCE_OF[locality] ?? null, dataset: 'web.access',
    received: events.length + deadLetters.length, events, deadLetters, receivedAt: T0,
  };
}

const ids = (docs: readonly EcsDocument[]) => docs.map((d) => (d.event as { id: string }).id);

async function expectInvalid(promise: Promise<unknown>): Promise<void> {
  const err: unknown = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).kind).toBe('invalid');
}

export function eventStoreContract(name: string, makeStore: MakeEventStore, options: { readonly expiresItself?: boolean } = {}): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await makeStore({ now: () => NOW });
      await store.init();
    });
    afterEach(async () => {
      await store.close();
    });

    const search = (scope: Scope, q: { filter?: FilterNode; from?: number; to?: number; size?: number; cursor?: string; datasets?: string[]; localities?: string[] } = {}) =>
      store.search({ ...RANGE, filter: MATCH_ALL, size: 1000, ...q }, scope);

    describe('write', () => {
      it('is idempotent: the same batch twice stores everything once and counts duplicates', async () => {
        const events = [makeEvent({ id: 'a', at: T0 }), makeEvent({ id: 'b', at: T0 + 1 })];
        const batch = makeBatch('b1', events, [makeDeadLetter('b1', 3, '01001', T0)]);
        expect(await store.write(batch)).toEqual({ written: 2, duplicates: 0, deadLettered: 1 });
        expect(await store.write(batch)).toEqual({ written: 0, duplicates: 2, deadLettered: 0 });
        expect(await store.count({ ...RANGE, filter: MATCH_ALL }, ALL_SCOPE)).toBe(2);
        expect((await store.listDeadLetters({ size: 10 }, ALL_SCOPE)).deadLetters).toHaveLength(1);
        expect(await store.sourceStats('src-01001')).toEqual({ received: 3, stored: 2, deadLettered: 1, lastEventAt: T0 + 1, lastBatchAt: NOW });
      });

      it('stores an event id seen in two different batches once', async () => {
        await store.write(makeBatch('b1', [makeEvent({ id: 'same', at: T0 })]));
        expect(await store.write(makeBatch('b2', [makeEvent({ id: 'same', at: T0 }), makeEvent({ id: 'other', at: T0 })]))).toEqual({
          written: 1, duplicates: 1, deadLettered: 0,
        });
        expect(ids((await search(ALL_SCOPE)).events).sort()).toEqual(['other', 'same']);
      });

      it('runs concurrent writes one at a time: the same batch written twice at once is stored once', async () => {
        const batch = makeBatch('b1', [makeEvent({ id: 'a', at: T0 }), makeEvent({ id: 'b', at: T0 })], [makeDeadLetter('b1', 3, '01001', T0)]);
        const results = await Promise.all([store.write(batch), store.write(batch), store.write(makeBatch('b2', [makeEvent({ id: 'a', at: T0 })]))]);
        expect(results.map((r) => r.written).sort()).toEqual([0, 0, 2]);
        expect(results.map((r) => r.deadLettered).sort()).toEqual([0, 0, 1]);
        expect(await store.count({ ...RANGE, filter: MATCH_ALL }, ALL_SCOPE)).toBe(2);
        expect(await store.sourceStats('src-01001')).toMatchObject({ received: 4, stored: 3, deadLettered: 1 });
      });

      it('counts a repeated id inside one batch as a duplicate', async () => {
        const result = await store.write(makeBatch('b1', [makeEvent({ id: 'x', at: T0 }), makeEvent({ id: 'x', at: T0 })]));
        expect(result).toEqual({ written: 1, duplicates: 1, deadLettered: 0 });
        expect(await store.count({ ...RANGE, filter: MATCH_ALL }, ALL_SCOPE)).toBe(1);
      });

      it('rejects a batch with a malformed event as invalid and keeps nothing of it', async () => {
        const bad = { event: { id: 'no-timestamp', dataset: 'web.access' }, organization: { id: '01001' } };
        const batch = makeBatch('b1', [makeEvent({ id: 'good', at: T0 }), bad], [makeDeadLetter('b1', 3, '01001', T0)]);
        await expectInvalid(store.write(batch));
        expect(await store.count({ ...RANGE, filter: MATCH_ALL }, ALL_SCOPE)).toBe(0);
        expect((await store.listDeadLetters({ size: 10 }, ALL_SCOPE)).deadLetters).toEqual([]);
        expect(await store.sourceStats('src-01001')).toEqual({ received: 0, stored: 0, deadLettered: 0, lastEventAt: null, lastBatchAt: null });
      });

      it('accepts a batch of dead letters only', async () => {
        const result = await store.write(makeBatch('b1', [], [makeDeadLetter('b1', 1, '01001', T0), makeDeadLetter('b1', 2, '01001', T0)]));
        expect(result).toEqual({ written: 0, duplicates: 0, deadLettered: 2 });
        expect(await store.sourceStats('src-01001')).toMatchObject({ received: 2, stored: 0, deadLettered: 2, lastEventAt: null });
      });
    });

    describe('search', () => {
      it('returns what was written, deep-equal, including JSON-only fields, arrays and odd typed values', async () => {
        const doc: EcsDocument = {
          '@timestamp': '2026-01-10T08:00:00Z',
          event: { id: 'rt-1', dataset: 'web.access', kind: 'event', category: ['web', 'authentication'], type: ['access'], outcome: 'failure', duration: 1234567 },
          organization: { id: '01002' },
          canh: { province: '01', source_id: 'src-01002' },
          source: { ip: '203.0.113.9', geo: { country_iso_code: 'VN' } },
          user: { name: null, id: 12345 },
          http: { request: { method: 'POST', referrer: 'https://dvc.gov.vn/' }, response: { status_code: '503', body: { bytes: 0 } } },
          url: { original: '/otp/verify?x=1', path: '/otp/verify', query: 'x=1' },
          related: { ip: ['203.0.113.9', '10.0.0.1'], hosts: [] },
          labels: {},
          otp: { attempt: 3, delivery_ms: 812.5, destination: { hash: 'abc' } },
          tags: ['canh', 'test'],
          flags: { suspicious: true },
          'literal.dotted': 'kept',
        };
        await store.write(makeBatch('b1', [doc]));
        expect((await search(ALL_SCOPE)).events).toStrictEqual([doc]);
      });

      it('includes `from` and excludes `to`', async () => {
        await store.write(makeBatch('b1', [
          makeEvent({ id: 'before', at: T0 - 1 }), makeEvent({ id: 'at-from', at: T0 }),
          makeEvent({ id: 'inside', at: T0 + MIN }), makeEvent({ id: 'at-to', at: T0 + HOUR }),
        ]));
        const page = await search(ALL_SCOPE, { from: T0, to: T0 + HOUR });
        expect(ids(page.events)).toEqual(['inside', 'at-from']);
        expect(page.total).toBe(2);
      });

      it('filters by datasets and by locality subtrees', async () => {
        await store.write(makeBatch('b1', [
          makeEvent({ id: 'c1', at: T0, locality: '01001' }),
          makeEvent({ id: 'c2', at: T0 + 1, locality: '01002', dataset: 'otp.auth' }),
          makeEvent({ id: 'p1', at: T0 + 2, locality: '01' }),
          makeEvent({ id: 'h1', at: T0 + 3, locality: '79001', dataset: 'uptime.probe' }),
          makeEvent({ id: 'z1', at: T0 + 4, locality: '00' }),
        ]));
        expect(ids((await search(ALL_SCOPE, { datasets: ['otp.auth', 'uptime.probe'] })).events)).toEqual(['h1', 'c2']);
        expect(ids((await search(ALL_SCOPE, { localities: ['01'] })).events)).toEqual(['p1', 'c2', 'c1']);
        expect(ids((await search(ALL_SCOPE, { localities: ['01001', '79'] })).events)).toEqual(['h1', 'c1']);
        expect(ids((await search(ALL_SCOPE, { localities: [], datasets: [] })).events)).toHaveLength(5);
      });

      it('never shows anything outside the scope', async () => {
        await store.write(makeBatch('b1', [
          makeEvent({ id: 'c1', at: T0, locality: '01001' }), makeEvent({ id: 'c2', at: T0 + 1, locality: '01002' }),
          makeEvent({ id: 'p1', at: T0 + 2, locality: '01' }), makeEvent({ id: 'h1', at: T0 + 3, locality: '79001' }),
          makeEvent({ id: 'z1', at: T0 + 4, locality: '00' }),
        ]));
        expect(ids((await search(localityScope(['01001']))).events)).toEqual(['c1']);
        expect(ids((await search(localityScope(['01']))).events)).toEqual(['p1', 'c2', 'c1']);
        expect(ids((await search(localityScope(['01002', '79']))).events)).toEqual(['h1', 'c2']);
        expect(ids((await search(localityScope([]))).events)).toEqual([]);
        expect((await search(ALL_SCOPE)).total).toBe(5);
        // Asking for localities outside the scope gives nothing, not those localities.
        expect(ids((await search(localityScope(['01001']), { localities: ['01002', '79'] })).events)).toEqual([]);
        expect(await store.count({ ...RANGE, filter: MATCH_ALL }, localityScope(['79']))).toBe(1);
      });

      it('applies the filter on typed and JSON fields', async () => {
        await store.write(makeBatch('b1', [
          makeEvent({ id: 'e1', at: T0, extra: { http: { response: { status_code: 500 } }, user_agent: { name: 'Chrome' } } }),
          makeEvent({ id: 'e2', at: T0 + 1, extra: { http: { response: { status_code: 200 } }, user_agent: { name: 'Firefox' } } }),
          makeEvent({ id: 'e3', at: T0 + 2, extra: { http: { response: { status_code: 503 } } } }),
        ]));
        const q = (filter: FilterNode) => search(ALL_SCOPE, { filter }).then((p) => ids(p.events));
        expect(await q({ type: 'range', field: 'http.response.status_code', gte: 500 })).toEqual(['e3', 'e1']);
        expect(await q({ type: 'term', field: 'user_agent.name', value: 'Firefox' })).toEqual(['e2']);
        expect(await q({ type: 'not', child: { type: 'term', field: 'user_agent.name', value: 'Firefox' } })).toEqual(['e3', 'e1']);
        expect(await store.count({ ...RANGE, filter: { type: 'exists', field: 'user_agent.name' } }, ALL_SCOPE)).toBe(2);
      });

      it('pages newest first with no duplicates or gaps, equal timestamps included', async () => {
        const events = Array.from({ length: 23 }, (_, i) => makeEvent({ id: `e${String(i).padStart(2, '0')}`, at: T0 + Math.floor(i / 5) * 1000 }));
        await store.write(makeBatch('b1', events));
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 10; pages++) {
          const page = await search(ALL_SCOPE, { size: 4, cursor });
          expect(page.total).toBe(23);
          seen.push(...ids(page.events));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        const expected = [...events]
          .sort((a, b) => Date.parse(b['@timestamp'] as string) - Date.parse(a['@timestamp'] as string) || (ids([b])[0] < ids([a])[0] ? -1 : 1))
          .map((e) => ids([e])[0]);
        expect(seen).toEqual(expected);
      });

      it('gives no next cursor when the page holds the last event', async () => {
        await store.write(makeBatch('b1', [makeEvent({ id: 'a', at: T0 }), makeEvent({ id: 'b', at: T0 + 1 })]));
        expect((await search(ALL_SCOPE, { size: 2 })).nextCursor).toBeNull();
        expect((await search(ALL_SCOPE, { size: 1 })).nextCursor).not.toBeNull();
      });

      it('rejects a page size outside 1..1000 and a bad cursor as invalid', async () => {
        for (const size of [0, 1001, 2.5]) await expectInvalid(search(ALL_SCOPE, { size }));
        for (const cursor of ['not a cursor', 'eyJ4IjoxfQ', Buffer.from('[1,2]').toString('base64url'), '']) {
          await expectInvalid(search(ALL_SCOPE, { cursor }));
          await expectInvalid(store.listDeadLetters({ size: 10, cursor }, ALL_SCOPE));
        }
        await expectInvalid(store.listDeadLetters({ size: 0 }, ALL_SCOPE));
        await expectInvalid(store.listDeadLetters({ size: 1001 }, ALL_SCOPE));
      });
    });

    describe('aggregate', () => {
      const web = (id: string, at: number, locality: string, bytes: number | null, agent?: string, delivery?: number) =>
        makeEvent({
          id, at, locality,
          extra: {
            http: { response: { status_code: 200, ...(bytes === null ? {} : { body: { bytes } }) } },
            ...(agent ? { user_agent: { name: agent } } : {}),
            ...(delivery === undefined ? {} : { otp: { delivery_ms: delivery } }),
            source: { ip: `10.0.0.${id.length}` },
          },
        });
      beforeEach(async () => {
        await store.write(makeBatch('b1', [
          web('a1', T0, '01001', 10, 'Chrome', 100), web('a2', T0 + 1, '01001', 20, 'Chrome', 200),
          web('a3', T0 + 2, '01001', 30, 'Firefox', 300), web('a4', T0 + 3, '01001', 40, undefined, 400),
          web('b1', T0 + 4, '01002', 5, 'Chrome'), web('b22', T0 + 5, '01002', null, undefined),
          web('c1', T0 + 6, '79001', 7, 'Safari'),
        ]));
      });
      const agg = (groupBy: string[], metrics: Metric[], more: { minFirstMetric?: number; limit?: number; scope?: Scope; filter?: FilterNode } = {}) =>
        store.aggregate({ ...RANGE, filter: more.filter ?? MATCH_ALL, groupBy, metrics, minFirstMetric: more.minFirstMetric, limit: more.limit }, more.scope ?? ALL_SCOPE);

      it('computes every metric per typed group, largest first metric first', async () => {
        const rows = await agg(['organization.id'], [
          { op: 'count' }, { op: 'sum', field: 'http.response.body.bytes' }, { op: 'avg', field: 'http.response.body.bytes' },
          { op: 'min', field: 'http.response.body.bytes' }, { op: 'max', field: 'http.response.body.bytes' },
          { op: 'p95', field: 'http.response.body.bytes' }, { op: 'cardinality', field: 'source.ip' },
        ]);
        expect(rows.map((r) => r.group)).toEqual([{ 'organization.id': '01001' }, { 'organization.id': '01002' }, { 'organization.id': '79001' }]);
        expect(rows[0].values.slice(0, 5)).toEqual([4, 100, 25, 10, 40]);
        expect(rows[0].values[5]).toBeCloseTo(38.5, 9); // 30 + 0.85 * (40 - 30)
        expect(rows[0].values[6]).toBe(1);
        expect(rows[1].values).toEqual([2, 5, 5, 5, 5, 5, 2]);
        expect(rows[2].values).toEqual([1, 7, 7, 7, 7, 7, 1]);
      });

      it('groups by a JSON field, with a null group for events without it', async () => {
        const rows = await agg(['user_agent.name'], [{ op: 'count' }]);
        expect(rows).toEqual([
          { group: { 'user_agent.name': 'Chrome' }, values: [3] },
          { group: { 'user_agent.name': null }, values: [2] },
          { group: { 'user_agent.name': 'Firefox' }, values: [1] },
          { group: { 'user_agent.name': 'Safari' }, values: [1] },
        ]);
      });

      it('computes metrics over a JSON-only numeric field; null where no event has it', async () => {
        const rows = await agg(['organization.id'], [{ op: 'count' }, { op: 'p95', field: 'otp.delivery_ms' }, { op: 'avg', field: 'otp.delivery_ms' }]);
        expect(rows[0].values[1]).toBeCloseTo(385, 9);
        expect(rows[0].values[2]).toBe(250);
        expect(rows[1].values.slice(1)).toEqual([null, null]);
      });

      it('groups by two fields, applies minFirstMetric and limit, breaks ties by group values', async () => {
        const rows = await agg(['organization.id', 'user_agent.name'], [{ op: 'count' }], { minFirstMetric: 1 });
        expect(rows.map((r) => [r.group['organization.id'], r.group['user_agent.name'], r.values[0]])).toEqual([
          ['01001', 'Chrome', 2], ['01001', 'Firefox', 1], ['01001', null, 1], ['01002', 'Chrome', 1], ['01002', null, 1], ['79001', 'Safari', 1],
        ]);
        expect(await agg(['organization.id', 'user_agent.name'], [{ op: 'count' }], { minFirstMetric: 2 })).toHaveLength(1);
        const limited = await agg(['organization.id'], [{ op: 'count' }], { limit: 2 });
        expect(limited.map((r) => r.group['organization.id'])).toEqual(['01001', '01002']);
      });

      it('gives one row without group-by, also over no events, and respects the scope', async () => {
        expect(await agg([], [{ op: 'count' }, { op: 'max', field: 'http.response.body.bytes' }], { scope: localityScope(['01']) })).toEqual([
          { group: {}, values: [6, 40] },
        ]);
        const none = await agg([], [{ op: 'count' }, { op: 'avg', field: 'http.response.body.bytes' }, { op: 'cardinality', field: 'source.ip' }], {
          filter: { type: 'term', field: 'user_agent.name', value: 'Opera' },
        });
        expect(none).toEqual([{ group: {}, values: [0, null, 0] }]);
        expect(await agg(['organization.id'], [{ op: 'count' }], { scope: localityScope(['79001']) })).toEqual([
          { group: { 'organization.id': '79001' }, values: [1] },
        ]);
      });

      it('rejects malformed aggregate queries as invalid', async () => {
        await expectInvalid(agg(['organization.id'], []));
        await expectInvalid(agg(['bad field!'], [{ op: 'count' }]));
        await expectInvalid(agg(['organization.id'], [{ op: 'count' }], { limit: 0 }));
      });

      it('returns sample event ids per group, newest first, equal timestamps by id', async () => {
        await store.write(makeBatch('b2', [web('a5', T0 + 3, '01001', 1), web('a0', T0 + 3, '01001', 1)]));
        const rows = await store.aggregate({ ...RANGE, filter: MATCH_ALL, groupBy: ['organization.id'], metrics: [{ op: 'count' }], samples: 3 }, ALL_SCOPE);
        expect(rows.map((r) => [r.group['organization.id'], r.sampleIds])).toEqual([
          ['01001', ['a5', 'a4', 'a0']], ['01002', ['b22', 'b1']], ['79001', ['c1']],
        ]);
        await expectInvalid(store.aggregate({ ...RANGE, filter: MATCH_ALL, groupBy: [], metrics: [{ op: 'count' }], samples: 0 }, ALL_SCOPE));
      });

      it('answers many aggregates at once exactly as one by one', async () => {
        const chrome: FilterNode = { type: 'term', field: 'user_agent.name', value: 'Chrome' };
        const big: FilterNode = { type: 'range', field: 'http.response.body.bytes', gte: 20 };
        const none: FilterNode = { type: 'term', field: 'user_agent.name', value: 'Opera' };
        const org = ['organization.id'];
        const queries = [
          { ...RANGE, filter: chrome, groupBy: org, metrics: [{ op: 'count' }] as Metric[], samples: 2 },
          { ...RANGE, filter: big, groupBy: org, metrics: [{ op: 'count' }, { op: 'sum', field: 'http.response.body.bytes' }] as Metric[], minFirstMetric: 2 },
          { ...RANGE, filter: MATCH_ALL, groupBy: org, metrics: [{ op: 'cardinality', field: 'user_agent.name' }, { op: 'p95', field: 'otp.delivery_ms' }] as Metric[], limit: 2, samples: 10 },
          { ...RANGE, filter: none, groupBy: org, metrics: [{ op: 'count' }] as Metric[] },
          { ...RANGE, filter: MATCH_ALL, groupBy: ['organization.id', 'user_agent.name'], metrics: [{ op: 'count' }] as Metric[], minFirstMetric: 1 },
          { ...RANGE, filter: MATCH_ALL, groupBy: [], metrics: [{ op: 'count' }] as Metric[] },
          { ...RANGE, from: T0 + 3, filter: MATCH_ALL, groupBy: org, metrics: [{ op: 'avg', field: 'http.response.body.bytes' }] as Metric[] },
          { ...RANGE, filter: { type: 'or', children: [chrome, big] } as FilterNode, groupBy: org, metrics: [{ op: 'max', field: 'otp.delivery_ms' }] as Metric[], minFirstMetric: 150 },
        ];
        const one = await Promise.all(queries.map((q) => store.aggregate(q, ALL_SCOPE)));
        const many = await store.aggregateMany(queries, ALL_SCOPE);
        expect(many).toEqual(one);
        expect(one[0].map((r) => [r.group['organization.id'], r.values[0], r.sampleIds])).toEqual([['01001', 2, ['a2', 'a1']], ['01002', 1, ['b1']]]);
        expect(one[3]).toEqual([]);
        const scoped = await store.aggregateMany(queries.slice(0, 2), localityScope(['01002']));
        expect(scoped).toEqual([[{ group: { 'organization.id': '01002' }, values: [1], sampleIds: ['b1'] }], []]);
        await expectInvalid(store.aggregateMany([queries[0], { ...queries[1], limit: 0 }], ALL_SCOPE));
      });
    });

    describe('histogram', () => {
      it('aligns buckets to multiples of the interval, includes empty ones, honours [from, to)', async () => {
        const from = T0 + 10 * MIN; // not aligned to the hour
        await store.write(makeBatch('b1', [
          makeEvent({ id: 'before', at: from - 1 }), makeEvent({ id: 'first', at: from }), makeEvent({ id: 'first2', at: T0 + 59 * MIN }),
          makeEvent({ id: 'third', at: T0 + 2 * HOUR }), makeEvent({ id: 'last', at: T0 + 3 * HOUR - 1 }), makeEvent({ id: 'at-to', at: T0 + 3 * HOUR }),
        ]));
        const buckets = await store.histogram({ from, to: T0 + 3 * HOUR, filter: MATCH_ALL, intervalMs: HOUR }, ALL_SCOPE);
        expect(buckets).toEqual([{ start: T0, count: 2 }, { start: T0 + HOUR, count: 0 }, { start: T0 + 2 * HOUR, count: 2 }]);
        const scoped = await store.histogram({ from, to: T0 + 3 * HOUR, filter: MATCH_ALL, intervalMs: HOUR }, localityScope(['79']));
        expect(scoped.map((b) => b.count)).toEqual([0, 0, 0]);
      });

      it('rejects a non-positive interval as invalid', async () => {
        await expectInvalid(store.histogram({ ...RANGE, filter: MATCH_ALL, intervalMs: 0 }, ALL_SCOPE));
      });
    });

    describe('sourceStats', () => {
      it('sums its batches (received = stored + dead-lettered) and knows the newest event and batch', async () => {
        await store.write(makeBatch('b1', [makeEvent({ id: 'a', at: T0 + 5 }), makeEvent({ id: 'b', at: T0 })], [makeDeadLetter('b1', 3, '01001', T0)]));
        await store.write(makeBatch('b2', [makeEvent({ id: 'c', at: T0 - HOUR })], [makeDeadLetter('b2', 2, '01001', T0), makeDeadLetter('b2', 3, '01001', T0)]));
        await store.write(makeBatch('b2', [makeEvent({ id: 'c', at: T0 - HOUR })], [makeDeadLetter('b2', 2, '01001', T0), makeDeadLetter('b2', 3, '01001', T0)]));
        const stats = await store.sourceStats('src-01001');
        expect(stats).toEqual({ received: 6, stored: 3, deadLettered: 3, lastEventAt: T0 + 5, lastBatchAt: NOW });
        expect(stats.received).toBe(stats.stored + stats.deadLettered);
        expect(await store.sourceStats('src-unknown')).toEqual({ received: 0, stored: 0, deadLettered: 0, lastEventAt: null, lastBatchAt: null });
      });
    });

    describe('retention', () => {
      it(options.expiresItself ? 'leaves retention to the backend: prune deletes nothing' : 'prunes events and dead letters older than the cut-off, keeping batch counters', async () => {
        await store.write(makeBatch('old', [makeEvent({ id: 'o1', at: T0 - 2 * HOUR }), makeEvent({ id: 'o2', at: T0 - HOUR - 1 })], [makeDeadLetter('old', 3, '01001', T0 - 2 * HOUR)]));
        await store.write(makeBatch('new', [makeEvent({ id: 'n1', at: T0 - HOUR }), makeEvent({ id: 'n2', at: T0 })], [makeDeadLetter('new', 3, '01001', T0)]));
        const pruned = await store.prune(T0 - HOUR);
        const all = { ...RANGE, filter: MATCH_ALL, size: 100 };
        const left = ids((await store.search(all, ALL_SCOPE)).events);
        const dead = (await store.listDeadLetters({ size: 10 }, ALL_SCOPE)).deadLetters.map((d) => d.id);
        if (options.expiresItself) {
          expect(pruned).toEqual({ events: 0, deadLetters: 0 });
          expect(left).toHaveLength(4);
          return;
        }
        expect(pruned).toEqual({ events: 2, deadLetters: 1 });
        expect(left).toEqual(['n2', 'n1']);
        expect(dead).toEqual(['new:3']);
        expect((await store.sourceStats('src-01001')).received).toBe(6);
        expect(await store.prune(T0 - HOUR)).toEqual({ events: 0, deadLetters: 0 });
        // Idempotency is by event id: an old batch re-delivered after its events were pruned stores
        // them again, and the next prune removes them.
        await store.write(makeBatch('old', [makeEvent({ id: 'o1', at: T0 - 2 * HOUR })], []));
        expect(await store.prune(T0 - HOUR)).toEqual({ events: 1, deadLetters: 0 });
      });
    });

    describe('dead letters', () => {
      beforeEach(async () => {
        await store.write(makeBatch('b1', [], [1, 2, 3].map((l) => makeDeadLetter('b1', l, '01001', T0)), '01001'));
        await store.write(makeBatch('b2', [], [makeDeadLetter('b2', 1, '01002', T0 + 1)], '01002'));
        await store.write(makeBatch('b3', [], [makeDeadLetter('b3', 1, '79001', T0 + 2)], '79001'));
      });
      const listIds = async (scope: Scope, sourceId?: string) => (await store.listDeadLetters({ size: 100, sourceId }, scope)).deadLetters.map((d) => d.id);

      it('lists newest first (by received time, then id), scoped', async () => {
        expect(await listIds(ALL_SCOPE)).toEqual(['b3:1', 'b2:1', 'b1:3', 'b1:2', 'b1:1']);
        expect(await listIds(localityScope(['01001']))).toEqual(['b1:3', 'b1:2', 'b1:1']);
        expect(await listIds(localityScope(['01']))).toEqual(['b2:1', 'b1:3', 'b1:2', 'b1:1']);
        expect(await listIds(localityScope(['79001']))).toEqual(['b3:1']);
        expect(await listIds(ALL_SCOPE, 'src-01002')).toEqual(['b2:1']);
        expect(await listIds(localityScope(['79']), 'src-01002')).toEqual([]);
      });

      it('returns dead letters as written and pages them with a cursor', async () => {
        const first = await store.listDeadLetters({ size: 2 }, ALL_SCOPE);
        expect(first.deadLetters[0]).toEqual(makeDeadLetter('b3', 1, '79001', T0 + 2));
        const rest: string[] = [];
        let cursor = first.nextCursor;
        while (cursor !== null) {
          const page = await store.listDeadLetters({ size: 2, cursor }, ALL_SCOPE);
          rest.push(...page.deadLetters.map((d) => d.id));
          cursor = page.nextCursor;
        }
        expect([...first.deadLetters.map((d) => d.id), ...rest]).toEqual(['b3:1', 'b2:1', 'b1:3', 'b1:2', 'b1:1']);
      });
    });
  });
}
