import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { AppError, coerceError, errors } from '../../errors';

/** The few logger methods the store uses (pino-compatible). */
export interface StoreLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * DuckDB settings of the store. The WAL is checkpointed (compressed into the main file) every 256 MB
 * instead of DuckDB's 16 MB: frequent checkpoints re-compress partly filled row groups and cost more
 * than the appends themselves (docs/adr/0003-embedded-event-store.md).
 */
export const DUCKDB_CONFIG: Readonly<Record<string, string>> = { checkpoint_threshold: '256MB' };

const SILENT: StoreLogger = { info: () => undefined, warn: () => undefined };

// DuckDB error classes that mean the database itself cannot answer (disk, lock, invalidated, closed).
const UNAVAILABLE = /^(IO|Connection|Fatal|Out of Memory|Interrupt|Permission) Error|database has been invalidated|Could not set lock|(database|connection) (is |has been |was )?closed/i;
// Errors caused by a value of the request (a filter value that does not convert, a bad pattern).
const BAD_INPUT = /^(Conversion|Invalid Input|Out of Range) Error/;

/** Maps anything a DuckDB call throws onto Canh's error kinds. */
export function translateError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (UNAVAILABLE.test(message)) return errors.storeUnavailable(err);
  if (BAD_INPUT.test(message)) return errors.invalidRequest(message.split('\n')[0], { cause: 'query' });
  return coerceError(err);
}

/**
 * One DuckDB database file: a dedicated write connection whose transactions run one at a time, and a
 * small pool of read connections (DuckDB's MVCC lets reads run beside a write and see only
 * committed data).
 */
export class DuckDbDatabase {
  private writeQueue: Promise<unknown> = Promise.resolve();
  private readonly idle: DuckDBConnection[];
  private readonly waiting: ((c: DuckDBConnection) => void)[] = [];
  private busyReads = 0;
  private readsDrained: (() => void) | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly readers: DuckDBConnection[],
    private readonly logger: StoreLogger,
  ) {
    this.idle = [...readers];
  }

  /** Opens (creating if needed) the file at `path`, or an in-memory database for ':memory:'. */
  static async open(
    path: string,
    options: { readConnections?: number; logger?: StoreLogger; config?: Readonly<Record<string, string>> } = {},
  ): Promise<DuckDbDatabase> {
    try {
      const instance = await DuckDBInstance.create(path, { ...DUCKDB_CONFIG, ...options.config });
      const writer = await instance.connect();
      const readers = await Promise.all(Array.from({ length: options.readConnections ?? 2 }, () => instance.connect()));
      return new DuckDbDatabase(instance, writer, readers, options.logger ?? SILENT);
    } catch (err) {
      throw errors.storeUnavailable(err);
    }
  }

  /**
   * Runs `fn` in one transaction on the write connection, after every earlier write finished:
   * COMMIT when it resolves, ROLLBACK (nothing of it stays) when it throws.
   */
  writeTransaction<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    this.assertOpen();
    const run = async (): Promise<T> => {
      try {
        await this.writer.run('BEGIN TRANSACTION');
      } catch (err) {
        throw translateError(err);
      }
      try {
        const result = await fn(this.writer);
        await this.writer.run('COMMIT');
        return result;
      } catch (err) {
        await this.rollback();
        throw translateError(err);
      }
    };
    const next = this.writeQueue.then(run, run);
    this.writeQueue = next.catch(() => undefined);
    return next;
  }

  /** Runs `fn` on a read connection from the pool. */
  async read<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    this.assertOpen();
    const conn = this.idle.pop() ?? (await new Promise<DuckDBConnection>((resolve) => this.waiting.push(resolve)));
    this.busyReads++;
    try {
      return await fn(conn);
    } catch (err) {
      throw translateError(err);
    } finally {
      this.busyReads--;
      const next = this.waiting.shift();
      if (next) next(conn);
      else this.idle.push(conn);
      if (this.busyReads === 0) this.readsDrained?.();
    }
  }

  /** Waits for writes in hand, then closes the connections and the database (its WAL is checkpointed). */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    await this.writeQueue;
    if (this.busyReads > 0) await new Promise<void>((resolve) => (this.readsDrained = resolve));
    for (const conn of [this.writer, ...this.readers]) conn.closeSync();
    this.instance.closeSync();
  }

  private assertOpen(): void {
    if (this.closing) throw errors.storeUnavailable(new Error('The event store is closed'));
  }

  private async rollback(): Promise<void> {
    try {
      await this.writer.run('ROLLBACK');
    } catch (err) {
      // The transaction may already be aborted by the error itself; nothing is committed either way.
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'duckdb rollback failed');
    }
  }
}
