import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError } from '../errors';
import type { Incident, TimelineEntry } from '../incidents/incident';
import type { IncidentService } from '../incidents/incident-service';
import type { Clock } from '../lib/clock';
import { createWorker } from '../queue/worker-factory';
import type { Severity } from '../rules/rule';
import { ALL_SCOPE } from '../store/scope';
import { ESCALATION_QUEUE, EscalationScheduler, KEEP_JOBS_SECONDS, timersFor, type EscalationJob, type EscalationTimers } from './escalation-scheduler';
import { selectPolicy, type EscalationLevel, type EscalationPolicy } from './policy';

/** The actor of automatic escalations in the timeline. */
export const ESCALATION_ACTOR = 'system:escalation';

/** What the rule of an incident says about escalation. */
export interface EscalationRuleInfo {
  readonly escalation?: string;
  readonly severity?: Severity;
}

/** Details of an escalation notification. */
export interface EscalationNotice {
  /** 0 for the escalation itself, 1..times for the level's repeated notifications. */
  readonly repeat: number;
  readonly policy: string;
  readonly target: EscalationLevel['target'];
  /** Epoch ms the timer was due (lateness = now - dueAt). */
  readonly dueAt: number;
}

/**
 * Claims "this notification was sent" once (Redis `SET NX` in production): of two runs of the same
 * notification only the one that claims it notifies; a failed notification releases the claim.
 */
export interface NotifiedMarks {
  claim(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
}

export type EscalationOutcome =
  /** The incident went up to the job's level and the level's target was notified. */
  | 'escalated'
  /** A repeat notification was sent. */
  | 'repeated'
  /** The incident is acknowledged, resolved or gone: nothing to do (how ack/resolve stop escalation). */
  | 'stopped'
  /**
   * The incident was rolled up into an active province incident (its parentId): it escalates
   * through its parent, so its own chain stops here, like 'stopped'.
   */
  | 'rolled_up'
  /** The level was already reached (another run, another chain or a person): nothing sent. */
  | 'already'
  /** A repeat of a level the incident is no longer at: nothing sent. */
  | 'superseded'
  /** The policy has no such level (it changed since the timer was set). */
  | 'no_level';

export interface EscalationDeps {
  readonly incidents: Pick<IncidentService, 'get' | 'escalate' | 'timeline'>;
  /** The loaded policies (called on every job, so reloaded policies apply to the next timers). */
  readonly policies: () => readonly EscalationPolicy[];
  /** The rule of an incident, to choose its policy when the job's policy is gone. */
  readonly ruleLookup: (ruleId: string) => EscalationRuleInfo | undefined;
  /** Sends the notification of a level to the target locality; a failure makes the job retry. */
  readonly onEscalated: (incident: Incident, level: number, targetLocalityCode: string, notice: EscalationNotice) => void | Promise<void>;
  /** Code of the central locality (target `central`), or how to read it now (it may be created after start). */
  readonly centralCode: string | (() => string);
  readonly timers: EscalationTimers;
  readonly marks: NotifiedMarks;
  /** Attempts when a concurrent change makes the version stale. @defaultValue 5 */
  readonly maxAttempts?: number;
}

/** The locality a level notifies: own → the incident's, province → its province (own when none), central → central. */
export function targetLocality(incident: Pick<Incident, 'locality' | 'province'>, target: EscalationLevel['target'], centralCode: string): string {
  if (target === 'central') return centralCode;
  if (target === 'province') return incident.province ?? incident.locality;
  return incident.locality;
}

function isConflict(err: unknown): boolean {
  return err instanceof AppError && err.kind === 'conflict';
}

/**
 * True when the parent exists and is open or acknowledged. A child whose parent was resolved (or is
 * gone) escalates on its own again, so a reopened child is never left without escalation.
 */
async function parentIsActive(parentId: string, deps: EscalationDeps): Promise<boolean> {
  try {
    return (await deps.incidents.get(parentId, ALL_SCOPE)).status !== 'resolved';
  } catch (err) {
    if (err instanceof AppError && err.kind === 'not_found') return false;
    throw err;
  }
}

/** The newest timeline entry that brought the incident to `level`. */
function reachedBy(timeline: readonly TimelineEntry[], level: number): TimelineEntry | undefined {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const e = timeline[i];
    if (e.action === 'escalated' && e.to === level) return e;
  }
  return undefined;
}

/**
 * Runs one escalation timer. Safe to run twice, concurrently or after a crash: an incident that is
 * not open is left alone; the escalation is a versioned write to exactly the job's level (a stale
 * version is re-read, and a level already reached is not written again); the notification of an
 * escalation is claimed once per timeline entry (and per repeat) before it is sent.
 */
