import { FakeClock } from '../lib/clock';
import type { Hit, Severity } from '../rules/rule';
import { MemoryIncidentStore } from '../store/memory/incident-store';
import { ALL_SCOPE } from '../store/scope';
import type { Incident, TimelineAction } from './incident';
import { IncidentService } from './incident-service';
import { ROLLUP_ACTOR, rollupFingerprint, rollupListener } from './rollup';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);

/** Communes → province; '01' and '79' are provinces. */
const PROVINCE_OF: Record<string, string> = {
  '01': '01', '00004': '01', '00006': '01', '00007': '01', '00008': '01',
  '79': '79', '26734': '79', '26737': '79', '26740': '79',
};

describe('rollupListener', () => {
  let clock: FakeClock;
  let store: MemoryIncidentStore;
  let service: IncidentService;
  let parents: { action: TimelineAction; incident: Incident }[];
  let severityOf: Record<string, Severity>;
  let n: number;

  beforeEach(() => {
    clock = new FakeClock(T0);
    store = new MemoryIncidentStore();
    parents = [];
    severityOf = {};
    n = 0;
    const rollup = rollupListener({ store, clock, onParentChange: (action, incident) => void parents.push({ action, incident }) });
    service = new IncidentService(store, clock, {
      ruleLookup: (id) => ({ title: `Rule ${id}`, severity: severityOf[id] ?? 'medium', category: 'intrusion-attempts' }),
      localityLookup: (code) => (PROVINCE_OF[code] ? { code, province: PROVINCE_OF[code] } : undefined),
      centralCode: 'VN',
      onChange: rollup,
    });
  });

  const fire = async (locality: string, ruleId = 'otp', opts: { severity?: Severity; at?: number } = {}): Promise<Incident> => {
    if (opts.severity) severityOf[ruleId] = opts.severity;
    const at = opts.at ?? clock.now();
    const hit: Hit = {
      ruleId, ruleVersion: 'v1', group: { 'organization.id': locality }, locality, window: { from: at - MIN, to: at }, observed: 5,
      condition: 'count >= 3', sampleEventIds: [`ev-${locality}`], evidenceQuery: `(event.outcome:failure) AND organization.id:"${locality}"`,
    };
    const r = await service.applyHit(hit, `hit-${++n}`);
    if (r.outcome === 'duplicate_hit') throw new Error('duplicate');
    return r.incident;
  };
  const get = async (id: string) => (await store.get(id, ALL_SCOPE)) as Incident;
  const parentOf = (ruleId: string, province: string) => store.findActiveByFingerprint(rollupFingerprint(ruleId, province));

  it('does nothing for 2 communes', async () => {
    const a = await fire('00004');
    const b = await fire('00006');
    expect(await parentOf('otp', '01')).toBeNull();
    expect((await get(a.id)).parentId).toBeNull();
    expect((await get(b.id)).parentId).toBeNull();
    expect(parents).toEqual([]);
  });

  it('creates the province parent at the 3rd commune, links the 3 children, takes the highest severity and records it', async () => {
    const a = await fire('00004', 'otp', { severity: 'medium' });
    clock.advance(MIN);
    const b = await fire('00006', 'otp', { severity: 'critical' });
    clock.advance(MIN);
    const c = await fire('00007', 'otp', { severity: 'high' });

    const parent = await parentOf('otp', '01');
    expect(parent).toMatchObject({
      ruleId: 'otp', locality: '01', province: '01', status: 'open', group: { rollup: 'province' },
      title: 'Rule otp — 3 communes of the province', severity: 'critical', category: 'intrusion-attempts', count: 3,
      firstSeen: T0, lastSeen: T0 + 2 * MIN, parentId: null, escalationLevel: 0, version: 1,
    });
    const p = parent as Incident;
    expect(p.evidence.query.split(' OR ').sort()).toEqual(
      ['00004', '00006', '00007'].map((code) => `((event.outcome:failure) AND organization.id:"${code}")`),
    );
    expect([...p.evidence.sampleEventIds].sort()).toEqual(['ev-00004', 'ev-00006', 'ev-00007']);

    for (const child of [a, b, c]) {
      const stored = await get(child.id);
      expect(stored.parentId).toBe(p.id);
      expect((await store.timeline(child.id)).at(-1)).toMatchObject({ action: 'rolled_up', actor: ROLLUP_ACTOR, from: null, to: p.id });
    }
    const [created] = await store.timeline(p.id);
    expect(created).toMatchObject({ action: 'created', actor: ROLLUP_ACTOR, from: null });
    for (const child of [a, b, c]) expect(created.note).toContain(child.id);
    expect(await store.timeline(p.id)).toHaveLength(1);

    // The parent goes through onChange once, as created (notifications, escalation timers).
    expect(parents.map((x) => [x.action, x.incident.id])).toEqual([['created', p.id]]);
  });

  it('links a 4th commune to the same parent and counts it', async () => {
    await fire('00004');
    await fire('00006');
    await fire('00007');
    const parent = (await parentOf('otp', '01')) as Incident;
    clock.advance(MIN);
    const d = await fire('00008', 'otp', { severity: 'high' });

    expect((await get(d.id)).parentId).toBe(parent.id);
    const after = await get(parent.id);
    expect(after).toMatchObject({ count: 4, severity: 'high', lastSeen: T0 + MIN, title: 'Rule otp — 4 communes of the province', version: 2 });
    expect((await store.timeline(parent.id)).at(-1)).toMatchObject({
      action: 'rolled_up', actor: ROLLUP_ACTOR, from: { count: 3 }, to: { count: 4, children: [d.id] },
    });
    expect(parents).toHaveLength(1);
    // A new hit of a linked child folds into it as before and leaves the parent alone.
    await fire('00004');
    expect((await get(parent.id)).version).toBe(2);
  });

  it('does not count communes of another province, other rules or the province itself', async () => {
    await fire('00004');
    await fire('00006');
    await fire('26734'); // province 79
    await fire('00007', 'other-rule');
    await fire('01'); // the province's own incident
    expect(await parentOf('otp', '01')).toBeNull();
    expect(await parentOf('otp', '79')).toBeNull();
    const all = (await store.list({}, ALL_SCOPE)).incidents;
    expect(all.every((i) => i.parentId === null)).toBe(true);
    expect(parents).toEqual([]);
  });

  it('never rolls up a province-level incident', async () => {
    await fire('00004');
    await fire('00006');
    const own = await fire('01');
    await fire('00007');
    const parent = (await parentOf('otp', '01')) as Incident;
    expect(parent.count).toBe(3);
    expect((await get(own.id)).parentId).toBeNull();
  });

  it('does not count children last seen before the window, nor resolved ones', async () => {
    const a = await fire('00004');
    clock.advance(61 * MIN); // a is now older than 1 hour
    await fire('00006');
    await fire('00007');
    expect(await parentOf('otp', '01')).toBeNull();
    expect((await get(a.id)).parentId).toBeNull();

    await fire('00004'); // a seen again: bumped, not created → no roll-up check
    expect(await parentOf('otp', '01')).toBeNull();

    const x = await fire('26740');
    await service.resolve(x.id, (await get(x.id)).version, 'user:an', ALL_SCOPE, { resolution: 'benign' });
    await fire('26734');
    await fire('26737'); // 2 active communes and a resolved one
    expect(await parentOf('otp', '79')).toBeNull();
  });

  it('rolls up when a commune incident reopens, and honours k and the window', async () => {
    const rollup = rollupListener({ store, clock, k: 2, windowMs: 10 * MIN });
    const a = await fire('00004');
    clock.advance(5 * MIN);
    const b = await fire('00006'); // no parent: the service's listener wants 3
    expect(await parentOf('otp', '01')).toBeNull();
    await rollup('reopened', b);
    const parent = (await parentOf('otp', '01')) as Incident;
    expect(parent.count).toBe(2);
    expect((await get(a.id)).parentId).toBe(parent.id);
    // Other actions never roll up.
    await rollup('hit_added', await fire('00007'));
  });

  it('links to the parent another listener created first (create conflict)', async () => {
    await fire('00004');
    await fire('00006');
    const c = await fire('00007');
    const parent = (await parentOf('otp', '01')) as Incident;
    // A second listener racing with the first: it finds the parent by fingerprint; all children are linked already.
    const other = rollupListener({ store, clock, onParentChange: () => { throw new Error('must not create a second parent'); } });
    await other('created', { ...c, parentId: null });
    expect((await get(parent.id)).version).toBe(1);

    // A stale read: the store already has an active parent, create() conflicts, and the loser links to it.
    const racing = rollupListener({
      store: { ...bind(store), findActiveByFingerprint: raceOnce(store) }, clock,
      onParentChange: () => { throw new Error('must not notify a parent it did not create'); },
    });
    const d = await fire('00008');
    await store.update({ ...(await get(d.id)), parentId: null }, (await get(d.id)).version, []);
    await racing('created', await get(d.id));
    expect((await get(d.id)).parentId).toBe(parent.id);
    expect((await store.list({ ruleId: 'otp', locality: '01' }, ALL_SCOPE)).incidents.filter((i) => i.locality === '01')).toHaveLength(1);
  });
});

function bind(store: MemoryIncidentStore) {
  return {
    list: store.list.bind(store), get: store.get.bind(store), create: store.create.bind(store), update: store.update.bind(store),
    findActiveByFingerprint: store.findActiveByFingerprint.bind(store),
  };
}

/** findActiveByFingerprint that answers null the first time (the other listener's parent not yet seen). */
function raceOnce(store: MemoryIncidentStore) {
  let first = true;
  return async (fp: string) => {
    if (first) {
      first = false;
      return null;
    }
    return store.findActiveByFingerprint(fp);
  };
}
