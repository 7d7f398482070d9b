import { parentPort } from 'node:worker_threads';
import { coerceError } from '../errors';
import type { IngestJob } from '../queue/jobs';
import { parseAndPrepare } from './parse-batch';

/** A request to a parse thread (see ParsePool). */
export interface ParseRequest {
  readonly id: number;
  readonly job: IngestJob;
  readonly now: number;
  readonly piiSalt: string;
  readonly preparer?: string;
}

parentPort?.on('message', (req: ParseRequest) => {
  try {
    parentPort?.postMessage({ id: req.id, ok: true, result: parseAndPrepare(req.job, req.now, req.piiSalt, req.preparer) });
  } catch (err) {
    const e = coerceError(err);
    parentPort?.postMessage({ id: req.id, ok: false, error: { code: e.code, kind: e.kind, message: e.message, details: e.details } });
  }
});
