import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { errors } from '../../errors';
import { QUEUES, type IncidentJob } from '../../queue/jobs';
import type { Clear, Hit } from '../rule';
import { clearId, hitId, type HitSink } from './rule-runner';

const JOB_OPTS = { removeOnComplete: { age: 86_400 }, removeOnFail: false, attempts: 10, backoff: { type: 'exponential', delay: 1000 } } as const;

/**
 * The `incidents` queue as the rule engine's HitSink: jobs named 'hit' (data: Hit, id: hitId) and
 * 'clear' (data: Clear, id: clearId). Completed jobs are kept a day, so a hit or clear raised again
 * (a retried run, a second engine) within that time finds its id taken and is dropped.
 */
export class BullMqHitSink implements HitSink {
  readonly queue: Queue<IncidentJob>;

  constructor(connection: Redis, prefix?: string) {
    this.queue = new Queue<IncidentJob>(QUEUES.incidents, { connection, ...(prefix ? { prefix } : {}) });
    this.queue.on('error', () => undefined);
  }

  async enqueue(hits: readonly Hit[]): Promise<void> {
    if (hits.length === 0) return;
    try {
      await this.queue.addBulk(hits.map((hit) => ({
        name: 'hit',
        data: hit,
        opts: { jobId: hitId(hit), ...JOB_OPTS },
      })));
    } catch (err) {
      throw errors.queueUnavailable(err);
    }
  }

  async enqueueClears(clears: readonly Clear[]): Promise<void> {
    if (clears.length === 0) return;
    try {
      await this.queue.addBulk(clears.map((clear) => ({ name: 'clear', data: clear, opts: { jobId: clearId(clear), ...JOB_OPTS } })));
    } catch (err) {
      throw errors.queueUnavailable(err);
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
