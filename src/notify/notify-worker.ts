import { Queue, type Job, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../lib/clock';
import { createWorker } from '../queue/worker-factory';
import type { DeliveryResult } from './notification';
import { digestJobId, NOTIFY_QUEUE, notifyJobOptions, type DigestJob, type NotifyJob, type RetryOptions } from './notify-queue';
import { processNotification, type DigestScheduler, type NotifyOutcome, type NotifySenders } from './process-notification';
import type { NotifyLimiter } from './rate-limit';

export interface NotifyWorkerOptions {
  /** A worker connection (maxRetriesPerRequest null, see createRedis). */
  readonly connection: Redis;
  /** Queue prefix (CANH_QUEUE_PREFIX). */
  readonly prefix?: string;
  readonly senders: NotifySenders;
  readonly limiter: NotifyLimiter;
  /** Called once per notification when it is delivered or given up (see NotifyDeps.onDelivered). */
  readonly onDelivered?: (result: DeliveryResult) => void | Promise<void>;
  /** Retries of digest jobs (notification jobs get theirs from enqueueNotifications). */
  readonly retry?: RetryOptions;
  /** @defaultValue 4 */
  readonly concurrency?: number;
  /** @defaultValue 30000 */
  readonly lockMs?: number;
  /** @defaultValue systemClock */
  readonly clock?: Clock;
  /** Called for every failed attempt, for logs and metrics. */
  readonly onFailed?: (job: Job | undefined, err: Error) => void;
}

/** A running `notify` worker and the queue it adds digests to. */
export interface NotifyWorker {
  readonly worker: Worker<NotifyJob, NotifyOutcome>;
  /** The `notify` queue (for enqueueNotifications, too). */
  readonly queue: Queue<NotifyJob>;
  /** Stops taking jobs, waits for the running ones, closes the queue. */
  close(): Promise<void>;
}

/** Digest jobs on the `notify` queue, delayed to the window's end; the job id makes a second schedule a no-op. */
export class BullMqDigestScheduler implements DigestScheduler {
  constructor(
    private readonly queue: Queue<NotifyJob>,
    private readonly clock: Clock,
    private readonly retry: RetryOptions = {},
  ) {}

  async schedule(job: DigestJob, at: number): Promise<void> {
    // Removed once done, so a notification held late in the window (a backlog) still gets a digest.
    const opts = { ...notifyJobOptions(this.retry), removeOnComplete: true, jobId: digestJobId(job.recipientKey, job.window) };
    await this.queue.add('digest', job, { ...opts, delay: Math.max(0, at - this.clock.now()) });
  }
}

/**
 * Starts the worker of the `notify` queue (through createWorker, the one error → retry
 * translation): notifications are sent, held over the rate limit and sent as one digest per
 * recipient and window; transient failures are retried with the job's backoff, permanent ones
 * stop at once.
 */
export function startNotifyWorker(options: NotifyWorkerOptions): NotifyWorker {
  const clock = options.clock ?? systemClock;
  const queue = new Queue<NotifyJob>(NOTIFY_QUEUE, { connection: options.connection, ...(options.prefix ? { prefix: options.prefix } : {}) });
  queue.on('error', () => undefined);
  const deps = { senders: options.senders, limiter: options.limiter, digests: new BullMqDigestScheduler(queue, clock, options.retry), clock, onDelivered: options.onDelivered };
  const worker = createWorker<NotifyJob, NotifyOutcome>(
    NOTIFY_QUEUE,
    (data, job) => processNotification(data, deps, { attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1, queuedAt: job.timestamp }),
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency, lockMs: options.lockMs, onFailed: options.onFailed },
  );
  return {
    worker,
    queue,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
