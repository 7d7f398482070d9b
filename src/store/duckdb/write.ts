import { BIGINT, INTEGER, LIST, VARCHAR, listValue, timestampValue, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { checkBatch } from '../cursor';
import type { DeadLetter, EcsDocument, EventBatch, WriteResult } from '../event-store';
import { appendColumns } from './append';
import { splitColumns, type SplitColumns } from './document';
import { ID_INDEX } from './schema';

/**
 * The idempotent batch write (strategy and figures: docs/adr/0003-embedded-event-store.md). Inside
 * one transaction on the write connection:
 * 1. look up which ids of the batch are already stored, scanning only the batch's time span (an
 *    event id always comes with the same `@timestamp`, and zonemaps skip row groups outside it);
 * 2. append the others straight into `events` with the appender;
 * 3. INSERT OR IGNORE the dead letters; upsert the batch's counters row.
 */

/**
 * A batch checked and prepared outside the transaction (no I/O, structured-clonable: the ingest
 * worker prepares batches on a parse thread and hands them over). Holds the rows, not the documents.
 */
export interface PreparedBatch {
  /** The batch without its documents (they are in `rows`). */
  readonly batch: EventBatch;
  /** Events in the batch as given (repeats included). */
  readonly eventCount: number;
  /** Unique by event id (first occurrence wins), split into columns, laid out column by column. */
  readonly rows: SplitColumns;
  readonly minTs: number;
  readonly maxTs: number | null;
}

/** Validates a batch (kind `invalid`, nothing written) and prepares its rows. */
export function prepareBatch(batch: EventBatch): PreparedBatch {
  const keys = checkBatch(batch);
  const seen = new Set<string>();
  const unique: EcsDocument[] = [];
  let minTs = Infinity;
  let maxTs = -Infinity;
  keys.forEach(({ at, id }, i) => {
    minTs = Math.min(minTs, at);
    maxTs = Math.max(maxTs, at);
    if (!seen.has(id)) {
      seen.add(id);
      unique.push(batch.events[i]);
    }
  });
  return { batch: { ...batch, events: [] }, eventCount: batch.events.length, rows: splitColumns(unique), minTs, maxTs: unique.length > 0 ? maxTs : null };
}

const micros = (ms: number) => timestampValue(BigInt(Math.floor(ms)) * 1000n);

const ID_SEPARATOR = '\n';

/**
 * The ids of a batch as one query parameter: one newline-joined string split by DuckDB, which binds
 * far faster than a 10,000-value list (measured 13 vs 20-30 ms a batch, most of it on the writer's
 * thread); the list only when an id itself holds a newline.
 */
function idsParameter(ids: readonly string[]): { sql: string; value: DuckDBValue } {
  if (ids.some((id) => id.includes(ID_SEPARATOR))) return { sql: 'unnest($3::VARCHAR[])', value: listValue(ids as string[]) };
  return { sql: "unnest(string_split($3, chr(10)))", value: ids.join(ID_SEPARATOR) };
}

async function storedIds(conn: DuckDBConnection, p: PreparedBatch): Promise<Set<string>> {
  const ids = p.rows.columns[ID_INDEX] as string[];
  if (ids.length === 0 || p.maxTs === null) return new Set();
  const param = idsParameter(ids);
  const reader = await conn.runAndReadAll(
    `SELECT id FROM events WHERE ts BETWEEN $1 AND $2 AND id IN (SELECT ${param.sql})`,
    [micros(p.minTs), micros(p.maxTs), param.value],
  );
  return new Set(reader.getRows().map((row) => row[0] as string));
}

async function insertDeadLetters(conn: DuckDBConnection, letters: readonly DeadLetter[]): Promise<number> {
  if (letters.length === 0) return 0;
  const columns: [DuckDBType, (d: DeadLetter) => DuckDBValue][] = [
    [VARCHAR, (d) => d.id], [VARCHAR, (d) => d.sourceId], [VARCHAR, (d) => d.locality], [VARCHAR, (d) => d.province],
    [VARCHAR, (d) => d.batchId], [INTEGER, (d) => d.line], [VARCHAR, (d) => d.raw], [VARCHAR, (d) => d.reason],
    [BIGINT, (d) => BigInt(d.receivedAt)],
  ];
  // One statement for the whole batch: parallel lists zipped by unnest.
  const result = await conn.run(
    `INSERT OR IGNORE INTO dead_letters
     SELECT unnest($1), unnest($2), unnest($3), unnest($4), unnest($5), unnest($6), unnest($7), unnest($8),
            make_timestamp(unnest($9) * 1000)`,
    columns.map(([, get]) => listValue(letters.map(get))),
    columns.map(([type]) => LIST(type)),
  );
  return result.rowsChanged;
}

async function upsertBatchRow(conn: DuckDBConnection, b: EventBatch, eventCount: number, maxTs: number | null, processedAt: number): Promise<void> {
  await conn.run('INSERT OR REPLACE INTO batches VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
    b.batchId, b.sourceId, BigInt(b.received), BigInt(eventCount), BigInt(b.deadLetters.length),
    micros(b.receivedAt), micros(processedAt), maxTs === null ? null : micros(maxTs),
  ]);
}

/** Writes a prepared batch; must run inside a transaction on the write connection. */
export async function writePrepared(conn: DuckDBConnection, p: PreparedBatch, processedAt: number): Promise<WriteResult> {
  const existing = await storedIds(conn, p);
  const ids = p.rows.columns[ID_INDEX] as string[];
  const fresh = ids.length - existing.size;
  if (fresh > 0) await appendColumns(conn, 'events', p.rows, existing.size === 0 ? undefined : (r) => existing.has(ids[r]));
  const deadLettered = await insertDeadLetters(conn, p.batch.deadLetters);
  await upsertBatchRow(conn, p.batch, p.eventCount, p.maxTs, processedAt);
  return { written: fresh, duplicates: p.eventCount - fresh, deadLettered };
}