export async function runEscalation(data: EscalationJob, deps: EscalationDeps): Promise<EscalationOutcome> {
  const maxAttempts = deps.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    let incident: Incident;
    try {
      incident = await deps.incidents.get(data.incidentId, ALL_SCOPE);
    } catch (err) {
      if (err instanceof AppError && err.kind === 'not_found') return 'stopped';
      throw err;
    }
    if (incident.status !== 'open') return 'stopped';
    if (incident.parentId !== null && await parentIsActive(incident.parentId, deps)) return 'rolled_up';
    const policies = deps.policies();
    const rule = deps.ruleLookup(incident.ruleId);
    const policy = policies.find((p) => p.name === data.policy) ?? selectPolicy(policies, { escalation: rule?.escalation, severity: incident.severity });
    const spec = policy.levels[data.level - 1];
    if (!spec) return 'no_level';

    if (data.repeat > 0) {
      if (incident.escalationLevel !== data.level) return 'superseded';
      const entry = reachedBy(await deps.incidents.timeline(incident.id, ALL_SCOPE), data.level);
      if (!entry) return 'superseded';
      const sent = await notifyOnce(`${incident.id}:${entry.seq}:r${data.repeat}`, incident, data, policy, spec, deps);
      return sent ? 'repeated' : 'already';
    }

    let mine = false;
    if (incident.escalationLevel < data.level) {
      try {
        incident = await deps.incidents.escalate(incident.id, incident.version, ESCALATION_ACTOR, ALL_SCOPE, { toLevel: data.level });
        mine = true;
      } catch (err) {
        if (isConflict(err) && attempt < maxAttempts) continue; // changed meanwhile: read again
        throw err;
      }
    }
    const entry = reachedBy(await deps.incidents.timeline(incident.id, ALL_SCOPE), incident.escalationLevel);
    const bySystem = entry?.actor === ESCALATION_ACTOR;
    let sent = false;
    if (incident.escalationLevel === data.level && entry && bySystem) {
      // Also after a crash between the escalation and its notification: the entry is unclaimed.
      sent = await notifyOnce(`${incident.id}:${entry.seq}`, incident, data, policy, spec, deps);
    }
    // The next level counts from when this one was due (automatic) or reached (by a person).
    const since = bySystem || !entry ? data.dueAt : entry.at;
    await deps.timers.add(timersFor(incident.id, policy, incident.escalationLevel + 1, since, data.cycle));
    return mine || sent ? 'escalated' : 'already';
  }
}

async function notifyOnce(key: string, incident: Incident, data: EscalationJob, policy: EscalationPolicy, spec: EscalationLevel, deps: EscalationDeps): Promise<boolean> {
  if (!(await deps.marks.claim(key))) return false;
  try {
    const notice: EscalationNotice = { repeat: data.repeat, policy: policy.name, target: spec.target, dueAt: data.dueAt };
    await deps.onEscalated(incident, data.level, targetLocality(incident, spec.target, typeof deps.centralCode === 'function' ? deps.centralCode() : deps.centralCode), notice);
    return true;
  } catch (err) {
    await deps.marks.release(key);
    throw err;
  }
}

/** NotifiedMarks in Redis: `<prefix>:escalations:notified:<key>`, kept two days. */
export function redisMarks(client: Redis, prefix = 'bull'): NotifiedMarks {
  const keyOf = (key: string) => `${prefix}:${ESCALATION_QUEUE}:notified:${key}`;
  return {
    async claim(key) {
      return (await client.set(keyOf(key), '1', 'EX', 2 * KEEP_JOBS_SECONDS, 'NX')) === 'OK';
    },
    async release(key) {
      await client.del(keyOf(key));
    },
  };
}

/** NotifiedMarks in memory, for unit tests. */
export function memoryMarks(): NotifiedMarks & { readonly keys: Set<string> } {
  const keys = new Set<string>();
  return {
    keys,
    async claim(key) {
      if (keys.has(key)) return false;
      keys.add(key);
      return true;
    },
    async release(key) {
      keys.delete(key);
    },
  };
}

export interface EscalationWorkerOptions extends Omit<EscalationDeps, 'timers' | 'marks'> {
  /** A worker connection (maxRetriesPerRequest null). */
  readonly connection: Redis;
  readonly prefix?: string;
  readonly clock: Clock;
  /** @defaultValue 8 */
  readonly concurrency?: number;
  readonly lockMs?: number;
  readonly onFailed?: (job: Job | undefined, err: Error) => void;
}

export interface EscalationWorker {
  readonly worker: Worker<EscalationJob, EscalationOutcome>;
  /** The scheduler the worker adds next-level timers with. */
  readonly scheduler: EscalationScheduler;
  /** Finishes the jobs in hand and closes. */
  close(): Promise<void>;
}

/**
 * Starts a worker of the `escalations` queue (runEscalation per job; the outcome is the job's
 * return value). Any number of workers may run: BullMQ hands each timer to one of them, and
 * runEscalation is safe to run twice anyway.
 */
export function startEscalationWorker(options: EscalationWorkerOptions): EscalationWorker {
  const scheduler = new EscalationScheduler({ connection: options.connection, prefix: options.prefix, clock: options.clock });
  const deps: EscalationDeps = { ...options, timers: scheduler, marks: redisMarks(options.connection, options.prefix) };
  const worker = createWorker<EscalationJob, EscalationOutcome>(ESCALATION_QUEUE, (data) => runEscalation(data, deps), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 8,
    lockMs: options.lockMs,
    onFailed: options.onFailed,
  });
  return {
    worker,
    scheduler,
    async close() {
      await worker.close();
      await scheduler.close();
    },
  };
}
