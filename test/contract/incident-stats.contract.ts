import { fingerprint, type Incident, type NewTimelineEntry } from '../../src/incidents/incident';
import type { Severity } from '../../src/rules/rule';
import { DAY, HOUR, MIN, SEC, T0, fillIncidents } from '../../src/stats/test-data';
import type { IncidentStats } from '../../src/store/incident-stats';
import type { IncidentStore } from '../../src/store/incident-store';
import { MemoryIncidentStore } from '../../src/store/memory/incident-store';
import { ALL_SCOPE, localityScope } from '../../src/store/scope';

/** A store with its statistics view (IncidentStats over the store's own data). */
type Make = () => Promise<{ store: IncidentStore; stats: IncidentStats }>;

const RANGE = { from: T0 - DAY, to: T0 };
const zero = { n: 0, meanMs: null, p50Ms: null, p90Ms: null };

/**
 * The IncidentStats contract: every adapter passes it with the same figures. The hand-made data of
 * src/stats/test-data.ts gives known answers; a seeded random data set must then give exactly what
 * the memory implementation gives (the reference: percentiles by quantileCont).
 */
export function incidentStatsContract(name: string, make: Make) {
  describe(`IncidentStats contract: ${name}`, () => {
    let store: IncidentStore;
    let stats: IncidentStats;
    beforeEach(async () => {
      ({ store, stats } = await make());
    });
    afterEach(async () => store.close());

    it('answers empty figures for no incidents', async () => {
      expect(await stats.createdCounts({ ...RANGE, intervalMs: HOUR, by: 'severity' }, ALL_SCOPE)).toEqual([]);
      expect(await stats.backlog(T0, ALL_SCOPE)).toEqual([]);
      expect(await stats.responseTimes(RANGE, 'locality', ALL_SCOPE)).toEqual([]);
      expect(await stats.breaches(RANGE, T0, ALL_SCOPE)).toEqual([]);
      expect(await stats.topRules(RANGE, 10, ALL_SCOPE)).toEqual([]);
    });

    describe('with the hand-made incidents', () => {
      beforeEach(() => fillIncidents(store));

      it('counts created incidents per bucket and dimension, from inclusive, to exclusive', async () => {
        const cells = await stats.createdCounts({ from: T0 - 10 * HOUR, to: T0 - 7 * HOUR, intervalMs: HOUR, by: 'locality' }, ALL_SCOPE);
        // A at -10 h (from: in), C at -8 h, B at -9 h; G at -7 h = to: out.
        expect(cells).toEqual([
          { start: T0 - 10 * HOUR, key: '00004', count: 1 }, { start: T0 - 9 * HOUR, key: '00004', count: 1 }, { start: T0 - 8 * HOUR, key: '00005', count: 1 },
        ]);
      });

      it('keeps to the scope: a commune its own, a province its subtree', async () => {
        const keys = async (codes: string[]) =>
          (await stats.createdCounts({ ...RANGE, intervalMs: DAY, by: 'locality' }, localityScope(codes))).map((c) => c.key);
        expect(await keys(['00004'])).toEqual(['00004']);
        expect(await keys(['01'])).toEqual(['00004', '01']);
        expect(await keys(['02'])).toEqual(['00005']);
        expect(await keys(['99'])).toEqual([]);
        expect((await stats.backlog(T0, localityScope(['00004']))).map((c) => c.locality)).toEqual(['00004']);
        expect((await stats.topRules(RANGE, 10, localityScope(['00005']))).map((r) => r.ruleId)).toEqual(['r-down']);
      });

      it('counts the backlog per locality, severity, status and age', async () => {
        expect(await stats.backlog(T0, ALL_SCOPE)).toEqual([
          { locality: '00004', severity: 'medium', status: 'acknowledged', age: '4h_24h', count: 1 },
          { locality: '00005', severity: 'low', status: 'open', age: '1d_7d', count: 1 },
          { locality: '00005', severity: 'critical', status: 'open', age: '4h_24h', count: 1 },
          { locality: '01', severity: 'critical', status: 'open', age: 'lt_1h', count: 1 },
        ]);
      });

      it('gives MTTA and MTTR in ms with continuous percentiles', async () => {
        const rows = await stats.responseTimes(RANGE, 'locality', ALL_SCOPE);
        expect(rows).toEqual([
          {
            key: '00004', incidents: 4, autoResolved: 1,
            ack: { n: 4, meanMs: (60 + 180 + 300 + 15000) * SEC / 4, p50Ms: 240 * SEC, p90Ms: (300 + 0.7 * 14700) * SEC },
            resolve: { n: 3, meanMs: 1600 * SEC, p50Ms: 1200 * SEC, p90Ms: 2640 * SEC },
          },
          { key: '00005', incidents: 1, autoResolved: 0, ack: zero, resolve: zero },
          { key: '01', incidents: 1, autoResolved: 0, ack: zero, resolve: zero },
        ].map((r) => ({ ...r, ack: { ...r.ack, p90Ms: r.ack.p90Ms === null ? null : expect.closeTo(r.ack.p90Ms, 6) } })));
      });

      it('counts SLA breaches as of now', async () => {
        expect(await stats.breaches(RANGE, T0, ALL_SCOPE)).toEqual([
          { locality: '00004', severity: 'medium', incidents: 1, breaches: 1 },
          { locality: '00004', severity: 'high', incidents: 3, breaches: 0 },
          { locality: '00005', severity: 'critical', incidents: 1, breaches: 1 },
          { locality: '01', severity: 'critical', incidents: 1, breaches: 0 },
        ]);
        // 20 minutes later F's ack_due has passed too.
        expect((await stats.breaches(RANGE, T0 + 20 * MIN, ALL_SCOPE))[3]).toEqual({ locality: '01', severity: 'critical', incidents: 1, breaches: 1 });
      });

      it('ranks rules by count then id, limited to size', async () => {
        expect(await stats.topRules({ from: T0 - 3 * DAY, to: T0 }, 10, ALL_SCOPE)).toEqual([
          { ruleId: 'r-web', title: 'Title of inc_G', category: 'intrusion-attempts', severity: 'high', count: 3 },
          { ruleId: 'r-down', title: 'Title of inc_F', category: 'availability', severity: 'critical', count: 2 },
          { ruleId: 'r-otp', title: 'Title of inc_D', category: 'intrusion-attempts', severity: 'medium', count: 2 },
        ]);
        expect(await stats.topRules(RANGE, 1, ALL_SCOPE)).toHaveLength(1);
      });
    });

    it('gives exactly the reference figures on a random data set', async () => {
      const reference = new MemoryIncidentStore();
      const specs = randomIncidents(400, 0x5eed);
      for (const target of [store, reference]) await writeAll(target, specs);
      const ref = reference.stats();
      const wide = { from: T0 - 30 * DAY, to: T0 };
      const scopes = [ALL_SCOPE, localityScope(['01']), localityScope(['00007'])];
      for (const scope of scopes) {
        for (const by of ['locality', 'category', 'severity'] as const) {
          expect(await stats.createdCounts({ ...wide, intervalMs: DAY, by }, scope)).toEqual(await ref.createdCounts({ ...wide, intervalMs: DAY, by }, scope));
        }
        expect(await stats.backlog(T0, scope)).toEqual(await ref.backlog(T0, scope));
        for (const by of ['locality', 'severity'] as const) expect(await stats.responseTimes(wide, by, scope)).toEqual(await ref.responseTimes(wide, by, scope));
        expect(await stats.breaches(wide, T0, scope)).toEqual(await ref.breaches(wide, T0, scope));
        expect(await stats.topRules(wide, 5, scope)).toEqual(await ref.topRules(wide, 5, scope));
      }
    });
  });
}

