import type { Source } from '../directory/types';

/** What the batcher hands batches to: IngestService.acceptBody (text transport, one message a line). */
export interface BatchSink {
  acceptBody(source: Source, body: string, transport: 'text'): Promise<unknown>;
}

export interface SourceBatcherOptions {
  /** Lines in one queued batch at most. @defaultValue 1000 */
  readonly maxLines?: number;
  /** Characters in one queued batch at most (about bytes). @defaultValue 1 MiB */
  readonly maxChars?: number;
  /** How long the first line of a batch waits for others, ms. @defaultValue 200 */
  readonly flushMs?: number;
  /** Characters held (gathering, queuing or waiting to retry) above which `full` turns true. @defaultValue 16 MiB */
  readonly highWaterChars?: number;
  /** First wait before retrying a batch the queue refused, ms (doubling up to 5 s). @defaultValue 250 */
  readonly retryMs?: number;
}

interface Pending {
  readonly source: Source;
  lines: string[];
  chars: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Gathers syslog lines per source into queued batches, as HTTP ingest queues a request body: one
 * queue job per batch, never one per message. A batch the queue refuses (Redis down) is kept and
 * retried; while the lines held exceed the high-water mark `full` is true and the receiver stops
 * reading TCP and drops UDP, so memory stays bounded. `onDrain` is called as each batch leaves.
 */
export class SourceBatcher {
  private readonly pending = new Map<string, Pending>();
  private held = 0;
  private inFlight = new Set<Promise<void>>();
  private closed = false;
  private readonly o: Required<SourceBatcherOptions>;
  /** Lines handed to the queue (batches it accepted). */
  queued = 0;
  /** Times the queue refused a batch (each retried). */
  failures = 0;

  constructor(private readonly sink: BatchSink, private readonly onDrain: () => void, private readonly onError: (err: unknown) => void, options: SourceBatcherOptions = {}) {
    this.o = { maxLines: 1000, maxChars: 1 << 20, flushMs: 200, highWaterChars: 16 << 20, retryMs: 250, ...options };
  }

  /** True while more than the high-water mark is held: stop reading. */
  get full(): boolean {
    return this.held > this.o.highWaterChars;
  }

  add(source: Source, line: string): void {
    let p = this.pending.get(source.id);
    if (!p) {
      p = { source, lines: [], chars: 0, timer: null };
      this.pending.set(source.id, p);
    }
    p.lines.push(line);
    p.chars += line.length + 1;
    this.held += line.length + 1;
    if (p.lines.length >= this.o.maxLines || p.chars >= this.o.maxChars) this.flush(p);
    else if (!p.timer && !this.closed) p.timer = setTimeout(() => this.flush(p as Pending), this.o.flushMs);
  }

  /** Queues everything gathered and waits for every batch in flight (retries stop after `deadlineMs`). */
  async close(deadlineMs = 5000): Promise<void> {
    this.closed = true;
    for (const p of [...this.pending.values()]) this.flush(p);
    const deadline = new Promise((r) => setTimeout(r, deadlineMs).unref());
    await Promise.race([Promise.all([...this.inFlight]), deadline]);
  }

  private flush(p: Pending): void {
    if (p.timer) clearTimeout(p.timer);
    if (this.pending.get(p.source.id) === p) this.pending.delete(p.source.id);
    if (p.lines.length === 0) return;
    const run = this.send(p.source, p.lines.join('\n'), p.lines.length, p.chars);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private async send(source: Source, body: string, lines: number, chars: number): Promise<void> {
    let wait = this.o.retryMs;
    for (;;) {
      try {
        await this.sink.acceptBody(source, body, 'text');
        this.queued += lines;
        break;
      } catch (err) {
        this.failures++;
        this.onError(err);
        if (this.closed && wait > 1000) break; // shutting down with the queue away: give up after a few tries
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 5000);
      }
    }
    this.held -= chars;
    this.onDrain();
  }
}
