import { randomBytes } from 'node:crypto';
import IORedis, { type Redis } from 'ioredis';
import { EscalationScheduler, escalationJobId, type EscalationJob } from '../../src/escalation/escalation-scheduler';
import { startEscalationWorker, type EscalationNotice, type EscalationWorker } from '../../src/escalation/escalation-worker';
import type { EscalationPolicy } from '../../src/escalation/policy';
import type { Incident } from '../../src/incidents/incident';
import { IncidentService } from '../../src/incidents/incident-service';
import { systemClock } from '../../src/lib/clock';
import type { Hit } from '../../src/rules/rule';
import { MemoryIncidentStore } from '../../src/store/memory/incident-store';
import { ALL_SCOPE } from '../../src/store/scope';
import { deleteQueueKeys } from '../support/redis-cleanup';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

const policy: EscalationPolicy = {
  name: 'fast', description: '', severities: ['high'], origin: { file: 'test', line: 1 },
  levels: [{ afterMs: 1000, target: 'province' }, { afterMs: 2000, target: 'central' }],
};

describe('escalation with the real Redis and second-scale durations', () => {
  const prefix = `canh-it-esc-${randomBytes(4).toString('hex')}`;
  const connections: Redis[] = [];
  const workers: EscalationWorker[] = [];
  let service: IncidentService;
  let scheduler: EscalationScheduler;
  let sent: { incidentId: string; level: number; target: string; at: number; notice: EscalationNotice }[];
  let hits = 0;

  const connect = () => {
    const c = new IORedis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    connections.push(c);
    return c;
  };
  const startWorker = () => {
    const w = startEscalationWorker({
      connection: connect(), prefix, clock: systemClock, incidents: service, policies: () => [policy],
      ruleLookup: () => ({ severity: 'high' }), centralCode: 'VN',
      onEscalated: (incident, level, target, notice) => void sent.push({ incidentId: incident.id, level, target, at: Date.now(), notice }),
    });
    workers.push(w);
    return w;
  };
  const openIncident = async (): Promise<Incident> => {
    const now = Date.now();
    const hit: Hit = {
      ruleId: 'r-esc', ruleVersion: 'v1', group: { n: ++hits }, locality: '00004', window: { from: now - 1000, to: now }, observed: 1,
      condition: 'count >= 1', sampleEventIds: [], evidenceQuery: '*',
    };
    const r = await service.applyHit(hit, `hit-${hits}`);
    if (r.outcome !== 'created') throw new Error(r.outcome);
    return r.incident;
  };
  const jobState = async (id: string) => (await scheduler.queue.getJob(id))?.getState();
  const sentFor = (incidentId: string) => sent.filter((s) => s.incidentId === incidentId);

  beforeEach(() => {
    sent = [];
    service = new IncidentService(new MemoryIncidentStore(), systemClock, {
      ruleLookup: () => ({ title: 'T', severity: 'high', category: 'test' }),
      localityLookup: (code) => ({ code, province: '01' }),
      centralCode: 'VN',
    });
    scheduler = new EscalationScheduler({ connection: connect(), prefix, clock: systemClock });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    await scheduler.close();
  });
  afterAll(async () => {
    for (const c of connections) c.disconnect();
    await deleteQueueKeys(prefix);
  });

  it('level 1 fires on time; an acknowledgement stops level 2', async () => {
    startWorker();
    const incident = await openIncident();
    const since = Date.now();
    const [job1] = await scheduler.schedule(incident, policy, 0, { since, cycle: 'a' });
    expect(job1.dueAt).toBe(since + 1000);

    const first = await waitFor('level 1', () => sentFor(incident.id)[0], 10_000, 10);
    expect(first).toMatchObject({ level: 1, target: '01' });
    expect(first.at - job1.dueAt).toBeGreaterThanOrEqual(0);
    expect(first.at - job1.dueAt).toBeLessThan(1000);
    const level1 = await service.get(incident.id, ALL_SCOPE);
    expect(level1.escalationLevel).toBe(1);
    const entries = await service.timeline(incident.id, ALL_SCOPE);
    expect(entries.at(-1)).toMatchObject({ action: 'escalated', actor: 'system:escalation', from: 0, to: 1 });

    // Level 2 is now pending (due 2 s after level 1 was due). Acknowledge, without cancelling, so
    // the timer still runs and must find the incident acknowledged.
    const id2 = escalationJobId({ incidentId: incident.id, cycle: 'a', level: 2, repeat: 0 });
    await waitFor('level 2 scheduled', async () => (await jobState(id2)) === 'delayed', 5_000, 10);
    expect(Date.now()).toBeLessThan(job1.dueAt + 2000);
    await service.acknowledge(incident.id, level1.version, 'user:analyst', ALL_SCOPE);
    await waitFor('level 2 timer done', async () => (await jobState(id2)) === 'completed', 10_000, 20);
    expect((await scheduler.queue.getJob(id2))?.returnvalue).toBe('stopped');
    expect(Date.now()).toBeGreaterThanOrEqual(job1.dueAt + 2000);
    expect(sentFor(incident.id)).toHaveLength(1);
    expect((await service.get(incident.id, ALL_SCOPE)).escalationLevel).toBe(1);
  });

  it('cancel removes the pending timers of an acknowledged incident', async () => {
    const incident = await openIncident();
    const [job] = await scheduler.schedule(incident, policy, 0, { cycle: 'c' });
    expect(await jobState(escalationJobId(job))).toBe('delayed');
    expect(await scheduler.cancel(incident.id)).toBe(1);
    expect(await scheduler.queue.getJob(escalationJobId(job))).toBeUndefined();
  });

  it('a worker closed between scheduling and the due time loses nothing: a new worker fires it once', async () => {
    const w1 = startWorker();
    await w1.worker.waitUntilReady();
    const incident = await openIncident();
    const [job1] = await scheduler.schedule(incident, policy, 0, { cycle: 'r' });
    await w1.close(); // the process goes away before the timer is due
    workers.splice(workers.indexOf(w1), 1);
    expect(await jobState(escalationJobId(job1))).toBe('delayed');

    // The process comes back (new connections, new worker) after the due time.
    await waitFor('the due time', () => Date.now() >= job1.dueAt + 200, 10_000, 20);
    expect(sentFor(incident.id)).toEqual([]);
    startWorker();
    const first = await waitFor('level 1 after the restart', () => sentFor(incident.id)[0], 10_000, 10);
    expect(first.level).toBe(1);
    await waitFor('level 2', () => sentFor(incident.id)[1], 10_000, 10);
    expect(sentFor(incident.id).map((s) => [s.level, s.target])).toEqual([[1, '01'], [2, 'VN']]);
    expect((await service.get(incident.id, ALL_SCOPE)).escalationLevel).toBe(2);
  });

  it('two workers on the same queue: each level is notified exactly once', async () => {
    startWorker();
    startWorker();
    await Promise.all(workers.map((w) => w.worker.waitUntilReady()));
    const incidents = await Promise.all(Array.from({ length: 5 }, () => openIncident()));
    const since = Date.now();
    // Scheduled twice (two API processes reacting to the same change): same ids, added once.
    for (const i of incidents) {
      await scheduler.schedule(i, policy, 0, { since, cycle: 'd' });
      await scheduler.schedule(i, policy, 0, { since, cycle: 'd' });
    }
    const lastIds = incidents.map((i) => escalationJobId({ incidentId: i.id, cycle: 'd', level: 2, repeat: 0 }));
    await waitFor('every level 2 timer done', async () => {
      const states = await Promise.all(lastIds.map(jobState));
      return states.every((s) => s === 'completed');
    }, 15_000, 20);
    for (const i of incidents) {
      expect(sentFor(i.id).map((s) => s.level)).toEqual([1, 2]);
      const escalations = (await service.timeline(i.id, ALL_SCOPE)).filter((e) => e.action === 'escalated');
      expect(escalations.map((e) => e.to)).toEqual([1, 2]);
    }
    const jobs: EscalationJob[] = (await scheduler.queue.getJobs(['completed'])).map((j) => j.data).filter((d) => d.cycle === 'd');
    expect(jobs).toHaveLength(incidents.length * 2);
  });
});