type Spec = { incident: Incident; entries: NewTimelineEntry[] };

/** Seeded random incidents over 30 days, 10 communes of 2 provinces, with acks, resolutions and escalations. */
function randomIncidents(n: number, seed: number): Spec[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const severities: Severity[] = ['low', 'medium', 'high', 'critical'];
  return Array.from({ length: n }, (_, k) => {
    const c = Math.floor(rand() * 10);
    const locality = `0000${c}`;
    const createdAt = T0 - Math.floor(rand() * 30 * DAY);
    const ruleId = `rule-${Math.floor(rand() * 7)}`;
    const id = `inc_${String(k).padStart(4, '0')}`;
    const group = { k };
    const r = rand();
    const status: Incident['status'] = r < 0.5 ? 'resolved' : r < 0.75 ? 'acknowledged' : 'open';
    const entries: NewTimelineEntry[] = [];
    const add = (action: NewTimelineEntry['action'], at: number, actor = 'user:bob') => entries.push({ incidentId: id, at, actor, action, from: null, to: null, note: null });
    add('created', createdAt + Math.floor(rand() * 5) * SEC, `rule:${ruleId}`);
    if (rand() < 0.3) add('escalated', createdAt + Math.floor(rand() * 2 * HOUR), rand() < 0.7 ? 'system:escalation' : 'user:bob');
    if (status !== 'open' && rand() < 0.8) add('acknowledged', createdAt + Math.floor(rand() * 4 * HOUR));
    if (status === 'resolved') add(rand() < 0.3 ? 'auto_resolved' : 'resolved', createdAt + Math.floor(rand() * 2 * DAY), 'rule:x');
    const incident: Incident = {
      id, fingerprint: fingerprint(ruleId, locality, group), ruleId, ruleVersion: 'v1', title: `T${Math.floor(rand() * 3)}`,
      severity: severities[Math.floor(rand() * 4)], category: rand() < 0.5 ? 'fraud' : 'availability', locality, province: c < 5 ? '01' : '02',
      status, resolution: null, assignee: null, escalationLevel: 0, count: 1,
      firstSeen: createdAt, lastSeen: createdAt, ackDue: status === 'open' && rand() < 0.6 ? createdAt + Math.floor(rand() * 3 * DAY) : null,
      evidence: { query: '*', sampleEventIds: [] }, group, parentId: null, resolvedAt: null, version: 1,
    };
    return { incident, entries };
  });
}

async function writeAll(store: IncidentStore, specs: readonly Spec[]): Promise<void> {
  for (const { incident, entries } of specs) {
    await store.create(incident, entries[0]);
    if (entries.length > 1) await store.appendTimeline(entries.slice(1));
  }
}
