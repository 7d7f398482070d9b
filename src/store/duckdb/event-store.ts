import { errors } from '../../errors';
import { bucketStarts, checkAggregate, checkPageSize, cursorKey, encodeCursor } from '../cursor';
import type {
  AggregateQuery, AggregateRow, DeadLetter, DeadLetterPage, DeadLetterQuery, EventBatch, EventQuery, EventStore,
  HistogramBucket, HistogramQuery, SearchPage, SearchQuery, SourceStats, WriteResult,
} from '../event-store';
import type { Scope } from '../scope';
import { aggregateSql, histogramSql, rowToAggregate } from './aggregate';
import { MAX_QUERIES_PER_PASS, aggregateManySql, shapeKey, splitManyRows } from './aggregate-many';
import { DuckDbDatabase, type StoreLogger } from './connection';
import { rebuildDocument } from './document';
import { afterKey, and, eventWhere, scopeCondition, tsParam } from './query';
import { EVENT_COLUMNS, ID_INDEX, REST_COLUMN, SCHEMA_DDL, TS_INDEX } from './schema';
import { prepareBatch, writePrepared, type PreparedBatch } from './write';

export interface DuckDbEventStoreOptions {
  /** Database file (created if missing), or ':memory:'. */
  readonly path: string;
  /** Read connections beside the write connection. @defaultValue 2 */
  readonly readConnections?: number;
  /** DuckDB settings over DUCKDB_CONFIG (e.g. `{ checkpoint_threshold: '1GB', memory_limit: '2GB' }`). */
  readonly config?: Readonly<Record<string, string>>;
  /** Clock for `lastBatchAt` (batch processing time). @defaultValue Date.now */
  readonly now?: () => number;
}

const num = (v: unknown): number => Number(v);
const SEARCH_COLUMNS = [...EVENT_COLUMNS.map((c) => (c.kind === 'timestamp' ? `epoch_ms(${c.column})` : c.column)), REST_COLUMN].join(', ');
const DEAD_LETTER_COLUMNS = 'id, source_id, locality, province, batch_id, line, raw, reason, epoch_ms(received_at)';

/**
 * The embedded EventStore: one DuckDB file (docs/adr/0003-embedded-event-store.md). Events keep the
 * catalog's typed columns plus the rest of the document as JSON; writes are one transaction each, one
 * at a time, on a dedicated connection; reads use a small pool of other connections.
 *
 * Idempotency assumes what the ingest pipeline guarantees: an event id always comes with the same
 * `@timestamp` (ids are derived from the source, batch and line or given by the shipper with the
 * event), so the duplicate check only looks at the batch's time span.
 */
export class DuckDbEventStore implements EventStore {
  private db: DuckDbDatabase | null = null;
  private readonly now: () => number;

  constructor(
    private readonly options: DuckDbEventStoreOptions,
    private readonly logger?: StoreLogger,
  ) {
    this.now = options.now ?? Date.now;
  }

  async init(): Promise<void> {
    if (this.db) return;
    const db = await DuckDbDatabase.open(this.options.path, {
      readConnections: this.options.readConnections,
      logger: this.logger,
      config: this.options.config,
    });
    try {
      await db.writeTransaction(async (conn) => {
        for (const ddl of SCHEMA_DDL) await conn.run(ddl);
      });
    } catch (err) {
      await db.close();
      throw err;
    }
    this.db = db;
    this.logger?.info({ path: this.options.path }, 'duckdb event store open');
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = null;
    await db?.close();
  }

  async ping(): Promise<void> {
    await this.open().read((conn) => conn.run('SELECT 1'));
  }

  async prune(before: number): Promise<{ readonly events: number; readonly deadLetters: number }> {
    // Counted, then deleted, in one transaction (RETURNING would hold millions of rows in memory).
    const cut = tsParam(before);
    return this.open().writeTransaction(async (conn) => {
      const count = async (sql: string) => num((await conn.runAndReadAll(sql, [cut])).getRows()[0][0]);
      const events = await count('SELECT count(*) FROM events WHERE ts < ?');
      const deadLetters = await count('SELECT count(*) FROM dead_letters WHERE received_at < ?');
      if (events > 0) await conn.run('DELETE FROM events WHERE ts < ?', [cut]);
      if (deadLetters > 0) await conn.run('DELETE FROM dead_letters WHERE received_at < ?', [cut]);
      return { events, deadLetters };
    });
  }

  /** The pure half of write() (split into rows) runs on the ingest worker's parse threads. */
  readonly preparer = require.resolve('./prepare');

  async write(batch: EventBatch): Promise<WriteResult> {
    return this.writePrepared(prepareBatch(batch));
  }

  async writePrepared(prepared: unknown): Promise<WriteResult> {
    const p = prepared as PreparedBatch;
    return this.open().writeTransaction((conn) => writePrepared(conn, p, this.now()));
  }

