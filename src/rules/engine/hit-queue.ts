import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { errors } from '../../errors';
import { QUEUES } from '../../queue/jobs';
import type { Hit } from '../rule';
import { hitId, type HitSink } from './rule-runner';

/**
 * The `incidents` queue as the rule engine's HitSink. Completed hit jobs are kept a day, so a hit
 * raised again (a retried run, a second engine) within that time finds its id taken and is dropped.
 */
export class BullMqHitSink implements HitSink {
  readonly queue: Queue<Hit>;

  constructor(connection: Redis, prefix?: string) {
    this.queue = new Queue<Hit>(QUEUES.incidents, { connection, ...(prefix ? { prefix } : {}) });
    this.queue.on('error', () => undefined);
  }

  async enqueue(hits: readonly Hit[]): Promise<void> {
    if (hits.length === 0) return;
    try {
      await this.queue.addBulk(hits.map((hit) => ({
        name: 'hit',
        data: hit,
        opts: { jobId: hitId(hit), removeOnComplete: { age: 86_400 }, removeOnFail: false, attempts: 10, backoff: { type: 'exponential', delay: 1000 } },
      })));
    } catch (err) {
      throw errors.queueUnavailable(err);
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
