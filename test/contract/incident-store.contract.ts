import { fingerprint, type Incident, type NewTimelineEntry } from '../../src/incidents/incident';
import type { IncidentQuery, IncidentSort, IncidentStore } from '../../src/store/incident-store';
import { ALL_SCOPE, localityScope } from '../../src/store/scope';

const T = Date.UTC(2026, 10, 23, 2, 0, 0);
const MIN = 60_000;
/** Group values shared by the incidents of one fingerprint (rule r1, commune 00004). */
const SAME = { group: { 'source.ip': '203.0.113.7' } };

/** An open incident of rule r1 for commune 00004 (province 01); `over` changes any field. */
export const incident = (id: string, over: Partial<Incident> = {}): Incident => {
  const base = {
    id, ruleId: 'r1', locality: '00004', group: { 'source.ip': `203.0.113.${id.length}`, 'url.path': `/${id}` }, ...over,
  };
  return {
    fingerprint: fingerprint(base.ruleId, base.locality, base.group), ruleVersion: 'v1', title: `Incident ${id}`, severity: 'medium',
    category: 'intrusion-attempts', province: '01', status: 'open', resolution: null, assignee: null, escalationLevel: 0, count: 1,
    firstSeen: T, lastSeen: T, ackDue: null, evidence: { query: 'source.ip:"203.0.113.7"', sampleEventIds: ['e1', 'e2'] },
    parentId: null, resolvedAt: null, version: 1, ...base,
  };
};

const entry = (incidentId: string, action: NewTimelineEntry['action'], at = T, over: Partial<NewTimelineEntry> = {}): NewTimelineEntry => ({
  incidentId, at, actor: 'rule:r1', action, from: null, to: null, note: null, ...over,
});

type Make = () => Promise<{ store: IncidentStore; reopen?: () => Promise<IncidentStore> }>;

