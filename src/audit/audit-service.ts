import { randomBytes } from 'node:crypto';
import { errors } from '../errors';
import { systemClock, type Clock } from '../lib/clock';
import type { AuditPage, AuditQuery, AuditStore } from '../store/audit-store';
import { describeRequest, type FinishedRequest } from './describe';
import type { AuditEntry } from './types';

/** Where write failures are reported (a pino logger fits). */
export interface AuditLogger {
  error(obj: object, msg: string): void;
}

export interface AuditServiceOptions {
  readonly store: AuditStore;
  /** @defaultValue systemClock */
  readonly clock?: Clock;
  /** @defaultValue none: failures are only counted */
  readonly logger?: AuditLogger;
  /** Entries kept in memory while the store refuses writes; the oldest beyond are dropped (counted, logged). @defaultValue 10000 */
  readonly maxPending?: number;
  /** Wait before retrying a failed write when nothing else triggers one. @defaultValue 1000 */
  readonly retryMs?: number;
}

/** Counters of the audit writer (for /metrics and tests). */
export interface AuditStats {
  readonly written: number;
  /** Failed store writes (each keeps its entries for a retry). */
  readonly writeFailures: number;
  /** Entries given up on: the pending buffer was full, or the service was closed. */
  readonly dropped: number;
  readonly pending: number;
}

/**
 * Records audit entries without slowing or failing requests: record() only buffers; entries are
 * group-committed (everything recorded while the previous write ran goes to the store in ONE
 * append), like DuckDbRuleStateStore. A failed write is logged with its request ids and counted,
 * and its entries are kept and retried; none is lost silently.
 */
export class AuditService {
  private readonly store: AuditStore;
  private readonly clock: Clock;
  private readonly logger: AuditLogger | undefined;
  private readonly maxPending: number;
  private readonly retryMs: number;
  private pending: AuditEntry[] = [];
  private flushing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private seq = 0;
  private counters = { written: 0, writeFailures: 0, dropped: 0 };

  constructor(options: AuditServiceOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.maxPending = options.maxPending ?? 10_000;
    this.retryMs = options.retryMs ?? 1000;
  }

  /** Buffers the entry of a finished request when it is audited (describe.ts); returns it, or null. */
  recordRequest(request: FinishedRequest): AuditEntry | null {
    const at = this.clock.now();
    const entry = describeRequest(request, this.newId(at), at);
    if (entry) this.record(entry);
    return entry;
  }

  /** Buffers an entry; it reaches the store with the next group commit. */
  record(entry: AuditEntry): void {
    if (this.closed) {
      this.drop([entry], 'the audit log is closed');
      return;
    }
    this.pending.push(entry);
    if (this.pending.length > this.maxPending) this.drop(this.pending.splice(0, this.pending.length - this.maxPending), 'too many entries wait for the store');
    this.startFlush();
  }

  /** Resolves once everything recorded so far is stored; rejects (kind `unavailable`) when the store refused it (kept for a retry). */
  async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    await this.startFlush();
    if (this.pending.length > 0) throw errors.storeUnavailable(new Error(`${this.pending.length} audit entries could not be written`));
  }

  /** Flushes (giving up on what the store still refuses, with a log line) and closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.flush().catch(() => this.drop(this.pending.splice(0), 'the audit log closed before the store took them'));
    await this.store.close();
  }

  /** A page of entries, newest first; what was recorded before the call is included when the store takes it. */
  async list(query: AuditQuery): Promise<AuditPage> {
    await this.flush().catch(() => undefined);
    return this.store.list(query);
  }

  stats(): AuditStats {
    return { ...this.counters, pending: this.pending.length };
  }

  /**
   * `aud_` + 12 hex digits of `at` + a per-process sequence + random: ids sort like the records
   * within one millisecond, so a listing's order (at, then id) is the order of the answers.
   */
  private newId(at: number): string {
    this.seq = (this.seq + 1) % 0x1000000;
    return `aud_${Math.max(0, at).toString(16).padStart(12, '0')}${this.seq.toString(16).padStart(6, '0')}${randomBytes(3).toString('hex')}`;
  }

  private startFlush(): Promise<void> {
    if (!this.flushing) this.flushing = this.flushLoop().finally(() => { this.flushing = null; });
    return this.flushing;
  }

  /** Writes what is pending, again while more arrives during a write; stops at the first failure. */
  private async flushLoop(): Promise<void> {
    // Let the requests finishing in this tick join the first write.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.store.append(batch);
        this.counters.written += batch.length;
      } catch (err) {
        this.counters.writeFailures += 1;
        // Kept, oldest first, for the retry (appends are idempotent by id).
        this.pending = [...batch, ...this.pending];
        const over = this.pending.length - this.maxPending;
        if (over > 0) this.drop(this.pending.splice(0, over), 'too many entries wait for the store');
        this.logger?.error(
          { err: { message: (err as Error)?.message ?? String(err) }, entries: batch.length, requestIds: batch.slice(0, 20).map((e) => e.requestId) },
          `audit: could not write ${batch.length} entries; kept for a retry`,
        );
        this.scheduleRetry();
        return;
      }
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.startFlush();
    }, this.retryMs);
    this.retryTimer.unref();
  }

  private drop(entries: readonly AuditEntry[], why: string): void {
    if (entries.length === 0) return;
    this.counters.dropped += entries.length;
    this.logger?.error({ entries: entries.length, requestIds: entries.slice(0, 20).map((e) => e.requestId) }, `audit: ${entries.length} entries lost: ${why}`);
  }
}
