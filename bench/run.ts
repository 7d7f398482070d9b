/**
 * `npm run bench`: ingest figures for 1,000,000 access lines (CANH_BENCH_LINES to change) on this
 * machine, all in one run:
 *   (a) parse + normalize lines/s (processLine, one core)
 *   (b) end to end: HTTP → Redis queue → ingest worker → DuckDB file, events/s, against a real
 *       `canh start` child process (all roles), with that process's peak RSS
 *   (c) the raw DuckDB appender rate of the same rows (no idempotency, no queue)
 * and the ratios b/c and a/c. Needs Redis at REDIS_URL (default redis://127.0.0.1:6379).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import type { LineContext } from '../src/ingest/line-context';
import { processLine } from '../src/ingest/process-line';
import { appendEvents } from '../src/store/duckdb/append';
import { DUCKDB_CONFIG } from '../src/store/duckdb/connection';
import { splitDocument } from '../src/store/duckdb/document';
import { eventsTableDdl } from '../src/store/duckdb/schema';
import type { EcsDocument } from '../src/store/event-store';
import { ROOT, cpuSeconds, deleteKeys, int, peakRssMb, startService } from './support';

const N = Number(process.env.CANH_BENCH_LINES ?? 1_000_000);
const LINES_PER_REQUEST = 10_000;
const IN_FLIGHT = 4;
const SAMPLE = process.env.CANH_SAMPLE_LOG ?? join(ROOT, '..', 'shared', 'data', 'apache_access_elastic_examples.log');

const sample = readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => l.trim());
const sampleBody = sample.join('\n') + '\n';

function context(batch: number, line: number): LineContext {
  return {
    source: { id: 'src_bench', locality: '00004', province: '01', kind: 'access', format: 'apache_combined' },
    batchId: `bench-${batch}`, line, receivedAt: Date.UTC(2026, 10, 23), now: Date.UTC(2026, 10, 23, 0, 0, 1), piiSalt: 'bench-salt-0123456789',
  };
}

/** Parses lines [first, first+count) of the repeated sample; returns the events. */
function parseChunk(first: number, count: number): EcsDocument[] {
  const out: EcsDocument[] = [];
  for (let i = first; i < first + count; i++) {
    const r = processLine(sample[i % sample.length], undefined, context(Math.floor(i / LINES_PER_REQUEST), (i % LINES_PER_REQUEST) + 1));
    if (r.ok) out.push(r.event);
  }
  return out;
}

function benchParse(): number {
  parseChunk(0, sample.length); // warm-up
  const t = performance.now();
  for (let first = 0; first < N; first += 100_000) parseChunk(first, Math.min(100_000, N - first));
  return N / ((performance.now() - t) / 1000);
}

async function benchRawAppend(dir: string): Promise<number> {
  const instance = await DuckDBInstance.create(join(dir, 'raw.duckdb'), { ...DUCKDB_CONFIG });
  const conn = await instance.connect();
  await conn.run(eventsTableDdl('events'));
  let appendMs = 0;
  for (let first = 0; first < N; first += 100_000) {
    const rows = parseChunk(first, Math.min(100_000, N - first)).map(splitDocument);
    const t = performance.now();
    await appendEvents(conn, 'events', rows);
    appendMs += performance.now() - t;
  }
  const t = performance.now();
  await conn.run('CHECKPOINT');
  appendMs += performance.now() - t;
  conn.closeSync();
  instance.closeSync();
  return N / (appendMs / 1000);
}

const PREFIX = `canh-bench-${randomBytes(3).toString('hex')}`;

async function benchEndToEnd(dir: string): Promise<{ eventsPerSec: number; rssMb: number; acceptPerSec: number; cores: number }> {
  const token = randomBytes(16).toString('hex');
  const service = await startService({ CANH_DATA_DIR: join(dir, 'data'), CANH_QUEUE_PREFIX: PREFIX }, token);
  const { child, url } = service;
  try {
    const admin = (path: string, body?: unknown) => service.admin(path, body);
    await admin('/api/v1/localities', { code: '01', name: 'Hà Nội', level: 'province' });
    await admin('/api/v1/localities', { code: '00004', name: 'Ba Đình', level: 'commune', parent_code: '01' });
    const source = await admin('/api/v1/sources', { name: 'bench', locality: '00004', kind: 'access', format: 'apache_combined' });
    const requests = Math.ceil(N / LINES_PER_REQUEST);
    const cpuBefore = cpuSeconds(child.pid as number);
    const started = performance.now();
    let next = 0;
    const sender = async () => {
      while (next < requests) {
        next++;
        const res = await fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'text/plain' }, body: sampleBody });
        if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    const acceptSeconds = (performance.now() - started) / 1000;
    const total = requests * sample.length;
    for (;;) {
      const s = await admin(`/api/v1/sources/${source.id}/stats`);
      if (s.received >= total) {
        if (s.stored !== total) throw new Error(`stored ${s.stored} of ${total}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const cores = (cpuSeconds(child.pid as number) - cpuBefore) / seconds;
    return { eventsPerSec: total / seconds, rssMb: peakRssMb(child.pid as number), acceptPerSec: total / acceptSeconds, cores };
  } finally {
    await service.stop();
  }
}

const fmt = int;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'canh-bench-'));
  try {
    console.log(`Canh ingest benchmark: ${fmt(N)} Apache combined lines (the 10,000-line sample, repeated), ${require('node:os').cpus().length} cores`);
    const a = benchParse();
    console.log(`(a) parse + normalize:              ${fmt(a)} lines/s (one core)`);
    const b = await benchEndToEnd(dir);
    console.log(`(b) HTTP → queue → worker → DuckDB: ${fmt(b.eventsPerSec)} events/s (accepted over HTTP at ${fmt(b.acceptPerSec)} lines/s; the canh process used ${b.cores.toFixed(2)} cores)`);
    const c = await benchRawAppend(dir);
    console.log(`(c) raw DuckDB append, same rows:   ${fmt(c)} rows/s`);
    console.log(`ratios: b/c = ${(b.eventsPerSec / c).toFixed(2)}, a/c = ${(a / c).toFixed(2)}`);
    console.log(`peak RSS of the canh process during (b): ${fmt(b.rssMb)} MiB`);
    console.log(`targets: (b) >= 50,000 events/s ${b.eventsPerSec >= 50_000 ? 'MET' : 'MISSED'}; b/c >= 0.40 ${b.eventsPerSec / c >= 0.4 ? 'MET' : 'MISSED'}; RSS < 1024 MiB ${b.rssMb < 1024 ? 'MET' : 'MISSED'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await deleteKeys(PREFIX);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