  async search(query: SearchQuery, scope: Scope): Promise<SearchPage> {
    checkPageSize(query.size);
    const after = cursorKey(query.cursor);
    const all = eventWhere(query, scope);
    const page = eventWhere(query, scope, after);
    const db = this.open();
    const [total, rows] = await Promise.all([
      db.read(async (conn) => num((await conn.runAndReadAll(`SELECT count(*) FROM events WHERE ${all.sql}`, all.params)).getRows()[0][0])),
      db.read(async (conn) => {
        const sql = `SELECT ${SEARCH_COLUMNS} FROM events WHERE ${page.sql} ORDER BY ts DESC, id DESC LIMIT ?`;
        return (await conn.runAndReadAll(sql, [...page.params, query.size + 1])).getRows();
      }),
    ]);
    const events = rows.slice(0, query.size).map((row) => rebuildDocument(row.slice(0, -1), row[row.length - 1] as string | null));
    const last = rows.length > query.size ? rows[query.size - 1] : null;
    return { total, events, nextCursor: last ? encodeCursor({ at: num(last[TS_INDEX]), id: last[ID_INDEX] as string }) : null };
  }

  async count(query: EventQuery, scope: Scope): Promise<number> {
    const where = eventWhere(query, scope);
    return this.open().read(async (conn) => num((await conn.runAndReadAll(`SELECT count(*) FROM events WHERE ${where.sql}`, where.params)).getRows()[0][0]));
  }

  async aggregate(query: AggregateQuery, scope: Scope): Promise<readonly AggregateRow[]> {
    checkAggregate(query);
    const { sql, params } = aggregateSql(query, scope);
    const rows = await this.open().read(async (conn) => (await conn.runAndReadAll(sql, params)).getRows());
    return rows.map((row) => rowToAggregate(query, row));
  }

  async aggregateMany(queries: readonly AggregateQuery[], scope: Scope): Promise<(readonly AggregateRow[])[]> {
    queries.forEach(checkAggregate);
    const answers: (readonly AggregateRow[])[] = new Array(queries.length);
    const passes: number[][] = [];
    const shapes = new Map<string, number[]>();
    queries.forEach((q, i) => {
      const key = shapeKey(q);
      if (key === null) passes.push([i]);
      else shapes.set(key, [...(shapes.get(key) ?? []), i]);
    });
    for (const members of shapes.values()) {
      for (let k = 0; k < members.length; k += MAX_QUERIES_PER_PASS) passes.push(members.slice(k, k + MAX_QUERIES_PER_PASS));
    }
    await Promise.all(passes.map(async (members) => {
      if (members.length === 1) {
        answers[members[0]] = await this.aggregate(queries[members[0]], scope);
        return;
      }
      const batch = members.map((i) => queries[i]);
      const { sql, params } = aggregateManySql(batch, scope);
      const rows = await this.open().read(async (conn) => (await conn.runAndReadAll(sql, params)).getRows());
      splitManyRows(batch, rows).forEach((answer, k) => { answers[members[k]] = answer; });
    }));
    return answers;
  }

  async histogram(query: HistogramQuery, scope: Scope): Promise<readonly HistogramBucket[]> {
    const starts = bucketStarts(query, query.intervalMs);
    if (starts.length === 0) return [];
    const { sql, params } = histogramSql(eventWhere(query, scope), starts[0], query.intervalMs);
    const rows = await this.open().read(async (conn) => (await conn.runAndReadAll(sql, params)).getRows());
    const counts = new Map(rows.map((r) => [num(r[0]), num(r[1])]));
    return starts.map((start, i) => ({ start, count: counts.get(i) ?? 0 }));
  }

  async sourceStats(sourceId: string): Promise<SourceStats> {
    const sql = `SELECT coalesce(sum(received), 0), coalesce(sum(stored), 0), coalesce(sum(dead_lettered), 0),
      epoch_ms(max(max_event_ts)), epoch_ms(max(processed_at)) FROM batches WHERE source_id = ?`;
    const [r] = await this.open().read(async (conn) => (await conn.runAndReadAll(sql, [sourceId])).getRows());
    const orNull = (v: unknown) => (v === null ? null : num(v));
    return { received: num(r[0]), stored: num(r[1]), deadLettered: num(r[2]), lastEventAt: orNull(r[3]), lastBatchAt: orNull(r[4]) };
  }

  async listDeadLetters(query: DeadLetterQuery, scope: Scope): Promise<DeadLetterPage> {
    checkPageSize(query.size);
    const where = and([
      scopeCondition(scope, 'locality', 'province'),
      query.sourceId === undefined ? null : { sql: 'source_id = ?', params: [query.sourceId] },
      afterKey(cursorKey(query.cursor), 'received_at', 'id'),
    ]);
    const sql = `SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters WHERE ${where.sql} ORDER BY received_at DESC, id DESC LIMIT ?`;
    const rows = await this.open().read(async (conn) => (await conn.runAndReadAll(sql, [...where.params, query.size + 1])).getRows());
    const deadLetters = rows.slice(0, query.size).map(toDeadLetter);
    const last = rows.length > query.size ? deadLetters[deadLetters.length - 1] : null;
    return { deadLetters, nextCursor: last ? encodeCursor({ at: last.receivedAt, id: last.id }) : null };
  }

  private open(): DuckDbDatabase {
    if (!this.db) throw errors.storeUnavailable(new Error('The event store is not open: call init() first'));
    return this.db;
  }
}

function toDeadLetter(r: readonly unknown[]): DeadLetter {
  return {
    id: r[0] as string, sourceId: r[1] as string, locality: r[2] as string, province: r[3] as string | null,
    batchId: r[4] as string, line: num(r[5]), raw: r[6] as string, reason: r[7] as string, receivedAt: num(r[8]),
  };
}