/** The IncidentStore contract: every adapter passes it. */
export function incidentStoreContract(name: string, make: Make, persistent: boolean) {
  describe(`IncidentStore contract: ${name}`, () => {
    let store: IncidentStore;
    let reopen: (() => Promise<IncidentStore>) | undefined;
    beforeEach(async () => {
      ({ store, reopen } = await make());
    });
    afterEach(async () => store.close());

    const create = (i: Incident, hitId?: string) => store.create(i, entry(i.id, 'created', i.firstSeen), hitId);
    const ids = async (q: IncidentQuery, scope = ALL_SCOPE) => (await store.list(q, scope)).incidents.map((i) => i.id);

    it('round-trips an incident with its first timeline entry and refuses a second one with the same id', async () => {
      const a = incident('inc_a', { assignee: 'user:lan', ackDue: T + 5 * MIN, group: { 'source.ip': '203.0.113.7', 'http.response.status_code': 401 } });
      await create(a);
      expect(await store.get('inc_a', ALL_SCOPE)).toEqual(a);
      expect(await store.timeline('inc_a')).toEqual([{ ...entry('inc_a', 'created'), seq: 1 }]);
      await expect(create(incident('inc_a', { group: { other: 'x' } }))).rejects.toMatchObject({ kind: 'conflict' });
      expect(await store.get('inc_missing', ALL_SCOPE)).toBeNull();
      expect(await store.timeline('inc_missing')).toEqual([]);
    });

    it('applies the scope to get and list: a commune sees only itself, a province its communes', async () => {
      await create(incident('inc_a'));
      await create(incident('inc_b', { locality: '00007' }));
      await create(incident('inc_c', { locality: '26734', province: '79' }));
      await create(incident('inc_d', { locality: '01', province: '01' }));
      await create(incident('inc_e', { locality: 'VN', province: null }));
      expect(await store.get('inc_b', localityScope(['00004']))).toBeNull();
      expect(await store.get('inc_a', localityScope(['00004']))).toMatchObject({ id: 'inc_a' });
      expect(await store.get('inc_c', localityScope(['01']))).toBeNull();
      expect(await store.get('inc_b', localityScope(['01']))).toMatchObject({ id: 'inc_b' });
      expect((await ids({ sort: 'first_seen', direction: 'asc' }, localityScope(['00004'])))).toEqual(['inc_a']);
      expect((await ids({ direction: 'asc' }, localityScope(['01'])))).toEqual(['inc_a', 'inc_b', 'inc_d']);
      expect((await ids({ direction: 'asc' }, localityScope(['79', '00004'])))).toEqual(['inc_a', 'inc_c']);
      expect((await ids({ direction: 'asc' }, localityScope([])))).toEqual([]);
      expect((await ids({ direction: 'asc' }))).toEqual(['inc_a', 'inc_b', 'inc_c', 'inc_d', 'inc_e']);
    });

    it('finds the active and the latest incident of a fingerprint, and keeps one active per fingerprint', async () => {
      const old = incident('inc_old', { ...SAME, status: 'resolved', resolution: 'benign', resolvedAt: T, firstSeen: T - 60 * MIN });
      await create(old);
      expect(await store.findActiveByFingerprint(old.fingerprint)).toBeNull();
      expect(await store.findLatestByFingerprint(old.fingerprint)).toEqual(old);
      const cur = incident('inc_new', { ...SAME, firstSeen: T });
      await create(cur);
      expect(await store.findActiveByFingerprint(cur.fingerprint)).toEqual(cur);
      expect(await store.findLatestByFingerprint(cur.fingerprint)).toEqual(cur);
      await expect(create(incident('inc_twin', { ...SAME, firstSeen: T + MIN }))).rejects.toMatchObject({ kind: 'conflict', details: { activeId: 'inc_new' } });
      expect(await store.get('inc_twin', ALL_SCOPE)).toBeNull();
      expect(await store.timeline('inc_twin')).toEqual([]);
      expect(await store.findActiveByFingerprint('0'.repeat(64))).toBeNull();
      expect(await store.findLatestByFingerprint('0'.repeat(64))).toBeNull();
    });

    it('lets exactly one of two racing creates of a fingerprint win', async () => {
      const results = await Promise.allSettled([create(incident('inc_x1', SAME)), create(incident('inc_x2', SAME))]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((await store.list({}, ALL_SCOPE)).incidents).toHaveLength(1);
    });

    it('updates by compare-and-set on the version, with its timeline entries', async () => {
      await create(incident('inc_a'));
      const next = { ...incident('inc_a'), status: 'acknowledged' as const, assignee: 'user:lan', version: 99 };
      const stored = await store.update(next, 1, [entry('inc_a', 'acknowledged', T + MIN, { actor: 'user:lan', from: 'open', to: 'acknowledged' })]);
      expect(stored).toEqual({ ...next, version: 2 });
      expect(await store.get('inc_a', ALL_SCOPE)).toEqual(stored);
      expect((await store.timeline('inc_a')).map((e) => [e.seq, e.action, e.from, e.to])).toEqual([[1, 'created', null, null], [2, 'acknowledged', 'open', 'acknowledged']]);
    });

    it('refuses a stale version with a conflict naming both versions, and writes nothing', async () => {
      await create(incident('inc_a'));
      await store.update({ ...incident('inc_a'), count: 2 }, 1, [entry('inc_a', 'hit_added')]);
      const stale = store.update({ ...incident('inc_a'), count: 7 }, 1, [entry('inc_a', 'hit_added')], 'hit-stale');
      await expect(stale).rejects.toMatchObject({ kind: 'conflict', details: { expected: 1, actual: 2 } });
      await expect(store.update(incident('inc_a'), 1, [])).rejects.toThrow(/changed by someone else \(version 2, expected 1\); reload and retry/);
      expect(await store.get('inc_a', ALL_SCOPE)).toMatchObject({ count: 2, version: 2 });
      expect(await store.timeline('inc_a')).toHaveLength(2);
      expect(await store.hasHit('hit-stale')).toBe(false);
      await expect(store.update(incident('inc_nope'), 1, [])).rejects.toMatchObject({ kind: 'not_found' });
    });

    it('lets exactly one of two racing updates from the same version win', async () => {
      await create(incident('inc_a'));
      const results = await Promise.allSettled([
        store.update({ ...incident('inc_a'), count: 2 }, 1, [entry('inc_a', 'hit_added')]),
        store.update({ ...incident('inc_a'), count: 3 }, 1, [entry('inc_a', 'hit_added')]),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(await store.timeline('inc_a')).toHaveLength(2);
    });

    it('frees the fingerprint on resolve and refuses a reopen while another incident of it is active', async () => {
      await create(incident('inc_a', SAME));
      await store.update({ ...incident('inc_a', SAME), status: 'resolved', resolution: 'true_positive', resolvedAt: T }, 1, [entry('inc_a', 'resolved')]);
      await create(incident('inc_b', { ...SAME, firstSeen: T + MIN }));
      await expect(store.update({ ...incident('inc_a', SAME), status: 'open' }, 2, [entry('inc_a', 'reopened')])).rejects.toMatchObject({ kind: 'conflict' });
      expect(await store.get('inc_a', ALL_SCOPE)).toMatchObject({ status: 'resolved', version: 2 });
      expect(await store.timeline('inc_a')).toHaveLength(2);
      await store.update({ ...incident('inc_b', SAME), status: 'resolved', resolution: 'duplicate', resolvedAt: T + MIN }, 1, []);
      await store.update({ ...incident('inc_a', SAME), status: 'open' }, 2, [entry('inc_a', 'reopened')]);
      expect(await store.findActiveByFingerprint(incident('inc_a', SAME).fingerprint)).toMatchObject({ id: 'inc_a', version: 3 });
    });

    it('keeps the identity fields of an incident as created', async () => {
      await create(incident('inc_a'));
      const moved = await store.update({ ...incident('inc_a'), locality: '26734', province: '79', ruleId: 'other', category: 'fraud', fingerprint: 'x' }, 1, []);
      expect(moved).toMatchObject({ locality: '00004', province: '01', ruleId: 'r1', category: 'intrusion-attempts', fingerprint: incident('inc_a').fingerprint });
      expect(await store.get('inc_a', ALL_SCOPE)).toEqual(moved);
    });

    it('keeps the timeline in order across updates and appended entries', async () => {
      await create(incident('inc_a'));
      await store.appendTimeline([entry('inc_a', 'notified', T + 1, { actor: 'system', to: { channel: 'email' } })]);
      await store.update({ ...incident('inc_a'), escalationLevel: 1 }, 1, [
        entry('inc_a', 'escalated', T + 2, { actor: 'system', from: 0, to: 1 }), entry('inc_a', 'notified', T + 2, { actor: 'system', note: 'province' }),
      ]);
      await store.appendTimeline([entry('inc_a', 'commented', T + 3, { actor: 'user:lan', note: 'Looking' }), entry('inc_a', 'commented', T + 3, { note: 'again' })]);
      const timeline = await store.timeline('inc_a');
      expect(timeline.map((e) => [e.seq, e.action, e.note])).toEqual([
        [1, 'created', null], [2, 'notified', null], [3, 'escalated', null], [4, 'notified', 'province'], [5, 'commented', 'Looking'], [6, 'commented', 'again'],
      ]);
      expect(timeline[1]).toMatchObject({ actor: 'system', to: { channel: 'email' } });
      await expect(store.appendTimeline([entry('inc_a', 'commented'), entry('inc_zz', 'commented')])).rejects.toMatchObject({ kind: 'not_found' });
      expect(await store.timeline('inc_a')).toHaveLength(6);
      await expect(store.update(incident('inc_a'), 2, [entry('inc_other', 'hit_added')])).rejects.toMatchObject({ kind: 'invalid' });
    });

    it('records processed hits with the change and refuses a hit twice, writing nothing', async () => {
      await create(incident('inc_a'), 'hit-1');
      expect(await store.hasHit('hit-1')).toBe(true);
      expect(await store.hasHit('hit-2')).toBe(false);
      await store.update({ ...incident('inc_a'), count: 2 }, 1, [entry('inc_a', 'hit_added')], 'hit-2');
      expect(await store.hasHit('hit-2')).toBe(true);
      await expect(store.update({ ...incident('inc_a'), count: 3 }, 2, [entry('inc_a', 'hit_added')], 'hit-2')).rejects.toMatchObject({ kind: 'conflict' });
      await expect(create(incident('inc_b', { ruleId: 'r2' }), 'hit-1')).rejects.toMatchObject({ kind: 'conflict' });
      expect(await store.get('inc_a', ALL_SCOPE)).toMatchObject({ count: 2, version: 2 });
      expect(await store.get('inc_b', ALL_SCOPE)).toBeNull();
      expect(await store.timeline('inc_a')).toHaveLength(2);
    });

    describe('listing', () => {
      beforeEach(async () => {
        await create(incident('inc_1', { severity: 'low', lastSeen: T + 1 * MIN, firstSeen: T - 5 * MIN, count: 3 }));
        await create(incident('inc_2', { severity: 'critical', lastSeen: T + 2 * MIN, firstSeen: T - 1 * MIN, count: 1, status: 'acknowledged', ruleId: 'r2' }));
        await create(incident('inc_3', { severity: 'high', lastSeen: T + 3 * MIN, firstSeen: T - 3 * MIN, count: 7, locality: '00007', category: 'availability' }));
        await create(incident('inc_4', { severity: 'medium', lastSeen: T + 4 * MIN, firstSeen: T - 4 * MIN, count: 2, status: 'resolved', resolution: 'benign', resolvedAt: T, locality: '26734', province: '79' }));
        await create(incident('inc_5', { severity: 'high', lastSeen: T + 2 * MIN, firstSeen: T - 2 * MIN, count: 7, locality: '01', province: '01', ruleId: 'r2' }));
      });

      it('lists the incidents rolled up into a parent', async () => {
        await create(incident('inc_6', { lastSeen: T + 5 * MIN, parentId: 'inc_5' }));
        await create(incident('inc_7', { lastSeen: T + 6 * MIN, locality: '00007', parentId: 'inc_5' }));
        expect(await ids({ parentId: 'inc_5' })).toEqual(['inc_7', 'inc_6']);
        expect(await ids({ parentId: 'inc_5' }, localityScope(['00007']))).toEqual(['inc_7']);
        expect(await ids({ parentId: 'inc_1' })).toEqual([]);
      });

      it('filters by status, severity, locality subtree, rule, category and lastSeen range', async () => {
        expect(await ids({ status: ['open'], direction: 'asc' })).toEqual(['inc_1', 'inc_5', 'inc_3']);
        expect(await ids({ status: ['acknowledged', 'resolved'] })).toEqual(['inc_4', 'inc_2']);
        expect(await ids({ severity: ['high'] })).toEqual(['inc_3', 'inc_5']);
        expect(await ids({ severity: ['low', 'critical'], status: [] })).toEqual(['inc_2', 'inc_1']);
        expect(await ids({ locality: '00007' })).toEqual(['inc_3']);
        expect(await ids({ locality: '01' })).toEqual(['inc_3', 'inc_5', 'inc_2', 'inc_1']);
        expect(await ids({ locality: '79' })).toEqual(['inc_4']);
        expect(await ids({ ruleId: 'r2' })).toEqual(['inc_5', 'inc_2']);
        expect(await ids({ category: 'availability' })).toEqual(['inc_3']);
        expect(await ids({ from: T + 2 * MIN, to: T + 4 * MIN })).toEqual(['inc_3', 'inc_5', 'inc_2']);
        expect(await ids({ from: T + 4 * MIN })).toEqual(['inc_4']);
        expect(await ids({ to: T + 2 * MIN })).toEqual(['inc_1']);
        expect(await ids({ locality: '79' }, localityScope(['01']))).toEqual([]);
      });

      it('sorts by each key in both directions, ties broken by id', async () => {
        const cases: [IncidentSort, string[]][] = [
          ['last_seen', ['inc_1', 'inc_2', 'inc_5', 'inc_3', 'inc_4']],
          ['first_seen', ['inc_1', 'inc_4', 'inc_3', 'inc_5', 'inc_2']],
          ['severity', ['inc_1', 'inc_4', 'inc_3', 'inc_5', 'inc_2']],
          ['count', ['inc_2', 'inc_4', 'inc_1', 'inc_3', 'inc_5']],
        ];
        for (const [sort, asc] of cases) {
          expect([sort, await ids({ sort, direction: 'asc' })]).toEqual([sort, asc]);
          expect([sort, await ids({ sort, direction: 'desc' })]).toEqual([sort, [...asc].reverse()]);
        }
        expect(await ids({})).toEqual(['inc_4', 'inc_3', 'inc_5', 'inc_2', 'inc_1']);
      });

      it('rejects bad sizes, values and cursors as invalid', async () => {
        for (const q of [{ size: 0 }, { size: 501 }, { size: 1.5 }, { cursor: 'not a cursor' }, { cursor: 'eyJ4IjoxfQ' }, { from: 1.5 }]) {
          await expect(store.list(q, ALL_SCOPE)).rejects.toMatchObject({ kind: 'invalid' });
        }
        await expect(store.list({ status: ['closed' as 'open'] }, ALL_SCOPE)).rejects.toMatchObject({ kind: 'invalid', details: { field: 'status' } });
        await expect(store.list({ sort: 'title' as IncidentSort }, ALL_SCOPE)).rejects.toMatchObject({ kind: 'invalid' });
        const { nextCursor } = await store.list({ size: 2, sort: 'count' }, ALL_SCOPE);
        await expect(store.list({ size: 2, sort: 'last_seen', cursor: nextCursor as string }, ALL_SCOPE)).rejects.toMatchObject({ kind: 'invalid' });
        expect((await store.list({ size: 500 }, ALL_SCOPE)).nextCursor).toBeNull();
      });
    });

    it('pages through every incident without duplicates or gaps, for every sort', async () => {
      for (let n = 0; n < 23; n++) {
        const severity = (['low', 'medium', 'high', 'critical'] as const)[n % 4];
        await create(incident(`inc_p${String(n).padStart(2, '0')}`, { severity, count: n % 3, lastSeen: T + (n % 5) * MIN, firstSeen: T - (n % 7) * MIN }));
      }
      for (const sort of ['last_seen', 'first_seen', 'severity', 'count'] as const) {
        for (const direction of ['asc', 'desc'] as const) {
          const all = await ids({ sort, direction, size: 500 });
          const paged: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await store.list({ sort, direction, size: 4, cursor }, ALL_SCOPE);
            paged.push(...page.incidents.map((i) => i.id));
            cursor = page.nextCursor ?? undefined;
          } while (cursor !== undefined);
          expect([sort, direction, paged]).toEqual([sort, direction, all]);
          expect(new Set(paged).size).toBe(23);
        }
      }
    });

    (persistent ? it : it.skip)('keeps incidents, timelines, fingerprints and processed hits across a reopen', async () => {
      const a = incident('inc_a', { group: { 'source.ip': '203.0.113.9', n: 3, none: null } });
      const twin = incident('inc_twin', { group: { none: null, n: 3, 'source.ip': '203.0.113.9' } });
      await create(a, 'hit-1');
      const b = await store.update({ ...a, status: 'acknowledged' }, 1, [entry('inc_a', 'acknowledged', T + 1, { from: 'open', to: 'acknowledged' })]);
      await store.close();
      store = await (reopen as () => Promise<IncidentStore>)();
      expect(await store.get('inc_a', ALL_SCOPE)).toEqual(b);
      expect(await store.findActiveByFingerprint(a.fingerprint)).toEqual(b);
      expect(await store.hasHit('hit-1')).toBe(true);
      expect((await store.timeline('inc_a')).map((e) => e.action)).toEqual(['created', 'acknowledged']);
      await expect(create(twin)).rejects.toMatchObject({ kind: 'conflict' });
    });
    it('exports the hit ids of an incident and imports an incident as it is, for canh migrate', async () => {
      const a = incident('inc_a');
      await create(a, 'hit-2');
      const a2 = await store.update({ ...a, count: 2 }, 1, [entry('inc_a', 'hit_added', T + MIN)], 'hit-1');
      await store.appendTimeline([entry('inc_a', 'commented', T + 2 * MIN, { actor: 'user:lan', note: 'xem' })]);
      const exportHitIds = store.exportHitIds as NonNullable<IncidentStore['exportHitIds']>;
      const importIncident = (store.importIncident as NonNullable<IncidentStore['importIncident']>).bind(store);
      expect(await exportHitIds.call(store, 'inc_a')).toEqual(['hit-1', 'hit-2']);
      expect(await exportHitIds.call(store, 'inc_missing')).toEqual([]);

      const timeline = (await store.timeline('inc_a')).map((e) => ({ ...e, incidentId: 'inc_b' }));
      const b = { ...a2, id: 'inc_b', status: 'resolved' as const, resolution: 'benign' as const, resolvedAt: T + 3 * MIN, version: 7 };
      await importIncident(b, timeline, ['hit-9', 'hit-8']);
      expect(await store.get('inc_b', ALL_SCOPE)).toEqual(b);
      expect(await store.timeline('inc_b')).toEqual(timeline);
      expect(await exportHitIds.call(store, 'inc_b')).toEqual(['hit-8', 'hit-9']);
      expect(await store.hasHit('hit-9')).toBe(true);

      // Nothing of a refused import is written.
      await expect(importIncident(b, timeline, [])).rejects.toMatchObject({ kind: 'conflict' });
      const c = { ...incident('inc_c'), version: 3 };
      await expect(importIncident(c, [{ ...entry('inc_c', 'created'), seq: 1 }], ['hit-x', 'hit-1'])).rejects.toMatchObject({ kind: 'conflict' });
      expect(await store.get('inc_c', ALL_SCOPE)).toBeNull();
      expect(await store.hasHit('hit-x')).toBe(false);
      const twin = { ...incident('inc_d'), fingerprint: a.fingerprint };
      await expect(importIncident(twin, [{ ...entry('inc_d', 'created'), seq: 1 }], [])).rejects.toMatchObject({ kind: 'conflict' });
      await expect(importIncident(c, [{ ...entry('inc_c', 'created'), seq: 2 }], [])).rejects.toMatchObject({ kind: 'invalid' });
      await importIncident(c, [{ ...entry('inc_c', 'created'), seq: 1 }], ['hit-x']);
      expect(await store.findActiveByFingerprint(c.fingerprint)).toEqual(c);
    });
  });
}
