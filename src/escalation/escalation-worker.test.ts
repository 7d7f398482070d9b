import { IncidentService } from '../incidents/incident-service';
import type { Incident } from '../incidents/incident';
import { FakeClock } from '../lib/clock';
import type { Hit } from '../rules/rule';
import { MemoryIncidentStore } from '../store/memory/incident-store';
import { ALL_SCOPE } from '../store/scope';
import { escalationJobId, timersFor, type EscalationJob } from './escalation-scheduler';
import { escalationListener } from './escalation-listener';
import { ESCALATION_ACTOR, memoryMarks, runEscalation, targetLocality, type EscalationDeps } from './escalation-worker';
import type { EscalationPolicy } from './policy';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);

const policy: EscalationPolicy = {
  name: 'p', description: '', severities: ['medium'], origin: { file: 'f', line: 1 },
  levels: [
    { afterMs: 15 * MIN, target: 'province', repeat: { everyMs: 10 * MIN, times: 2 } },
    { afterMs: 60 * MIN, target: 'central' },
  ],
};

describe('runEscalation', () => {
  let clock: FakeClock;
  let service: IncidentService;
  let added: EscalationJob[];
  let sent: { level: number; target: string; repeat: number }[];
  let deps: EscalationDeps;
  let incident: Incident;

  const hit: Hit = {
    ruleId: 'r1', ruleVersion: 'v1', group: {}, locality: '00004', window: { from: T0 - 5 * MIN, to: T0 }, observed: 1,
    condition: 'count >= 1', sampleEventIds: [], evidenceQuery: '*',
  };

  beforeEach(async () => {
    clock = new FakeClock(T0);
    service = new IncidentService(new MemoryIncidentStore(), clock, {
      ruleLookup: () => ({ title: 'T', severity: 'medium', category: 'test' }),
      localityLookup: (code) => ({ code, province: '01' }),
      centralCode: 'VN',
    });
    const created = await service.applyHit(hit, 'h1');
    incident = created.outcome === 'created' ? created.incident : (undefined as never);
    added = [];
    sent = [];
    deps = {
      incidents: service, policies: () => [policy], ruleLookup: () => undefined, centralCode: 'VN', marks: memoryMarks(),
      timers: { add: async (jobs) => void added.push(...jobs) },
      onEscalated: (_i, level, target, notice) => void sent.push({ level, target, repeat: notice.repeat }),
    };
  });

  const job = (level: number, repeat = 0): EscalationJob => timersFor(incident.id, policy, level, T0, 'c1')[repeat];

  it('escalates an open incident, notifies the target, records it and schedules the next level', async () => {
    expect(await runEscalation(job(1), deps)).toBe('escalated');
    const after = await service.get(incident.id, ALL_SCOPE);
    expect(after.escalationLevel).toBe(1);
    expect((await service.timeline(incident.id, ALL_SCOPE)).at(-1)).toMatchObject({ action: 'escalated', actor: ESCALATION_ACTOR, from: 0, to: 1 });
    expect(sent).toEqual([{ level: 1, target: '01', repeat: 0 }]);
    expect(added.map((j) => [escalationJobId(j), j.dueAt - T0])).toEqual([[`esc-${incident.id}-c1-2-0`, 75 * MIN]]);
  });

  it('skips an incident rolled up into an active parent (rolled_up); once the parent is over it escalates on its own', async () => {
    const made = await service.applyHit({ ...hit, ruleId: 'r1', group: { rollup: 'province' }, locality: '01' }, 'h-parent');
    const parent = made.outcome === 'created' ? made.incident : (undefined as never);
    const incidents: EscalationDeps['incidents'] = {
      get: async (id, scope) => (id === incident.id ? { ...(await service.get(id, scope)), parentId: parent.id } : service.get(id, scope)),
      timeline: (id, scope) => service.timeline(id, scope),
      escalate: (...args) => service.escalate(...args),
    };
    expect(await runEscalation(job(1), { ...deps, incidents })).toBe('rolled_up');
    expect(await runEscalation(job(1, 1), { ...deps, incidents })).toBe('rolled_up');
    expect((await service.get(incident.id, ALL_SCOPE)).escalationLevel).toBe(0);
    expect(sent).toEqual([]);
    expect(added).toEqual([]);

    await service.resolve(parent.id, parent.version, 'user:a', ALL_SCOPE, { resolution: 'true_positive' });
    expect(await runEscalation(job(1), { ...deps, incidents })).toBe('escalated');
    const gone: EscalationDeps['incidents'] = {
      ...incidents, get: async (id, scope) => ({ ...(await service.get(id, scope)), parentId: 'inc_unknown' }),
    };
    expect(await runEscalation(job(2), { ...deps, incidents: gone })).toBe('escalated');
  });

  it('timersFor: the level and its repeats, due after `since`', () => {
    expect(timersFor('inc_x', policy, 1, T0, 'c1').map((j) => [escalationJobId(j), j.dueAt - T0])).toEqual([
      ['esc-inc_x-c1-1-0', 15 * MIN], ['esc-inc_x-c1-1-1', 25 * MIN], ['esc-inc_x-c1-1-2', 35 * MIN],
    ]);
    expect(timersFor('inc_x', policy, 3, T0, 'c1')).toEqual([]);
  });

  it('does nothing once the incident is acknowledged or resolved', async () => {
    await service.acknowledge(incident.id, 1, 'user:a', ALL_SCOPE);
    expect(await runEscalation(job(1), deps)).toBe('stopped');
    const resolved = await service.resolve(incident.id, 2, 'user:a', ALL_SCOPE, { resolution: 'benign' });
    expect(resolved.escalationLevel).toBe(0);
    expect(await runEscalation(job(1), deps)).toBe('stopped');
    expect(sent).toEqual([]);
    expect(added).toEqual([]);
  });

  it('run twice, concurrently or again after it finished: one escalation, one notification', async () => {
    const outcomes = await Promise.all([runEscalation(job(1), deps), runEscalation(job(1), deps), runEscalation(job(1), deps)]);
    expect(outcomes.filter((o) => o === 'escalated')).toHaveLength(1);
    expect(await runEscalation(job(1), deps)).toBe('already');
    expect(sent).toEqual([{ level: 1, target: '01', repeat: 0 }]);
    const escalations = (await service.timeline(incident.id, ALL_SCOPE)).filter((e) => e.action === 'escalated');
    expect(escalations).toHaveLength(1);
  });

  it('a notification that failed is sent on the retry, without escalating again', async () => {
    const onEscalated = deps.onEscalated;
    deps = { ...deps, onEscalated: () => { throw new Error('smtp down'); } };
    await expect(runEscalation(job(1), deps)).rejects.toThrow('smtp down');
    deps = { ...deps, onEscalated };
    expect(await runEscalation(job(1), deps)).toBe('escalated');
    expect(sent).toEqual([{ level: 1, target: '01', repeat: 0 }]);
    expect((await service.timeline(incident.id, ALL_SCOPE)).filter((e) => e.action === 'escalated')).toHaveLength(1);
  });

  it('retries a version conflict by reading again (a hit arriving meanwhile)', async () => {
    let first = true;
    const incidents: EscalationDeps['incidents'] = {
      get: (id, scope) => service.get(id, scope),
      timeline: (id, scope) => service.timeline(id, scope),
      escalate: async (...args) => {
        if (first) {
          first = false;
          await service.applyHit({ ...hit, window: { from: T0, to: T0 + MIN } }, 'h2');
        }
        return service.escalate(...args);
      },
    };
    expect(await runEscalation(job(1), { ...deps, incidents })).toBe('escalated');
    expect(await service.get(incident.id, ALL_SCOPE)).toMatchObject({ escalationLevel: 1, count: 2 });
  });

  it('repeats notify again only while the incident stays at their level', async () => {
    expect(await runEscalation(job(1, 1), deps)).toBe('superseded'); // level 1 not reached yet
    await runEscalation(job(1), deps);
    expect(await runEscalation(job(1, 1), deps)).toBe('repeated');
    expect(await runEscalation(job(1, 1), deps)).toBe('already');
    await runEscalation(job(2), deps);
    expect(await runEscalation(job(1, 2), deps)).toBe('superseded');
    expect(sent).toEqual([{ level: 1, target: '01', repeat: 0 }, { level: 1, target: '01', repeat: 1 }, { level: 2, target: 'VN', repeat: 0 }]);
  });

  it('a level reached by hand is not notified again; the next level counts from it', async () => {
    clock.advance(5 * MIN);
    await service.escalate(incident.id, 1, 'user:a', ALL_SCOPE, { toLevel: 1 });
    expect(await runEscalation(job(1), deps)).toBe('already');
    expect(sent).toEqual([]);
    expect(added.map((j) => [j.level, j.dueAt - T0])).toEqual([[2, 65 * MIN]]);
  });

  it('targetLocality: own, province (own when none), central', () => {
    expect(targetLocality({ locality: '00004', province: '01' }, 'own', 'VN')).toBe('00004');
    expect(targetLocality({ locality: '00004', province: '01' }, 'province', 'VN')).toBe('01');
    expect(targetLocality({ locality: 'VN', province: null }, 'province', 'VN')).toBe('VN');
    expect(targetLocality({ locality: '00004', province: '01' }, 'central', 'VN')).toBe('VN');
  });

  it('escalationListener schedules on open/reopen and cancels on ack/resolve', async () => {
    const calls: string[] = [];
    const listener = escalationListener({
      control: {
        schedule: async (i, p, from, opts) => void calls.push(`schedule ${i.id} ${p.name} ${from} ${opts?.since}`),
        cancel: async (id) => void calls.push(`cancel ${id}`),
      },
      policies: () => [policy], ruleLookup: () => undefined, clock,
    });
    await listener('created', incident);
    await listener('hit_added', incident);
    await listener('acknowledged', incident);
    await listener('resolved', incident);
    expect(calls).toEqual([`schedule ${incident.id} p 0 ${T0}`, `cancel ${incident.id}`, `cancel ${incident.id}`]);
  });
});
