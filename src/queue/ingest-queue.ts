import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { errors } from '../errors';
import { QUEUES, type IngestJob, type IngestQueue } from './jobs';

/** Job options of ingest batches: retried with backoff, failures kept (never dropped). */
export const INGEST_JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { count: 1000 },
  removeOnFail: false,
} as const;

/** The `ingest` BullMQ queue as the API's IngestQueue. */
export class BullMqIngestQueue implements IngestQueue {
  private readonly queue: Queue<IngestJob>;

  constructor(connection: Redis, prefix?: string) {
    this.queue = new Queue<IngestJob>(QUEUES.ingest, { connection, ...(prefix ? { prefix } : {}) });
    this.queue.on('error', () => undefined);
  }

  async enqueue(job: IngestJob): Promise<void> {
    try {
      await this.queue.add('batch', job, { ...INGEST_JOB_OPTIONS, jobId: job.batchId });
    } catch (err) {
      throw errors.queueUnavailable(err);
    }
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
