import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import { QUEUES, type IncidentJob } from '../queue/jobs';
import { createWorker } from '../queue/worker-factory';
import type { Clear, Hit } from '../rules/rule';
import type { IncidentService } from './incident-service';
import type { LocalityCache } from './locality-cache';

export interface IncidentWorkerOptions {
  readonly connection: Redis;
  readonly prefix: string;
  /** The service hits and clears are applied with (its onChange notifies, schedules escalation...). */
  readonly service: IncidentService;
  /** The localities the service looks up; a hit naming an unknown one refreshes them first. */
  readonly localities: Pick<LocalityCache, 'ensure'>;
  readonly lockMs: number;
  readonly log: Logger;
}

/**
 * The incident service's worker on the `incidents` queue: a job named 'hit' (or any other name, as
 * before) is one hit (job id = hitId), and applying it opens, bumps or reopens an incident; a job
 * named 'clear' is a clear of an auto-resolving rule (job id = clearId), which resolves the active
 * incident of its group (incident-service.ts). A retried job changes nothing the second time (the
 * job id is recorded with the change).
 */
export function startIncidentWorker(o: IncidentWorkerOptions): Worker<IncidentJob, unknown> {
  const { service } = o;
  return createWorker<IncidentJob, unknown>(QUEUES.incidents, async (data, job) => {
    await o.localities.ensure(data.locality);
    const result = job.name === 'clear'
      ? await service.autoResolve(data as Clear, String(job.id))
      : await service.applyHit(data as Hit, String(job.id));
    return 'incident' in result ? { outcome: result.outcome, incident: result.incident.id } : { outcome: result.outcome };
  }, {
    connection: o.connection,
    prefix: o.prefix,
    concurrency: 8,
    lockMs: o.lockMs,
    onFailed: (job, err) => o.log.warn({ [job?.name === 'clear' ? 'clear' : 'hit']: job?.id, err: err.message }, `${job?.name === 'clear' ? 'clear' : 'hit'} could not be applied`),
  });
}
