import type { Clock } from '../lib/clock';
import type { IngestJob } from '../queue/jobs';
import type { EventStore, WriteResult } from '../store/event-store';
import { parseAndPrepare } from './parse-batch';
import type { ParsePool } from './parse-pool';

export interface BatchOutcome extends WriteResult {
  readonly received: number;
}

/**
 * The ingest worker's job: parse every line of a batch, normalize it to ECS, and write the events
 * and dead letters in one idempotent store call. A retried batch gives the same event ids, so it
 * writes nothing twice. With a ParsePool, parsing (and the store's prepare step) runs on its
 * threads; without one, inline.
 */
export class BatchProcessor {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly piiSalt: string,
    private readonly pool: ParsePool | null = null,
  ) {}

  async process(job: IngestJob): Promise<BatchOutcome> {
    const preparer = this.store.writePrepared ? this.store.preparer : undefined;
    const now = this.clock.now();
    const parsed = this.pool ? await this.pool.run(job, now, this.piiSalt, preparer) : parseAndPrepare(job, now, this.piiSalt, preparer);
    const result = parsed.prepared !== undefined && this.store.writePrepared
      ? await this.store.writePrepared(parsed.prepared)
      : await this.store.write(parsed.batch!);
    return { ...result, received: parsed.counts.received };
  }
}
