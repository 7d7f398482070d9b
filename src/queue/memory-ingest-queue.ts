import type { IngestJob, IngestQueue } from './jobs';

/** IngestQueue fake for unit tests: keeps jobs in an array; `fail` simulates Redis being down. */
export class MemoryIngestQueue implements IngestQueue {
  readonly jobs: IngestJob[] = [];
  fail: Error | null = null;

  async enqueue(job: IngestJob): Promise<void> {
    if (this.fail) throw this.fail;
    if (!this.jobs.some((j) => j.batchId === job.batchId)) this.jobs.push(job);
  }

  async depth(): Promise<number> {
    return this.jobs.length;
  }
}
