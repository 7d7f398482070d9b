/**
 * Rule engine benchmark (part of `npm run bench`; alone: `npm run bench:rules`). Prints figures,
 * asserts nothing. Needs Redis at REDIS_URL (default redis://127.0.0.1:6379).
 *
 * 1. Fill: a fresh DuckDB events file gets N web.access events (default 10,000,000) over L
 *    localities (3,300 in 34 provinces), spread over [start - 55 min, start + 20 min), so every
 *    5-minute window of the run holds the same share. Written with the raw appender (the ingest
 *    path has its own benchmark).
 * 2. In process, the same round of R rules (default 1,000: threshold / ratio / cardinality, grouped
 *    by organization.id, a quarter by organization.id + source.ip; window 5m) three ways:
 *    batched (what the engine does: BatchingEventStore, aggregates sharing a pass), one query per
 *    rule (each rule alone), and one query per rule per locality (sampled, extrapolated). The hits of
 *    the first two must be the same.
 * 3. The real engine: `canh start` (all roles) on that data with the R rules as YAML files (every
 *    60s) plus D detection rules (every 5s, delay 2s). For each 60 s round: the round time (first
 *    scheduled run → last run finished) and the schedule lag of every run (scheduled → started). All
 *    the while one event a second is sent over HTTP with a unique path; detection latency = its
 *    ingest request answered 202 → its hit queued on `incidents`.
 *
 * Environment: CANH_BENCH_EVENTS, CANH_BENCH_LOCALITIES, CANH_BENCH_RULES, CANH_BENCH_ROUNDS (2),
 * CANH_BENCH_SAMPLE_RULES (50), CANH_BENCH_SAMPLE_LOCALITIES (20), CANH_BENCH_DETECTION_RULES (10).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { Queue, QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { MATCH_ALL } from '../src/query/ast';
import { BatchingEventStore } from '../src/rules/engine/batching-store';
import { hitId } from '../src/rules/engine/rule-runner';
import { evaluateRule, type EvaluationWindow } from '../src/rules/evaluate';
import { formatRuleErrors, loadRuleText } from '../src/rules/load-rules';
import type { Hit, Rule } from '../src/rules/rule';
import { appendEvents } from '../src/store/duckdb/append';
import { DUCKDB_CONFIG } from '../src/store/duckdb/connection';
import { splitDocument } from '../src/store/duckdb/document';
import { DuckDbEventStore } from '../src/store/duckdb/event-store';
import { SCHEMA_DDL } from '../src/store/duckdb/schema';
import type { EventStore } from '../src/store/event-store';
import { ALL_SCOPE } from '../src/store/scope';
import { EVERY_MS, PROVINCES, WINDOW_MS, forLocality, generateEvents, makeRules, prng, rulesYaml } from './rules-data';
import { REDIS_URL, deleteKeys, envInt, fmt, int, peakRssMb, percentile, startService } from './support';

const TARGET_EVENTS = 10_000_000;
const FILL_BATCH = 100_000;
const MIN = 60_000;

interface Timed {
  readonly wallMs: number;
  readonly perTaskMs: number[];
  readonly hits: Hit[];
}

/** Runs every task with `concurrency` in flight; times each and the whole. */
async function runPool(tasks: readonly (() => Promise<Hit[]>)[], concurrency: number): Promise<Timed> {
  const perTaskMs: number[] = new Array(tasks.length);
  const hits: Hit[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < tasks.length; i = next++) {
      const t0 = performance.now();
      hits.push(...(await tasks[i]()));
      perTaskMs[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return { wallMs: performance.now() - started, perTaskMs, hits };
}

/** 1. Fills `<dataDir>/events.duckdb`; returns events/s. */
async function fill(dataDir: string, total: number, localities: number, start: number): Promise<number> {
  const instance = await DuckDBInstance.create(join(dataDir, 'events.duckdb'), { ...DUCKDB_CONFIG, memory_limit: '1GB' });
  const conn = await instance.connect();
  for (const ddl of SCHEMA_DDL) await conn.run(ddl);
  const rand = prng(0xca11);
  const span = { from: start - 55 * MIN, to: start + 20 * MIN };
  const t = performance.now();
  for (let first = 0; first < total; first += FILL_BATCH) {
    const events = generateEvents(first, Math.min(FILL_BATCH, total - first), total, localities, span, rand);
    await appendEvents(conn, 'events', events.map(splitDocument));
  }
  await conn.run('CHECKPOINT');
  conn.closeSync();
  instance.closeSync();
  return total / ((performance.now() - t) / 1000);
}

/** 2. One round three ways, in process. */
async function compareInProcess(dataDir: string, rules: readonly Rule[], localities: number, window: EvaluationWindow) {
  const store = new DuckDbEventStore({ path: join(dataDir, 'events.duckdb'), config: { memory_limit: '1GB' } });
  await store.init();
  try {
    const inWindow = await store.count({ ...window, filter: MATCH_ALL, datasets: ['web.access'] }, ALL_SCOPE);
    console.log(`events in the evaluated 5-minute window: ${int(inWindow)} (${fmt(inWindow / localities)} per locality)`);
    const batching = new BatchingEventStore(store);
    const batched = await runPool(rules.map((r) => () => evaluateRule(r, window, batching)), 1000);
    const st = batching.stats;
    console.log(`batched round (engine):         ${fmt(batched.wallMs / 1000, 2)} s, ${int(batched.hits.length)} hits, ${st.queries} aggregates asked as ${st.distinct} distinct queries in ${st.batches} batches`);
    const alone = await runPool(rules.map((r) => () => evaluateRule(r, window, store)), 4);
    const same = sameHits(batched.hits, alone.hits);
    console.log(`one query per rule:             ${fmt(alone.wallMs / 1000, 2)} s, ${int(alone.hits.length)} hits (same hits as batched: ${same ? 'yes' : 'NO'}), per rule p50 ${fmt(percentile(alone.perTaskMs, 50))} / p99 ${fmt(percentile(alone.perTaskMs, 99))} ms`);
    const perLocality = await perRulePerLocality(store, rules, localities, window);
    return { batched, alone, same, perLocality };
  } finally {
    await store.close();
  }
}

function sameHits(a: readonly Hit[], b: readonly Hit[]): boolean {
  const key = (h: Hit) => `${hitId(h)} ${h.observed} ${h.sampleEventIds.join(',')}`;
  const x = a.map(key).sort();
  const y = b.map(key).sort();
  return x.length === y.length && x.every((k, i) => k === y[i]);
}

/** One query per rule per locality, measured on a sample and extrapolated to every rule × locality. */
async function perRulePerLocality(store: EventStore, rules: readonly Rule[], localities: number, window: EvaluationWindow) {
  const sampleRules = Math.min(rules.length, envInt('CANH_BENCH_SAMPLE_RULES', 50));
  const sampleLocalities = Math.min(localities, envInt('CANH_BENCH_SAMPLE_LOCALITIES', 20));
  const ruleStep = rules.length / sampleRules;
  const locStep = localities / sampleLocalities;
  const tasks = Array.from({ length: sampleRules }, (_, k) => rules[Math.floor(k * ruleStep)]).flatMap((rule) =>
    Array.from({ length: sampleLocalities }, (_, k) => `c${String(Math.floor(k * locStep) + 1).padStart(5, '0')}`)
      .map((code) => () => evaluateRule(forLocality(rule, code), window, store)));
  const sample = await runPool(tasks, 4);
  const full = rules.length * localities;
  const extrapolatedMs = sample.wallMs * (full / tasks.length);
  console.log(`one query per rule per locality: ${int(tasks.length)} sampled queries in ${fmt(sample.wallMs / 1000, 2)} s → ${int(full)} queries ≈ ${int(extrapolatedMs / 1000)} s per round (extrapolated)`);
  return { extrapolatedMs, sampled: tasks.length };
}

/** The detection rules: every 5 s, a hit per new probe path. */
function detectionYaml(count: number): string {
  return Array.from({ length: count }, (_, i) => [
    `- id: detect-${i}`, `  title: "Probe path seen (${i})"`, '  severity: low', '  category: test', '  dataset: web.access',
    '  filter: "url.path:/probe/*"', '  type: threshold', '  condition: { count: 1 }', '  group_by: [organization.id, url.path]',
    '  window: 10s', '  every: 5s', '  delay: 2s', '  suppress: 1m', '',
  ].join('\n')).join('\n');
}

interface RunTimes {
  readonly scheduled: number;
  started?: number;
  finished?: number;
}

/** 3. The real engine in a `canh start` process. */
async function engine(dataDir: string, rules: readonly Rule[], rounds: number) {
  const rulesDir = join(dataDir, '..', 'rules');
  mkdirSync(rulesDir, { recursive: true });
  const detectionRules = envInt('CANH_BENCH_DETECTION_RULES', 10);
  const files = { 'bench.yaml': rulesYaml(rules), 'detect.yaml': detectionYaml(detectionRules) };
  for (const [name, text] of Object.entries(files)) {
    const loaded = loadRuleText(text, name);
    if (loaded.errors.length) throw new Error(`bench rules do not load:\n${formatRuleErrors(loaded.errors)}`);
    writeFileSync(join(rulesDir, name), text);
  }
  const prefix = `canh-bench-rules-${randomBytes(3).toString('hex')}`;
  const token = randomBytes(16).toString('hex');
  const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const eventConnections = [connection.duplicate(), connection.duplicate()];
  const ruleEvents = new QueueEvents('rules', { connection: eventConnections[0], prefix });
  const hitEvents = new QueueEvents('incidents', { connection: eventConnections[1], prefix });
  const incidents = new Queue('incidents', { connection, prefix });
  await Promise.all([ruleEvents.waitUntilReady(), hitEvents.waitUntilReady()]);
  const runs = new Map<string, RunTimes>();
  const at = (streamId: string) => Number(streamId.split('-')[0]);
  // Job ids of schedulers: repeat:rule:<id>:<scheduled millis>.
  const runOf = (jobId: string): RunTimes | null => {
    const m = /^repeat:rule:(bench-\d+):(\d+)$/.exec(jobId);
    if (!m) return null;
    const run = runs.get(jobId) ?? { scheduled: Number(m[2]) };
    runs.set(jobId, run);
    return run;
  };
  ruleEvents.on('active', ({ jobId }, id) => { const r = runOf(jobId); if (r) r.started = at(id); });
  ruleEvents.on('completed', ({ jobId }, id) => { const r = runOf(jobId); if (r) r.finished = at(id); });
  const acceptedAt = new Map<string, number>();
  const detected = new Map<string, number>();
  hitEvents.on('added', ({ jobId }, id) => {
    if (!jobId.startsWith('hit-detect-')) return;
    void incidents.getJob(jobId).then((job) => {
      const path = (job?.data as Hit | undefined)?.group['url.path'];
      if (typeof path === 'string' && !detected.has(path)) detected.set(path, at(id));
    });
  });

  // The incidents role is left out: these are the engine's figures (hits are counted on the queue).
  const service = await startService({
    CANH_DATA_DIR: dataDir, CANH_RULES_DIR: rulesDir, CANH_QUEUE_PREFIX: prefix, CANH_DUCKDB_MEMORY_LIMIT: '1GB',
  }, token, ['--roles', 'api,ingest,rules']);
  const startedAt = Date.now();
  let sending = true;
  try {
    await service.admin('/api/v1/localities', { code: '01', name: 'Hà Nội', level: 'province' });
    await service.admin('/api/v1/localities', { code: '00004', name: 'Ba Đình', level: 'commune', parent_code: '01' });
    const source = await service.admin('/api/v1/sources', { name: 'probe-sender', locality: '00004', kind: 'access', format: 'json' });
    const sender = (async () => {
      for (let n = 0; sending; n++) {
        const path = `/probe/${n}`;
        const line = JSON.stringify({ '@timestamp': new Date().toISOString(), url: { path, original: path }, http: { response: { status_code: 200 } }, source: { ip: '198.51.100.7' } });
        const res = await fetch(`${service.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'application/x-ndjson' }, body: line + '\n' });
        if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        acceptedAt.set(path, Date.now());
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    // Wait for `rounds` complete rounds of the bench rules.
    const deadline = startedAt + (rounds + 2) * EVERY_MS + 3 * MIN;
    const roundsOf = () => groupRounds([...runs.values()]);
    while (Date.now() < deadline) {
      const done = roundsOf().filter((r) => r.length === rules.length && r.every((x) => x.finished !== undefined));
      if (done.length >= rounds && Date.now() - startedAt > 75_000) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    sending = false;
    await sender;
    const rss = peakRssMb(service.child.pid as number);
    // Latencies of probes sent at least 20 s before the end (later ones may not be due yet).
    const lastSent = Math.max(...acceptedAt.values());
    const latencies: number[] = [];
    let missed = 0;
    for (const [path, t] of acceptedAt) {
      if (t > lastSent - 20_000) continue;
      const d = detected.get(path);
      if (d === undefined) missed++;
      else latencies.push(d - t);
    }
    return { rounds: roundsOf(), latencies, missed, rss };
  } finally {
    sending = false;
    await service.stop();
    await Promise.all([ruleEvents.close(), hitEvents.close(), incidents.close()]);
    connection.disconnect();
    eventConnections.forEach((c) => c.disconnect());
    await deleteKeys(prefix);
  }
}

/** Runs grouped into rounds: a run belongs to the round of the first run scheduled less than a minute before it. */
function groupRounds(runs: readonly RunTimes[]): RunTimes[][] {
  const sorted = [...runs].sort((a, b) => a.scheduled - b.scheduled);
  const rounds: RunTimes[][] = [];
  for (const run of sorted) {
    const current = rounds[rounds.length - 1];
    if (current && run.scheduled - current[0].scheduled < EVERY_MS / 2) current.push(run);
    else rounds.push([run]);
  }
  return rounds;
}

async function main(): Promise<void> {
  const total = envInt('CANH_BENCH_EVENTS', TARGET_EVENTS);
  const localities = envInt('CANH_BENCH_LOCALITIES', 3300);
  const ruleCount = envInt('CANH_BENCH_RULES', 1000);
  const rounds = envInt('CANH_BENCH_ROUNDS', 2);
  console.log(`\nRule engine benchmark: ${int(total)} events, ${int(localities)} localities (${PROVINCES} provinces), ${int(ruleCount)} rules every 60 s`);
  const dir = mkdtempSync(join(tmpdir(), 'canh-bench-rules-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  try {
    const start = Date.now();
    const fillRate = await fill(dataDir, total, localities, start);
    console.log(`fill: ${int(total)} events at ${int(fillRate)} events/s (raw appender)`);
    // Thresholds scale with the events a locality has in a window, so that about the same share of
    // groups fires at every size (about 1,700 hits a round), as in a tuned deployment.
    const rules = makeRules(ruleCount, (total / localities) / (2_000_000 / 3300));
    const end = Math.floor(Date.now() / EVERY_MS) * EVERY_MS;
    const compared = await compareInProcess(dataDir, rules, localities, { from: end - WINDOW_MS, to: end });
    const e = await engine(dataDir, rules, rounds);

    console.log('\nsummary (rule engine)');
    console.log(`  events stored / localities / rules   ${int(total)} / ${int(localities)} / ${int(ruleCount)}`);
    const full = e.rounds.filter((r) => r.length === ruleCount && r.every((x) => x.finished !== undefined));
    full.forEach((round, i) => {
      const first = Math.min(...round.map((r) => r.scheduled));
      const last = Math.max(...round.map((r) => r.finished as number));
      const lags = round.map((r) => (r.started as number) - r.scheduled);
      console.log(`  engine round ${i + 1}                        ${fmt((last - first) / 1000, 2)} s (first scheduled → last finished); schedule lag p50 ${fmt(percentile(lags, 50) / 1000, 2)} s, p99 ${fmt(percentile(lags, 99) / 1000, 2)} s, max ${fmt(Math.max(...lags) / 1000, 2)} s`);
    });
    if (full.length < rounds) console.log(`  engine rounds complete                ${full.length} of ${rounds} (timed out)`);
    console.log(`  in-process round, batched             ${fmt(compared.batched.wallMs / 1000, 2)} s`);
    console.log(`  in-process round, one query per rule  ${fmt(compared.alone.wallMs / 1000, 2)} s (${fmt(compared.alone.wallMs / compared.batched.wallMs, 1)}× the batched round; same hits: ${compared.same ? 'yes' : 'NO'})`);
    console.log(`  one query per rule per locality       ${int(compared.perLocality.extrapolatedMs / 1000)} s per round, extrapolated (${fmt(compared.perLocality.extrapolatedMs / compared.batched.wallMs, 0)}× the batched round)`);
    console.log(`  detection latency (every 5s, delay 2s) p50 ${fmt(percentile(e.latencies, 50) / 1000, 2)} s, p99 ${fmt(percentile(e.latencies, 99) / 1000, 2)} s, max ${fmt(Math.max(...e.latencies) / 1000, 2)} s over ${e.latencies.length} events; missed ${e.missed}`);
    console.log(`  canh process peak RSS                 ${int(e.rss)} MiB`);
    const roundMax = Math.max(...full.map((round) => Math.max(...round.map((r) => r.finished as number)) - Math.min(...round.map((r) => r.scheduled))));
    const lagP99 = percentile(full.flatMap((round) => round.map((r) => (r.started as number) - r.scheduled)), 99);
    console.log(`  targets: round < 60 s ${roundMax < 60_000 ? 'MET' : 'MISSED'}; lag p99 < 5 s ${lagP99 < 5000 ? 'MET' : 'MISSED'}; detection p99 < 10 s ${percentile(e.latencies, 99) < 10_000 && e.missed === 0 ? 'MET' : 'MISSED'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
