import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { coerceError } from '../errors';

export interface WorkerOptions {
  readonly connection: Redis;
  /** @defaultValue 4 */
  readonly concurrency?: number;
  readonly prefix?: string;
  /** Lock of an active job, renewed by the worker; a killed worker's job is taken over after it. @defaultValue 30000 */
  readonly lockMs?: number;
  /** Called when a job fails (after translation), for logs and metrics. */
  readonly onFailed?: (job: Job | undefined, err: Error) => void;
}

/**
 * The one place a worker's errors are translated: errors of kind invalid/not_found/forbidden will
 * fail again on retry, so they stop at once (UnrecoverableError); everything else is retried with
 * the job's backoff.
 */
export function createWorker<T, R>(queueName: string, handler: (data: T, job: Job<T>) => Promise<R>, options: WorkerOptions): Worker<T, R> {
  const worker = new Worker<T, R>(
    queueName,
    async (job) => {
      try {
        return await handler(job.data, job);
      } catch (err) {
        if (err instanceof UnrecoverableError) throw err;
        const e = coerceError(err);
        if (e.kind === 'invalid' || e.kind === 'not_found' || e.kind === 'forbidden') throw new UnrecoverableError(`${e.code}: ${e.message}`);
        throw e;
      }
    },
    {
      connection: options.connection,
      concurrency: options.concurrency ?? 4,
      lockDuration: options.lockMs ?? 30000,
      stalledInterval: options.lockMs ?? 30000,
      maxStalledCount: 3,
      ...(options.prefix ? { prefix: options.prefix } : {}),
    },
  );
  worker.on('error', () => undefined);
  if (options.onFailed) worker.on('failed', (job, err) => options.onFailed?.(job, err));
  return worker;
}
