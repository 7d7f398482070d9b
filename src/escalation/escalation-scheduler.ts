import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { errors } from '../errors';
import type { Clock } from '../lib/clock';
import type { Incident } from '../incidents/incident';
import type { EscalationPolicy } from './policy';

/** Queue name of escalation timers (kept here, not in src/queue/jobs.ts). */
export const ESCALATION_QUEUE = 'escalations';

/** Completed and failed escalation jobs are kept this long, so the same job id cannot be added twice meanwhile. */
export const KEEP_JOBS_SECONDS = 86_400;

/** Payload of an `escalations` job: one timer. */
export interface EscalationJob {
  readonly incidentId: string;
  /** The policy the chain follows (looked up by name when the job runs). */
  readonly policy: string;
  /** Identifies one escalation chain of the incident: a reopened incident starts a new one. */
  readonly cycle: string;
  /** The escalation level this timer raises the incident to (1 = the policy's first level). */
  readonly level: number;
  /** 0: the escalation itself; 1..times: the level's repeated notifications. */
  readonly repeat: number;
  /** Epoch ms the timer is due. */
  readonly dueAt: number;
}

/** The job id of a timer: `esc-<incidentId>-<cycle>-<level>-<repeat>` (BullMQ ids may not contain ':'). */
export function escalationJobId(j: Pick<EscalationJob, 'incidentId' | 'cycle' | 'level' | 'repeat'>): string {
  return `esc-${j.incidentId}-${j.cycle}-${j.level}-${j.repeat}`;
}

/** Where timers go: the BullMQ scheduler, or a fake in unit tests. */
export interface EscalationTimers {
  /** Adds the timers (an id already present, pending or kept, is left as it is). */
  add(jobs: readonly EscalationJob[]): Promise<void>;
}

/**
 * The timers of one level of a policy: the escalation to `level`, due `afterMs` after `since`, and
 * its repeats, due `everyMs` × i after it. Empty when the policy has no such level.
 */
export function timersFor(incidentId: string, policy: EscalationPolicy, level: number, since: number, cycle: string): EscalationJob[] {
  const spec = policy.levels[level - 1];
  if (!spec) return [];
  const dueAt = since + spec.afterMs;
  const jobs: EscalationJob[] = [{ incidentId, policy: policy.name, cycle, level, repeat: 0, dueAt }];
  for (let r = 1; r <= (spec.repeat?.times ?? 0); r++) {
    jobs.push({ incidentId, policy: policy.name, cycle, level, repeat: r, dueAt: dueAt + r * (spec.repeat?.everyMs ?? 0) });
  }
  return jobs;
}

export interface EscalationSchedulerOptions {
  readonly connection: Redis;
  readonly prefix?: string;
  readonly clock: Clock;
}

/**
 * Escalation timers as BullMQ delayed jobs: no polling, one delayed job per timer (they survive
 * restarts with Redis). Job ids are derived from (incident, cycle, level, repeat) and completed jobs
 * are kept a day, so the same timer is never added twice. The ids scheduled for an incident are
 * kept in a small Redis set (`<prefix>:escalations:incident:<id>`) so cancel() can remove them.
 */
export class EscalationScheduler implements EscalationTimers {
  readonly queue: Queue<EscalationJob>;
  private readonly prefix: string;

  constructor(private readonly options: EscalationSchedulerOptions) {
    this.prefix = options.prefix ?? 'bull';
    this.queue = new Queue<EscalationJob>(ESCALATION_QUEUE, { connection: options.connection, prefix: this.prefix });
    this.queue.on('error', () => undefined);
  }

  /**
   * Schedules the level after `fromLevel` of the policy (with its repeats), due `after` from `since`
   * (epoch ms: when the incident opened or reopened for fromLevel 0, when it reached fromLevel
   * otherwise; default now). A due time already past fires at once. `cycle` names the escalation
   * chain (default: `since` in base 36): scheduling the same chain again adds nothing.
   * Returns the jobs (empty when the policy has no further level).
   */
  async schedule(incident: Pick<Incident, 'id'>, policy: EscalationPolicy, fromLevel: number, opts: { since?: number; cycle?: string } = {}): Promise<EscalationJob[]> {
    const since = opts.since ?? this.options.clock.now();
    const jobs = timersFor(incident.id, policy, fromLevel + 1, since, opts.cycle ?? since.toString(36));
    await this.add(jobs);
    return jobs;
  }

  async add(jobs: readonly EscalationJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const now = this.options.clock.now();
    try {
      const client = this.options.connection;
      const byIncident = new Map<string, string[]>();
      for (const j of jobs) byIncident.set(j.incidentId, [...(byIncident.get(j.incidentId) ?? []), escalationJobId(j)]);
      const multi = client.multi();
      const lastDue = Math.max(...jobs.map((j) => j.dueAt));
      const ttl = Math.ceil(Math.max(0, lastDue - now) / 1000) + KEEP_JOBS_SECONDS;
      for (const [id, ids] of byIncident) {
        multi.sadd(this.setKey(id), ...ids);
        multi.expire(this.setKey(id), ttl);
      }
      await multi.exec();
      await this.queue.addBulk(jobs.map((j) => ({
        name: 'escalate',
        data: j,
        opts: {
          jobId: escalationJobId(j),
          delay: Math.max(0, j.dueAt - now),
          attempts: 10,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: { age: KEEP_JOBS_SECONDS },
          removeOnFail: { age: KEEP_JOBS_SECONDS },
        },
      })));
    } catch (err) {
      throw errors.queueUnavailable(err);
    }
  }

  /**
   * Removes the incident's pending timers (acknowledged, resolved). Timers already running are left
   * alone: the worker finds the incident no longer open and does nothing. Returns how many went.
   */
  async cancel(incidentId: string): Promise<number> {
    try {
      const client = this.options.connection;
      const ids = await client.smembers(this.setKey(incidentId));
      let removed = 0;
      for (const id of ids) {
        const job = await this.queue.getJob(id);
        if (!job || !(await job.isDelayed())) continue;
        try {
          await job.remove();
          removed++;
        } catch {
          // taken by a worker meanwhile: it will see the incident's status and do nothing
        }
      }
      if (ids.length) await client.srem(this.setKey(incidentId), ...ids);
      return removed;
    } catch (err) {
      throw errors.queueUnavailable(err);
    }
  }

  /** Pending (delayed or waiting) timers, for metrics and health. */
  async pending(): Promise<number> {
    return this.queue.getJobCountByTypes('delayed', 'waiting', 'prioritized');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }

  private setKey(incidentId: string): string {
    return `${this.prefix}:${ESCALATION_QUEUE}:incident:${incidentId}`;
  }
}
