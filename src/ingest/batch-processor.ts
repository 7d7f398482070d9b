import type { Clock } from '../lib/clock';
import type { IngestJob } from '../queue/jobs';
import type { DeadLetter, EcsDocument, EventStore, WriteResult } from '../store/event-store';
import { forEachLine } from './ingest-service';
import type { LineContext } from './line-context';
import { processLine, redactRaw } from './process-line';
import { maskPii } from './redact';

const DATASETS = { access: 'web.access', otp: 'otp.auth', probe: 'uptime.probe' } as const;

export interface BatchOutcome extends WriteResult {
  readonly received: number;
}

/**
 * The ingest worker's job: parse every line of a batch, normalize it to ECS, and write the events
 * and dead letters in one idempotent store call. A retried batch gives the same event ids, so it
 * writes nothing twice.
 */
export class BatchProcessor {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly piiSalt: string,
  ) {}

  async process(job: IngestJob): Promise<BatchOutcome> {
    const events: EcsDocument[] = [];
    const deadLetters: DeadLetter[] = [];
    const now = this.clock.now();
    const base = { source: job.source, batchId: job.batchId, receivedAt: job.receivedAt, now, piiSalt: this.piiSalt };
    const handle = (raw: string, parsed: unknown, line: number, docId?: string) => {
      const ctx: LineContext = docId === undefined ? { ...base, line } : { ...base, line, docId };
      if (parsed instanceof InvalidJson) {
        deadLetters.push(this.deadLetter(job, line, redactRaw(raw, undefined, ctx), `invalid JSON: ${maskPii(parsed.message).slice(0, 300)}`));
        return;
      }
      const result = processLine(raw, parsed, ctx);
      if (result.ok) events.push(result.event);
      // Dead letters keep the line, minus the PII the event would not have kept either.
      else deadLetters.push(this.deadLetter(job, line, redactRaw(raw, parsed, ctx), result.reason));
    };
    if (job.body !== undefined) {
      const json = job.transport === 'ndjson';
      forEachLine(job.body, (line, n) => handle(line, json ? parseJson(line) : undefined, n));
    }
    job.items?.forEach((item, i) => handle(item.raw, parseJson(item.raw), i + 1, item.id));
    const received = events.length + deadLetters.length;
    const result = await this.store.write({
      batchId: job.batchId,
      sourceId: job.source.id,
      locality: job.source.locality,
      province: job.source.province,
      dataset: DATASETS[job.source.kind],
      received,
      events,
      deadLetters,
      receivedAt: job.receivedAt,
    });
    return { ...result, received };
  }

  private deadLetter(job: IngestJob, line: number, raw: string, reason: string): DeadLetter {
    return {
      id: `${job.batchId}:${line}`,
      sourceId: job.source.id,
      locality: job.source.locality,
      province: job.source.province,
      batchId: job.batchId,
      line,
      raw,
      reason,
      receivedAt: job.receivedAt,
    };
  }
}

/** The parsed JSON value, or a marker that becomes an "invalid JSON" dead letter. */
function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    return new InvalidJson((err as Error).message);
  }
}

/** A JSON-transported line that did not parse. */
class InvalidJson {
  constructor(readonly message: string) {}
}
