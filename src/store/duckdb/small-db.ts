import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { AppError, errors } from '../../errors';

export type Row = Record<string, unknown>;

/**
 * A small DuckDB file of its own (directory, rule state): one connection, little memory, errors
 * translated (a constraint violation → `conflict`, anything else → `unavailable`).
 */
export class SmallDuckDb {
  private instance: DuckDBInstance | null = null;
  private conn: DuckDBConnection | null = null;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  /** Opens the file and runs the schema statements (idempotent ones: CREATE ... IF NOT EXISTS). */
  async open(schema: readonly string[]): Promise<void> {
    try {
      this.instance = await DuckDBInstance.create(this.path, { memory_limit: '128MB', threads: '1' });
      this.conn = await this.instance.connect();
      for (const sql of schema) await this.conn.run(sql);
    } catch (err) {
      throw errors.storeUnavailable(err);
    }
  }

  close(): void {
    this.conn?.closeSync();
    this.instance?.closeSync();
    this.conn = null;
    this.instance = null;
  }

  /** Rows as plain objects (BIGINT as bigint). */
  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      const reader = await this.connection().runAndReadAll(sql, params as DuckDBValue[]);
      return reader.getRowObjectsJS() as Row[];
    } catch (err) {
      throw err instanceof AppError ? err : errors.storeUnavailable(err);
    }
  }

  /** Runs a statement; returns the rows it changed. `conflictMessage` names a constraint violation. */
  async exec(sql: string, params: unknown[], conflictMessage = 'Conflict'): Promise<number> {
    try {
      return (await this.connection().run(sql, params as DuckDBValue[])).rowsChanged;
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (/constraint/i.test(String((err as Error).message))) throw errors.conflict(conflictMessage);
      throw errors.storeUnavailable(err);
    }
  }

  /**
   * Runs `fn` between BEGIN and COMMIT (ROLLBACK when it throws) and returns what it returned.
   * Callers must not interleave transactions: run them through serial() when calls can overlap.
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.exec('BEGIN TRANSACTION', []);
    try {
      const result = await fn();
      await this.exec('COMMIT', []);
      return result;
    } catch (err) {
      // A failed COMMIT has already ended the transaction; ROLLBACK then fails harmlessly.
      await this.exec('ROLLBACK', []).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Runs `fn` after every call queued before it has settled. There is one connection, so a
   * statement run while another call's transaction is open would join it (and roll back with it).
   */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private connection(): DuckDBConnection {
    if (!this.conn) throw errors.storeUnavailable(new Error(`${this.path} is not open`));
    return this.conn;
  }
}

/**
 * The lifecycle of a store kept in one small DuckDB file of its own: open with its schema, close
 * after the statements in flight (closing under a write would lose it), ping.
 */
export abstract class SmallDuckDbStore {
  protected readonly db: SmallDuckDb;

  constructor(path: string, private readonly schema: readonly string[]) {
    this.db = new SmallDuckDb(path);
  }

  async init(): Promise<void> {
    await this.db.open(this.schema);
  }

  async close(): Promise<void> {
    await this.db.serial(async () => this.db.close());
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
