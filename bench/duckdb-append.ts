/**
 * DuckDB write benchmarks.
 * - benchRawAppend: the raw appender rate into a bare events table (same columns, no idempotency):
 *   the ceiling the end-to-end bench compares against.
 * - benchStoreWrite: DuckDbEventStore.write() end to end (idempotency, dead letters, batch counters).
 * - runStrategy (run as a script): the idempotent-write strategies weighed in
 *   docs/adr/0003-embedded-event-store.md, each on a fresh database.
 *
 * Run from the repository root: npx tsc -p tsconfig.build.json && node dist/bench/duckdb-append.js [rows] [batchSize] [raw|store|memory|<strategy>]
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, listValue, timestampValue, type DuckDBConnection } from '@duckdb/node-api';
import type { EcsDocument, EventBatch } from '../src/store/event-store';
import { DuckDbEventStore } from '../src/store/duckdb/event-store';
import { appendEvents } from '../src/store/duckdb/append';
import { splitDocument } from '../src/store/duckdb/document';
import { eventsTableDdl, ID_INDEX, TS_INDEX } from '../src/store/duckdb/schema';
import { DUCKDB_CONFIG } from '../src/store/duckdb/connection';

/** DuckDB settings of every run: the store's, overridable for experiments (CANH_BENCH_DUCKDB='{"checkpoint_threshold":"16MB"}'). */
const CONFIG: Record<string, string> = { ...DUCKDB_CONFIG, ...(JSON.parse(process.env.CANH_BENCH_DUCKDB ?? '{}') as Record<string, string>) };

const SAMPLE_LOG = process.env.CANH_SAMPLE_LOG ?? join(process.cwd(), '..', 'shared', 'data', 'apache_access_elastic_examples.log');
const COMBINED = /^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) (\S+) (\S+)" (\d{3}) (\S+) "([^"]*)" "([^"]*)"/;
const LOCALITIES: readonly (readonly [string, string])[] = [
  ['01001', '01'], ['01002', '01'], ['01003', '01'], ['79001', '79'], ['79002', '79'],
  ['79003', '79'], ['48001', '48'], ['48002', '48'], ['01', '01'], ['79', '79'],
];

const linesByPath = new Map<string, string[]>();
function sampleLines(path: string): string[] {
  let lines = linesByPath.get(path);
  if (!lines) {
    lines = readFileSync(path, 'utf8').split('\n').filter((l) => COMBINED.test(l));
    linesByPath.set(path, lines);
  }
  return lines;
}

/** One ECS access event from a combined-format line, the way the ingest normalizer shapes it. */
function accessEvent(line: string, i: number, at: number): EcsDocument {
  const m = COMBINED.exec(line) as RegExpExecArray;
  const [, ip, user, , method, target, version, status, bytes, referrer, agent] = m;
  const [locality, province] = LOCALITIES[i % LOCALITIES.length];
  const q = target.indexOf('?');
  const code = Number(status);
  return {
    '@timestamp': new Date(at).toISOString(),
    event: {
      id: createHash('sha1').update(`bench:${i}`).digest('base64url').slice(0, 20),
      kind: 'event', category: ['web'], type: ['access'], dataset: 'web.access',
      outcome: code >= 400 ? 'failure' : 'success', original: line, ingested: new Date(at + 2000).toISOString(),
    },
    organization: { id: locality },
    canh: { province, source_id: `src-${locality}` },
    source: { ip },
    ...(user === '-' ? {} : { user: { name: user } }),
    http: {
      version: version.replace('HTTP/', ''),
      request: { method, ...(referrer === '-' ? {} : { referrer }) },
      response: { status_code: code, ...(bytes === '-' ? {} : { body: { bytes: Number(bytes) } }) },
    },
    url: { original: target, path: q < 0 ? target : target.slice(0, q), ...(q < 0 ? {} : { query: target.slice(q + 1) }) },
    user_agent: { original: agent },
  };
}

/**
 * `count` realistic access events cycling the sample log, about 10 per second from 2026-01-01 with
 * up to 30 s of disorder, spread over 10 localities of 3 provinces. Deterministic.
 */
