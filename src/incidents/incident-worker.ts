import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { DirectoryService } from '../directory/directory-service';
import type { Clock } from '../lib/clock';
import { QUEUES, type IncidentJob } from '../queue/jobs';
import type { Redis } from 'ioredis';
import { createWorker } from '../queue/worker-factory';
import type { Clear, Hit } from '../rules/rule';
import { ALL_SCOPE } from '../store/scope';
import type { IncidentStore } from '../store/incident-store';
import { IncidentService, type IncidentServiceOptions, type LocalityInfo, type RuleInfo } from './incident-service';

/** Code of the central locality when the directory has none yet (hits without a locality go there). */
export const DEFAULT_CENTRAL_CODE = '00';

export interface IncidentWorkerOptions {
  readonly connection: Redis;
  readonly prefix: string;
  readonly store: IncidentStore;
  readonly directory: DirectoryService;
  readonly clock: Clock;
  /** The rule of a hit (title, severity, category), from the loaded rule files. */
  readonly ruleLookup: (ruleId: string) => RuleInfo | undefined;
  readonly lockMs: number;
  readonly log: Logger;
  /** IncidentService's onChange: notifications of opened incidents. */
  readonly onChange?: IncidentServiceOptions['onChange'];
  /** IncidentService's ackDueOf: when an open incident escalates next. */
  readonly ackDueOf?: IncidentServiceOptions['ackDueOf'];
}

/**
 * The incident service's worker on the `incidents` queue: a job named 'hit' (or any other name, as
 * before) is one hit (job id = hitId), and applying it opens, bumps or reopens an incident; a job
 * named 'clear' is a clear of an auto-resolving rule (job id = clearId), which resolves the active
 * incident of its group (incident-service.ts). A retried job changes nothing the second time (the
 * job id is recorded with the change). Localities are read from the directory for each hit, so a
 * locality added a moment ago is known.
 */
export function startIncidentWorker(o: IncidentWorkerOptions): Worker<IncidentJob, unknown> {
  const localities = new Map<string, LocalityInfo>();
  let centralCode = DEFAULT_CENTRAL_CODE;
  const service = new IncidentService(o.store, o.clock, {
    ruleLookup: o.ruleLookup,
    localityLookup: (code) => localities.get(code),
    onChange: o.onChange,
    ackDueOf: o.ackDueOf,
    get centralCode() {
      return centralCode;
    },
  });
  const refreshLocalities = async (): Promise<void> => {
    for (const l of await o.directory.listLocalities(ALL_SCOPE)) {
      localities.set(l.code, { code: l.code, province: l.provinceCode });
      if (l.level === 'central') centralCode = l.code;
    }
  };
  return createWorker<IncidentJob, unknown>(QUEUES.incidents, async (data, job) => {
    if (data.locality !== null && !localities.has(data.locality)) await refreshLocalities();
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
