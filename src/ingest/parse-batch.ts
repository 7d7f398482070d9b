import type { IngestJob } from '../queue/jobs';
import type { DeadLetter, EcsDocument, EventBatch } from '../store/event-store';
import { forEachLine } from './ingest-service';
import type { LineContext } from './line-context';
import { processLine, redactRaw } from './process-line';
import { maskPii } from './redact';

const DATASETS = { access: 'web.access', otp: 'otp.auth', probe: 'uptime.probe' } as const;

/** A JSON-transported line that did not parse. */
class InvalidJson {
  constructor(readonly message: string) {}
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    return new InvalidJson((err as Error).message);
  }
}

/**
 * A line with its NUL characters replaced by U+FFFD, as invalid UTF-8 bytes already are when the
 * body is decoded: the line is kept (an attack often carries such bytes) and nothing downstream
 * (DuckDB, C strings, terminals) ever sees a NUL.
 */
export function withoutNul(raw: string): string {
  return raw.indexOf('\u0000') === -1 ? raw : raw.replace(/\u0000/g, '\uFFFD');
}

/**
 * Turns one queued batch into the EventBatch the store writes: every line becomes an ECS event or a
 * dead letter (its raw text redacted as the event would have been); NUL characters become U+FFFD
 * (withoutNul). Pure: the time and the salt are
 * given, so it runs the same on the worker's thread or on a parse thread.
 */
export function parseBatch(job: IngestJob, now: number, piiSalt: string): EventBatch {
  const events: EcsDocument[] = [];
  const deadLetters: DeadLetter[] = [];
  const base = { source: job.source, batchId: job.batchId, receivedAt: job.receivedAt, now, piiSalt };
  const dead = (line: number, raw: string, reason: string): DeadLetter => ({
    id: `${job.batchId}:${line}`, sourceId: job.source.id, locality: job.source.locality, province: job.source.province,
    batchId: job.batchId, line, raw, reason, receivedAt: job.receivedAt,
  });
  const handle = (raw: string, parsed: unknown, line: number, docId?: string) => {
    const ctx: LineContext = docId === undefined ? { ...base, line } : { ...base, line, docId };
    if (parsed instanceof InvalidJson) {
      deadLetters.push(dead(line, redactRaw(raw, undefined, ctx), `invalid JSON: ${maskPii(parsed.message).slice(0, 300)}`));
      return;
    }
    const result = processLine(raw, parsed, ctx);
    if (result.ok) events.push(result.event);
    // Dead letters keep the line, minus the PII the event would not have kept either.
    else deadLetters.push(dead(line, redactRaw(raw, parsed, ctx), result.reason));
  };
  if (job.body !== undefined) {
    const json = job.transport === 'ndjson';
    forEachLine(job.body, (text, n) => {
      const line = withoutNul(text);
      handle(line, json ? parseJson(line) : undefined, n);
    });
  }
  job.items?.forEach((item, i) => {
    const line = withoutNul(item.raw);
    handle(line, parseJson(line), i + 1, item.id);
  });
  return {
    batchId: job.batchId, sourceId: job.source.id, locality: job.source.locality, province: job.source.province,
    dataset: DATASETS[job.source.kind], received: events.length + deadLetters.length, events, deadLetters, receivedAt: job.receivedAt,
  };
}

/** What a batch holds, counted before writing. */
export interface BatchCounts {
  readonly received: number;
  readonly events: number;
}

/**
 * The parse step as the parse threads run it: the batch, prepared for the store when the store has
 * a preparer module (the documents then travel as the store's compact rows).
 */
export function parseAndPrepare(job: IngestJob, now: number, piiSalt: string, preparer: string | undefined): { counts: BatchCounts; batch?: EventBatch; prepared?: unknown } {
  const batch = parseBatch(job, now, piiSalt);
  const counts = { received: batch.received, events: batch.events.length };
  if (!preparer) return { counts, batch };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(preparer) as { prepareBatch(b: EventBatch): unknown };
  return { counts, prepared: mod.prepareBatch(batch) };
}
