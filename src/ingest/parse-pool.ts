import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors';
import type { IngestJob } from '../queue/jobs';
import type { parseAndPrepare } from './parse-batch';
import type { ParseRequest } from './parse-thread';

type ParseResult = ReturnType<typeof parseAndPrepare>;

interface Pending {
  resolve(r: ParseResult): void;
  reject(e: Error): void;
}

// Run from the TypeScript sources (tests), a thread compiles them as jest does.
const BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.file.endsWith('.ts')) require(workerData.register);
require(workerData.file);
`;

/**
 * Worker threads that parse batches (and prepare them for the store), so the ingest worker's own
 * thread only takes jobs and writes: parsing is the other half of the CPU an event costs.
 */
export class ParsePool {
  private readonly threads: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(size: number) {
    const file = require.resolve('./parse-thread');
    const register = join(__dirname, '..', '..', 'test', 'support', 'register-ts.js');
    for (let i = 0; i < size; i++) {
      const worker = new Worker(BOOT, { eval: true, workerData: { file, register } });
      const thread = { worker, busy: 0 };
      worker.on('message', (msg: { id: number; ok: boolean; result?: ParseResult; error?: { code: string; kind: AppError['kind']; message: string; details?: Record<string, unknown> } }) => {
        thread.busy--;
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (!p) return;
        if (msg.ok) p.resolve(msg.result as ParseResult);
        else p.reject(new AppError(msg.error!.code, msg.error!.kind, msg.error!.message, msg.error!.details));
      });
      worker.on('error', (err) => this.failAll(err));
      worker.unref();
      this.threads.push(thread);
    }
  }

  /** Parses (and prepares) a batch on the least busy thread. */
  run(job: IngestJob, now: number, piiSalt: string, preparer: string | undefined): Promise<ParseResult> {
    const thread = this.threads.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    const req: ParseRequest = { id, job, now, piiSalt, ...(preparer ? { preparer } : {}) };
    return new Promise<ParseResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      thread.busy++;
      thread.worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    this.failAll(new Error('parse pool closed'));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
