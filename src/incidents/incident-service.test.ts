import { FakeClock } from '../lib/clock';
import type { Clear, Hit } from '../rules/rule';
import { versionConflict } from '../store/incident-store';
import { MemoryIncidentStore } from '../store/memory/incident-store';
import { ALL_SCOPE, localityScope } from '../store/scope';
import { fingerprint } from './incident';
import { IncidentService, type RuleInfo } from './incident-service';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('IncidentService', () => {
  let clock: FakeClock;
  let store: MemoryIncidentStore;
  let rules: Record<string, RuleInfo>;
  let service: IncidentService;
  const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);

  const hit = (over: Partial<Hit> = {}): Hit => ({
    ruleId: 'web-bruteforce', ruleVersion: 'v1', group: { 'source.ip': '203.0.113.7' }, locality: '00004',
    window: { from: clock.now() - 5 * MIN, to: clock.now() }, observed: 42, condition: 'count >= 20',
    sampleEventIds: ['e1', 'e2'], evidenceQuery: 'source.ip:"203.0.113.7"', ...over,
  });

  beforeEach(() => {
    clock = new FakeClock(T0);
    store = new MemoryIncidentStore();
    rules = { 'web-bruteforce': { title: 'Brute force on the portal', severity: 'medium', category: 'intrusion-attempts' } };
    service = new IncidentService(store, clock, {
      ruleLookup: (id) => rules[id],
      localityLookup: (code) => ({ '00004': { code, province: '01' }, '01': { code, province: '01' }, VN: { code, province: null } })[code],
      centralCode: 'VN',
    });
  });

  describe('applyHit', () => {
    it('opens an incident for a new fingerprint, with its first timeline entry', async () => {
      const result = await service.applyHit(hit(), 'hit-1');
      expect(result.outcome).toBe('created');
      const incident = result.outcome === 'created' ? result.incident : null;
      expect(incident).toMatchObject({
        fingerprint: fingerprint('web-bruteforce', '00004', { 'source.ip': '203.0.113.7' }), title: 'Brute force on the portal',
        severity: 'medium', category: 'intrusion-attempts', locality: '00004', province: '01', status: 'open', resolution: null,
        escalationLevel: 0, count: 1, firstSeen: T0, lastSeen: T0, version: 1, evidence: { query: 'source.ip:"203.0.113.7"', sampleEventIds: ['e1', 'e2'] },
      });
      expect(incident?.id).toMatch(/^inc_[0-9a-z]{12}$/);
      expect(await store.get(incident?.id as string, ALL_SCOPE)).toEqual(incident);
      expect(await service.timeline(incident?.id as string, ALL_SCOPE)).toEqual([
        { incidentId: incident?.id, seq: 1, at: T0, actor: 'rule:web-bruteforce', action: 'created', from: null, to: { count: 1, lastSeen: T0, observed: 42 }, note: 'count >= 20' },
      ]);
    });

    it('gives a hit without a locality to central, and an unknown rule a fallback title', async () => {
      const result = await service.applyHit(hit({ locality: null, ruleId: 'gone' }), 'hit-1');
      expect(result).toMatchObject({ outcome: 'created', incident: { locality: 'VN', province: null, title: 'gone', severity: 'medium', category: 'other' } });
      expect(await service.list({}, localityScope(['01']))).toEqual({ incidents: [], nextCursor: null });
    });

    it('bumps the active incident: count, lastSeen, raised severity, newest 10 samples, hit_added', async () => {
      const first = await service.applyHit(hit({ sampleEventIds: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'] }), 'hit-1');
      clock.advance(5 * MIN);
      rules['web-bruteforce'] = { ...rules['web-bruteforce'], severity: 'high' };
      const second = await service.applyHit(hit({ sampleEventIds: ['b1', 'b2', 'b3', 'b4', 'b5', 'a6'], evidenceQuery: 'q2', ruleVersion: 'v2' }), 'hit-2');
      expect(second).toMatchObject({
        outcome: 'bumped',
        incident: { count: 2, lastSeen: T0 + 5 * MIN, firstSeen: T0, severity: 'high', ruleVersion: 'v2', version: 2, evidence: { query: 'q2' } },
      });
      const incident = second.outcome === 'bumped' ? second.incident : null;
      expect(incident?.id).toBe(first.outcome === 'created' ? first.incident.id : '');
      expect(incident?.evidence.sampleEventIds).toEqual(['b1', 'b2', 'b3', 'b4', 'b5', 'a6', 'a1', 'a2', 'a3', 'a4']);
      rules['web-bruteforce'] = { ...rules['web-bruteforce'], severity: 'low' };
      const third = await service.applyHit(hit({ window: { from: T0 - 10 * MIN, to: T0 - 5 * MIN } }), 'hit-3');
      expect(third).toMatchObject({ outcome: 'bumped', incident: { count: 3, lastSeen: T0 + 5 * MIN, severity: 'high', version: 3 } });
      const timeline = await service.timeline(incident?.id as string, ALL_SCOPE);
      expect(timeline.map((e) => [e.action, e.from, e.to])).toEqual([
        ['created', null, { count: 1, lastSeen: T0, observed: 42 }],
        ['hit_added', { count: 1, severity: 'medium' }, { count: 2, lastSeen: T0 + 5 * MIN, observed: 42 }],
        ['hit_added', { count: 2, severity: 'high' }, { count: 3, lastSeen: T0 + 5 * MIN, observed: 42 }],
      ]);
    });

    it('treats a hit id seen before as a duplicate and changes nothing', async () => {
      await service.applyHit(hit(), 'hit-1');
      expect(await service.applyHit(hit(), 'hit-1')).toEqual({ outcome: 'duplicate_hit' });
      const { incidents } = await service.list({}, ALL_SCOPE);
      expect(incidents).toHaveLength(1);
      expect(incidents[0]).toMatchObject({ count: 1, version: 1 });
      expect(await store.timeline(incidents[0].id)).toHaveLength(1);
    });

    it('keeps separate incidents per group and per locality', async () => {
      await service.applyHit(hit(), 'hit-1');
      await service.applyHit(hit({ group: { 'source.ip': '198.51.100.1' } }), 'hit-2');
      await service.applyHit(hit({ locality: '01' }), 'hit-3');
      expect((await service.list({}, ALL_SCOPE)).incidents).toHaveLength(3);
    });

    it('reopens an incident resolved within the grace period, else opens a new one', async () => {
      const created = await service.applyHit(hit(), 'hit-1');
      const id = created.outcome === 'created' ? created.incident.id : '';
      await service.resolve(id, 1, 'user:lan', ALL_SCOPE, { resolution: 'true_positive' });
      clock.advance(23 * HOUR);
      const again = await service.applyHit(hit(), 'hit-2');
      expect(again).toMatchObject({ outcome: 'reopened', incident: { id, status: 'open', resolution: null, resolvedAt: null, count: 2, version: 3 } });
      expect((await service.timeline(id, ALL_SCOPE)).map((e) => [e.action, e.actor])).toEqual([
        ['created', 'rule:web-bruteforce'], ['resolved', 'user:lan'], ['reopened', 'rule:web-bruteforce'],
      ]);
      const latest = await service.resolve(id, 3, 'user:lan', ALL_SCOPE, { resolution: 'benign' });
      clock.advance(24 * HOUR + 1);
      const fresh = await service.applyHit(hit(), 'hit-3');
      expect(fresh).toMatchObject({ outcome: 'created', incident: { count: 1, version: 1 } });
      expect(fresh.outcome === 'created' && fresh.incident.id).not.toBe(latest.id);
    });

    it('never opens two incidents for concurrent hits of one fingerprint', async () => {
      const results = await Promise.all([1, 2, 3, 4].map((n) => service.applyHit(hit(), `hit-${n}`)));
      expect(results.map((r) => r.outcome).sort()).toEqual(['bumped', 'bumped', 'bumped', 'created']);
      const { incidents } = await service.list({}, ALL_SCOPE);
      expect(incidents).toHaveLength(1);
      expect(incidents[0]).toMatchObject({ count: 4, version: 4 });
      expect(await store.timeline(incidents[0].id)).toHaveLength(4);
    });

    it('applies a hit raced by the same hit once', async () => {
      const results = await Promise.all([service.applyHit(hit(), 'hit-1'), service.applyHit(hit(), 'hit-1')]);
      expect(results.map((r) => r.outcome).sort()).toEqual(['created', 'duplicate_hit']);
    });

    it('retries a lost version race as a bump and gives up after maxAttempts', async () => {
      const created = await service.applyHit(hit(), 'hit-1');
      const id = created.outcome === 'created' ? created.incident.id : '';
      const update = store.update.bind(store);
      let failures = 1;
      jest.spyOn(store, 'update').mockImplementation(async (next, expected, entries, hitId) => {
        if (failures-- > 0) await service.assign(id, expected, 'user:lan', ALL_SCOPE, { assignee: 'lan' });
        return update(next, expected, entries, hitId);
      });
      expect(await service.applyHit(hit(), 'hit-2')).toMatchObject({ outcome: 'bumped', incident: { count: 2, assignee: 'lan', version: 3 } });
      const stubborn = new IncidentService(store, clock, { ruleLookup: () => undefined, localityLookup: () => undefined, centralCode: 'VN', maxAttempts: 2 });
      const always = jest.spyOn(store, 'update').mockRejectedValue(versionConflict(id, 3, 4));
      always.mockClear();
      await expect(stubborn.applyHit(hit(), 'hit-3')).rejects.toMatchObject({ kind: 'conflict' });
      expect(always).toHaveBeenCalledTimes(2);
      expect(await store.hasHit('hit-3')).toBe(false);
    });
  });

  describe('actions', () => {
    let id: string;
    beforeEach(async () => {
      const created = await service.applyHit(hit(), 'hit-1');
      id = created.outcome === 'created' ? created.incident.id : '';
      clock.advance(MIN);
    });

    it('acknowledges an open incident and refuses to acknowledge it twice', async () => {
      const acked = await service.acknowledge(id, 1, 'user:lan', ALL_SCOPE);
      expect(acked).toMatchObject({ status: 'acknowledged', ackDue: null, version: 2 });
      expect((await service.timeline(id, ALL_SCOPE))[1]).toEqual({
        incidentId: id, seq: 2, at: T0 + MIN, actor: 'user:lan', action: 'acknowledged', from: 'open', to: 'acknowledged', note: null,
      });
      await expect(service.acknowledge(id, 2, 'user:lan', ALL_SCOPE)).rejects.toMatchObject({ kind: 'conflict', message: expect.stringMatching(/acknowledged, not open/) });
    });

    it('refuses a stale version with a conflict naming both versions, changing nothing', async () => {
      await service.assign(id, 1, 'user:lan', ALL_SCOPE, { assignee: 'lan' });
      await expect(service.acknowledge(id, 1, 'user:minh', ALL_SCOPE)).rejects.toMatchObject({
        kind: 'conflict', details: { expected: 1, actual: 2 }, message: `Incident ${id} was changed by someone else (version 2, expected 1); reload and retry`,
      });
      expect(await service.get(id, ALL_SCOPE)).toMatchObject({ status: 'open', version: 2 });
      expect(await store.timeline(id)).toHaveLength(2);
    });

    it('assigns and unassigns, and validates the name', async () => {
      expect(await service.assign(id, 1, 'user:lan', ALL_SCOPE, { assignee: 'minh' })).toMatchObject({ assignee: 'minh', version: 2 });
      expect(await service.assign(id, 2, 'user:lan', ALL_SCOPE, { assignee: null })).toMatchObject({ assignee: null, version: 3 });
      expect((await store.timeline(id)).slice(1).map((e) => [e.action, e.from, e.to])).toEqual([['assigned', null, 'minh'], ['assigned', 'minh', null]]);
      await expect(service.assign(id, 3, 'user:lan', ALL_SCOPE, { assignee: '  ' })).rejects.toMatchObject({ kind: 'invalid' });
    });

    it('appends comments without a version, in any status, and validates the text', async () => {
      await service.resolve(id, 1, 'user:lan', ALL_SCOPE, { resolution: 'benign' });
      expect(await service.comment(id, 'user:minh', ALL_SCOPE, 'Scanner of the ministry')).toMatchObject({ version: 2 });
      expect((await store.timeline(id))[2]).toMatchObject({ action: 'commented', actor: 'user:minh', note: 'Scanner of the ministry' });
      await expect(service.comment(id, 'user:minh', ALL_SCOPE, '')).rejects.toMatchObject({ kind: 'invalid' });
      await expect(service.comment(id, 'user:minh', ALL_SCOPE, 'x'.repeat(10_001))).rejects.toMatchObject({ kind: 'invalid' });
    });

    it('resolves with a validated resolution and refuses to resolve twice', async () => {
      await expect(service.resolve(id, 1, 'user:lan', ALL_SCOPE, { resolution: 'fixed' as 'benign' })).rejects.toMatchObject({
        kind: 'invalid', message: 'resolution must be one of: true_positive, false_positive, benign, duplicate',
      });
      await expect(service.resolve(id, 1, 'user:lan', ALL_SCOPE, {} as { resolution: 'benign' })).rejects.toMatchObject({ kind: 'invalid' });
      const resolved = await service.resolve(id, 1, 'user:lan', ALL_SCOPE, { resolution: 'false_positive', note: 'Load test' });
      expect(resolved).toMatchObject({ status: 'resolved', resolution: 'false_positive', resolvedAt: T0 + MIN, version: 2 });
      expect((await store.timeline(id))[1]).toMatchObject({ action: 'resolved', from: { status: 'open' }, to: { status: 'resolved', resolution: 'false_positive' }, note: 'Load test' });
      expect(await store.findActiveByFingerprint(resolved.fingerprint)).toBeNull();
      await expect(service.resolve(id, 2, 'user:lan', ALL_SCOPE, { resolution: 'benign' })).rejects.toMatchObject({ kind: 'conflict' });
      await expect(service.acknowledge(id, 2, 'user:lan', ALL_SCOPE)).rejects.toMatchObject({ kind: 'conflict' });
      await expect(service.escalate(id, 2, 'system', ALL_SCOPE)).rejects.toMatchObject({ kind: 'conflict' });
      await expect(service.assign(id, 2, 'user:lan', ALL_SCOPE, { assignee: 'lan' })).rejects.toMatchObject({ kind: 'conflict' });
    });

    it('reopens a resolved incident by hand, unless another incident of its fingerprint is open', async () => {
      await expect(service.reopen(id, 1, 'user:lan', ALL_SCOPE)).rejects.toMatchObject({ kind: 'conflict', message: expect.stringMatching(/only a resolved incident/) });
      await service.escalate(id, 1, 'system', ALL_SCOPE);
      await service.resolve(id, 2, 'user:lan', ALL_SCOPE, { resolution: 'true_positive' });
      const reopened = await service.reopen(id, 3, 'user:lan', ALL_SCOPE, { note: 'Came back' });
      expect(reopened).toMatchObject({ status: 'open', resolution: null, resolvedAt: null, escalationLevel: 0, version: 4 });
      await service.resolve(id, 4, 'user:lan', ALL_SCOPE, { resolution: 'true_positive' });
      clock.advance(2 * 24 * HOUR);
      await service.applyHit(hit(), 'hit-2');
      await expect(service.reopen(id, 5, 'user:lan', ALL_SCOPE)).rejects.toMatchObject({ kind: 'conflict', message: expect.stringMatching(/already open/) });
    });

    it('escalates one level, or to a given higher level', async () => {
      expect(await service.escalate(id, 1, 'system', ALL_SCOPE)).toMatchObject({ escalationLevel: 1, version: 2 });
      expect(await service.escalate(id, 2, 'system', ALL_SCOPE, { toLevel: 3 })).toMatchObject({ escalationLevel: 3, version: 3 });
      await expect(service.escalate(id, 3, 'system', ALL_SCOPE, { toLevel: 2 })).rejects.toMatchObject({ kind: 'invalid' });
      expect((await store.timeline(id)).slice(1).map((e) => [e.action, e.actor, e.from, e.to])).toEqual([['escalated', 'system', 0, 1], ['escalated', 'system', 1, 3]]);
    });

    it('answers not found for an incident outside the scope, for reads and actions', async () => {
      const other = localityScope(['00007']);
      await expect(service.get(id, other)).rejects.toMatchObject({ kind: 'not_found' });
      await expect(service.timeline(id, other)).rejects.toMatchObject({ kind: 'not_found' });
      await expect(service.acknowledge(id, 1, 'user:x', other)).rejects.toMatchObject({ kind: 'not_found' });
      await expect(service.comment(id, 'user:x', other, 'hi')).rejects.toMatchObject({ kind: 'not_found' });
      await expect(service.acknowledge('inc_nope', 1, 'user:x', ALL_SCOPE)).rejects.toMatchObject({ kind: 'not_found' });
      expect(await service.acknowledge(id, 1, 'user:x', localityScope(['01']))).toMatchObject({ status: 'acknowledged' });
    });
  });

  describe('autoResolve', () => {
    const clear = (over: Partial<Clear> = {}): Clear => ({
      ruleId: 'web-bruteforce', ruleVersion: 'v1', group: { 'source.ip': '203.0.113.7' }, locality: '00004',
      window: { from: clock.now() - 5 * MIN, to: clock.now() }, clearEvaluations: 3, ...over,
    });
    let changes: [string, string, number][];
    let id: string;
    beforeEach(async () => {
      changes = [];
      service = new IncidentService(store, clock, {
        ruleLookup: (rid) => rules[rid], localityLookup: () => undefined, centralCode: 'VN',
        onChange: (action, incident) => void changes.push([action, incident.status, incident.version]),
      });
      const created = await service.applyHit(hit(), 'hit-1');
      id = created.outcome === 'created' ? created.incident.id : '';
      clock.advance(3 * MIN);
    });

    it('resolves the active incident of the fingerprint with no resolution, an auto_resolved entry and onChange', async () => {
      const result = await service.autoResolve(clear(), 'clear-1');
      expect(result).toMatchObject({ outcome: 'auto_resolved', incident: { id, status: 'resolved', resolution: null, resolvedAt: T0 + 3 * MIN, ackDue: null, version: 2 } });
      expect(await service.get(id, ALL_SCOPE)).toMatchObject({ status: 'resolved', resolution: null, version: 2, count: 1 });
      expect((await service.timeline(id, ALL_SCOPE))[1]).toEqual({
        incidentId: id, seq: 2, at: T0 + 3 * MIN, actor: 'rule:web-bruteforce', action: 'auto_resolved',
        from: { status: 'open' }, to: { status: 'resolved', resolution: null, clearEvaluations: 3 },
        note: 'condition clear for 3 consecutive evaluations',
      });
      expect(changes).toEqual([['created', 'open', 1], ['auto_resolved', 'resolved', 2]]);
      expect(await store.hasHit('clear-1')).toBe(true);
    });

    it('resolves an acknowledged incident too', async () => {
      await service.acknowledge(id, 1, 'user:lan', ALL_SCOPE);
      expect(await service.autoResolve(clear(), 'clear-1')).toMatchObject({ outcome: 'auto_resolved', incident: { status: 'resolved', version: 3 } });
    });

    it('is idempotent by clear id', async () => {
      await service.autoResolve(clear(), 'clear-1');
      expect(await service.autoResolve(clear(), 'clear-1')).toEqual({ outcome: 'duplicate_clear' });
      expect(await store.timeline(id)).toHaveLength(2);
      expect(changes.filter(([a]) => a === 'auto_resolved')).toHaveLength(1);
    });

    it('resolves once when the same clear is applied concurrently', async () => {
      const raced = await Promise.all([service.autoResolve(clear(), 'clear-1'), service.autoResolve(clear(), 'clear-1')]);
      expect(raced.filter((r) => r.outcome === 'auto_resolved')).toHaveLength(1);
      expect((await store.timeline(id)).map((e) => e.action)).toEqual(['created', 'auto_resolved']);
    });

    it('does nothing when no incident of the fingerprint is active', async () => {
      expect(await service.autoResolve(clear({ group: { 'source.ip': '198.51.100.1' } }), 'clear-1')).toEqual({ outcome: 'nothing_active' });
      expect(await service.autoResolve(clear({ locality: null }), 'clear-2')).toEqual({ outcome: 'nothing_active' });
      await service.resolve(id, 1, 'user:lan', ALL_SCOPE, { resolution: 'true_positive' });
      expect(await service.autoResolve(clear(), 'clear-3')).toEqual({ outcome: 'nothing_active' });
      expect(await service.get(id, ALL_SCOPE)).toMatchObject({ resolution: 'true_positive', version: 2 });
      expect(await store.hasHit('clear-3')).toBe(false);
    });

    it('uses the central locality for a clear without one, as hits do', async () => {
      const central = await service.applyHit(hit({ locality: null }), 'hit-c');
      expect(await service.autoResolve(clear({ locality: null }), 'clear-c')).toMatchObject({
        outcome: 'auto_resolved', incident: { id: central.outcome === 'created' ? central.incident.id : '', locality: 'VN' },
      });
    });

    it('leaves an incident that fired after the clear window (a late clear)', async () => {
      await service.applyHit(hit({ window: { from: T0, to: T0 + 5 * MIN } }), 'hit-2');
      expect(await service.autoResolve(clear({ window: { from: 0, to: T0 + 3 * MIN } }), 'clear-1')).toEqual({ outcome: 'fired_since' });
      expect(await service.get(id, ALL_SCOPE)).toMatchObject({ status: 'open' });
    });

    it('retries a lost version race', async () => {
      const update = store.update.bind(store);
      let failures = 1;
      jest.spyOn(store, 'update').mockImplementation(async (next, expected, entries, hitId) => {
        if (failures-- > 0) await service.assign(id, expected, 'user:lan', ALL_SCOPE, { assignee: 'lan' });
        return update(next, expected, entries, hitId);
      });
      expect(await service.autoResolve(clear(), 'clear-1')).toMatchObject({ outcome: 'auto_resolved', incident: { assignee: 'lan', status: 'resolved', version: 3 } });
    });
  });

  describe('ack_due', () => {
    it('is when the next level is due: set on open, moved on escalate, cleared on acknowledge, set again on reopen', async () => {
      // Level L escalates (L + 1) × 10 minutes after it was reached; no level after 2.
      const withDue = new IncidentService(store, clock, {
        ruleLookup: (id) => rules[id], localityLookup: () => undefined, centralCode: 'VN',
        ackDueOf: (i, since) => (i.escalationLevel < 2 ? since + (i.escalationLevel + 1) * 10 * MIN : null),
      });
      const created = await withDue.applyHit(hit(), 'hit-1');
      const incident = created.outcome === 'created' ? created.incident : null;
      expect(incident?.ackDue).toBe(T0 + 10 * MIN);
      clock.advance(10 * MIN);
      const one = await withDue.escalate(incident?.id as string, 1, 'system:escalation', ALL_SCOPE);
      expect(one.ackDue).toBe(T0 + 10 * MIN + 20 * MIN);
      const two = await withDue.escalate(one.id, one.version, 'system:escalation', ALL_SCOPE);
      expect(two.ackDue).toBeNull();
      const acked = await withDue.acknowledge(two.id, two.version, 'user:lan', ALL_SCOPE);
      expect(acked.ackDue).toBeNull();
      const resolved = await withDue.resolve(acked.id, acked.version, 'user:lan', ALL_SCOPE, { resolution: 'true_positive' });
      clock.advance(MIN);
      const again = await withDue.reopen(resolved.id, resolved.version, 'user:lan', ALL_SCOPE);
      expect([again.escalationLevel, again.ackDue]).toEqual([0, clock.now() + 10 * MIN]);
    });
  });
});