export function accessLogEvents(count: number, first = 0, logPath = SAMPLE_LOG): EcsDocument[] {
  const lines = sampleLines(logPath);
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, k) => {
    const i = first + k;
    return accessEvent(lines[i % lines.length], i, start + i * 100 - ((i * 7919) % 30_000));
  });
}

/** Cuts events into ingest batches of `size` (no dead letters). */
export function toBatches(events: readonly EcsDocument[], size: number): EventBatch[] {
  const batches: EventBatch[] = [];
  for (let start = 0, n = 0; start < events.length; start += size, n++) {
    const slice = events.slice(start, start + size);
    batches.push({
      batchId: `bench-${n}`, sourceId: 'src-bench', locality: '01001', province: '01', dataset: 'web.access',
      received: slice.length, events: slice, deadLetters: [], receivedAt: Date.UTC(2026, 0, 1) + n,
    });
  }
  return batches;
}

/** Raw appender rate into a bare events table (same columns, no idempotency), 2048-row chunks. */
export async function benchRawAppend(rows: EcsDocument[], dir: string): Promise<{ rowsPerSec: number }> {
  const instance = await DuckDBInstance.create(join(dir, 'raw-append.duckdb'), CONFIG);
  const connection = await instance.connect();
  try {
    await connection.run(eventsTableDdl('events'));
    const started = performance.now();
    await appendEvents(connection, 'events', rows.map(splitDocument));
    // Compressing into the main file is part of the cost of writing: count it.
    await connection.run('CHECKPOINT');
    const seconds = (performance.now() - started) / 1000;
    return { rowsPerSec: Math.round(rows.length / seconds) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** DuckDbEventStore.write() rate, one batch after another, into a fresh file under `dir`. */
export async function benchStoreWrite(batches: EventBatch[], dir: string): Promise<{ eventsPerSec: number }> {
  const store = new DuckDbEventStore({ path: join(dir, 'store-write.duckdb'), config: CONFIG });
  await store.init();
  let events = 0;
  const started = performance.now();
  try {
    for (const batch of batches) events += (await store.write(batch)).written;
  } finally {
    // close() checkpoints the WAL into the main file: counted, as in benchRawAppend.
    await store.close();
  }
  return { eventsPerSec: Math.round(events / ((performance.now() - started) / 1000)) };
}

// ---- Idempotent-write strategies (docs/adr/0003-embedded-event-store.md) ----

const STRATEGIES = ['a-pk-insert-or-ignore', 'b-staging-not-exists', 'c-check-then-append'] as const;
type Strategy = (typeof STRATEGIES)[number];

async function writeWith(strategy: Strategy, conn: DuckDBConnection, docs: readonly EcsDocument[]): Promise<void> {
  const rows = docs.map(splitDocument);
  const micros = rows.map((r) => r.cells[TS_INDEX] as bigint);
  const [lo, hi] = [timestampValue(micros.reduce((a, b) => (b < a ? b : a))), timestampValue(micros.reduce((a, b) => (b > a ? b : a)))];
  await conn.run('BEGIN TRANSACTION');
  if (strategy === 'c-check-then-append') {
    const ids = rows.map((r) => r.cells[ID_INDEX] as string);
    const found = await conn.runAndReadAll('SELECT id FROM events WHERE ts BETWEEN $1 AND $2 AND id IN (SELECT unnest($3::VARCHAR[]))', [lo, hi, listValue(ids)]);
    const existing = new Set(found.getRows().map((r) => r[0] as string));
    await appendEvents(conn, 'events', existing.size === 0 ? rows : rows.filter((r) => !existing.has(r.cells[ID_INDEX] as string)));
  } else {
    await conn.run('DELETE FROM staging');
    await appendEvents(conn, 'staging', rows);
    await conn.run(
      strategy === 'a-pk-insert-or-ignore'
        ? 'INSERT OR IGNORE INTO events SELECT * FROM staging'
        : 'INSERT INTO events SELECT s.* FROM staging s WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = s.id AND e.ts BETWEEN $1 AND $2)',
      strategy === 'a-pk-insert-or-ignore' ? [] : [lo, hi],
    );
  }
  await conn.run('COMMIT');
}

/** Writes every batch with one strategy into a fresh file, then re-writes every tenth batch. */
async function runStrategy(strategy: Strategy, batches: readonly EventBatch[], file: string) {
  const instance = await DuckDBInstance.create(file, CONFIG);
  const conn = await instance.connect();
  try {
    const ddl = eventsTableDdl('events');
    await conn.run(strategy === 'a-pk-insert-or-ignore' ? ddl.replace('id VARCHAR NOT NULL', 'id VARCHAR PRIMARY KEY') : ddl);
    if (strategy !== 'c-check-then-append') await conn.run(eventsTableDdl('staging').replace('CREATE TABLE', 'CREATE TEMP TABLE'));
    let started = performance.now();
    for (const b of batches) await writeWith(strategy, conn, b.events);
    await conn.run('CHECKPOINT');
    const eventsPerSec = Math.round(batches.reduce((n, b) => n + b.events.length, 0) / ((performance.now() - started) / 1000));
    const again = batches.filter((_, i) => i % 10 === 0);
    started = performance.now();
    for (const b of again) await writeWith(strategy, conn, b.events);
    const rewritePerSec = Math.round(again.reduce((n, b) => n + b.events.length, 0) / ((performance.now() - started) / 1000));
    const total = Number((await conn.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
    return { eventsPerSec, rewritePerSec, total, fileMb: Math.round(statSync(file).size / 1e6) };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** RSS of a process that only writes: batches are generated one at a time and dropped after write(). */
async function benchStoreMemory(total: number, batchSize: number, dir: string): Promise<void> {
  const before = rssMb();
  const store = new DuckDbEventStore({ path: join(dir, 'store-memory.duckdb'), config: CONFIG });
  await store.init();
  let peak = 0;
  for (let first = 0, n = 0; first < total; first += batchSize, n++) {
    const [batch] = toBatches(accessLogEvents(Math.min(batchSize, total - first), first), batchSize);
    await store.write({ ...batch, batchId: `mem-${n}` });
    peak = Math.max(peak, rssMb());
  }
  console.log(`store memory: RSS ${before} MB before, peak ${peak} MB while writing ${total} events, ${rssMb()} MB after`);
  await store.close();
  console.log(`store memory: ${rssMb()} MB after close()`);
}

function rssMb(): number {
  return Math.round(process.memoryUsage().rss / 1e6);
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const batchSize = Number(process.argv[3] ?? 5_000);
  const only = process.argv[4] as Strategy | 'raw' | 'store' | 'memory' | undefined;
  if (only === 'memory') {
    const memDir = await mkdtemp(join(tmpdir(), 'canh-bench-'));
    await benchStoreMemory(rows, batchSize, memDir).finally(() => rm(memDir, { recursive: true, force: true }));
    return;
  }
  const events = accessLogEvents(rows);
  const batches = toBatches(events, batchSize);
  console.log(`${rows} events, batches of ${batchSize}, RSS after generating ${rssMb()} MB`);
  const dir = await mkdtemp(join(tmpdir(), 'canh-bench-'));
  try {
    if (!only || only === 'raw') console.log(`raw append: ${(await benchRawAppend(events, dir)).rowsPerSec} rows/s, RSS ${rssMb()} MB`);
    for (const s of STRATEGIES.filter((x) => !only || x === only)) {
      const r = await runStrategy(s, batches, join(dir, `${s}.duckdb`));
      console.log(`strategy ${s}: ${r.eventsPerSec} events/s, re-writing 10% of batches ${r.rewritePerSec} events/s, ${r.total} rows, file ${r.fileMb} MB, RSS ${rssMb()} MB`);
    }
    if (!only || only === 'store') console.log(`store write(): ${(await benchStoreWrite(batches, dir)).eventsPerSec} events/s, RSS ${rssMb()} MB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
