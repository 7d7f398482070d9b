/**
 * Incidents benchmark (part of `npm run bench`; alone: `npm run bench:incidents`). Prints figures,
 * asserts nothing. Part 2 needs Redis at REDIS_URL (default redis://127.0.0.1:6379).
 *
 * 1. Incident list: a fresh DuckDbIncidentStore (incidents.duckdb in a temp dir) gets N incidents
 *    (default 100,000) over L communes (3,300 in 34 provinces) and ~50 rules; 70% resolved, 20% open,
 *    10% acknowledged; lastSeen spread over 90 days. create() is timed on a sample of 200 in a
 *    separate file; the N incidents are then written straight into the store's own tables (its
 *    schema, made by init()) through the DuckDB appender, in first-seen order as they would arrive.
 *    Then Q timed list() calls (default 200) per query kind, one at a time, each with varied values:
 *    p50 / p99 / max per kind and the p99 over all.
 * 2. Escalation timers: an IncidentService over a MemoryIncidentStore gets T incidents (default
 *    10,000) from hand-made hits; each gets its level-1 timer (EscalationScheduler, BullMQ delayed
 *    jobs) due at a time spread over [now + 20 s, now + 50 s), so all T are pending at once. Two
 *    escalation workers (startEscalationWorker, as two processes would run them; here in one
 *    process) escalate them; lateness = moment onEscalated ran - due time.
 *
 * Environment: CANH_BENCH_INCIDENTS (100,000), CANH_BENCH_LOCALITIES (3,300), CANH_BENCH_LIST_QUERIES
 * (200 per kind), CANH_BENCH_TIMERS (10,000).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import IORedis, { type Redis } from 'ioredis';
import { EscalationScheduler, timersFor, type EscalationJob } from '../src/escalation/escalation-scheduler';
import { startEscalationWorker, type EscalationWorker } from '../src/escalation/escalation-worker';
import type { EscalationPolicy } from '../src/escalation/policy';
import { fingerprint, severityRank, type Incident, type IncidentStatus, type Resolution } from '../src/incidents/incident';
import { IncidentService } from '../src/incidents/incident-service';
import { systemClock } from '../src/lib/clock';
import { newId } from '../src/lib/ids';
import type { Hit, RsitCategory, Severity } from '../src/rules/rule';
import { DuckDbIncidentStore } from '../src/store/duckdb/incident-store';
import type { IncidentQuery } from '../src/store/incident-store';
import { MemoryIncidentStore } from '../src/store/memory/incident-store';
import { ALL_SCOPE, localityScope, type Scope } from '../src/store/scope';
import { PROVINCES, localityCode, prng, provinceOf } from './rules-data';
import { REDIS_URL, deleteKeys, envInt, fmt, int, percentile } from './support';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RULES = 50;
const SEVERITY_MIX: readonly [Severity, number][] = [['low', 0.3], ['medium', 0.4], ['high', 0.22], ['critical', 0.08]];
const CATEGORIES: readonly RsitCategory[] = ['intrusion-attempts', 'malicious-code', 'information-gathering', 'availability', 'fraud'];

/** Picks from [value, weight] pairs (weights sum to 1). */
function weighted<T>(pairs: readonly [T, number][], r: number): T {
  let acc = 0;
  for (const [v, w] of pairs) if (r < (acc += w)) return v;
  return pairs[pairs.length - 1][0];
}

interface BenchRule {
  readonly id: string;
  readonly severity: Severity;
  readonly category: RsitCategory;
}

function benchRules(rand: () => number): BenchRule[] {
  return Array.from({ length: RULES }, (_, i) => ({
    id: `bench-rule-${String(i + 1).padStart(2, '0')}`,
    severity: weighted(SEVERITY_MIX, rand()),
    category: CATEGORIES[i % CATEGORIES.length],
  }));
}

/** N incidents as the service would have made them, oldest first (by firstSeen). */
function makeIncidents(total: number, localities: number, rules: readonly BenchRule[], now: number, rand: () => number): Incident[] {
  const out: Incident[] = [];
  for (let n = 0; n < total; n++) {
    // A few rules fire far more often than the rest (skewed like a real rule set).
    const rule = rules[Math.floor(rules.length * rand() ** 2)];
    const loc = Math.floor(rand() * localities);
    const locality = localityCode(loc);
    const lastSeen = now - Math.floor(rand() * 90 * DAY);
    const firstSeen = lastSeen - Math.floor(rand() * rand() * 2 * DAY);
    const count = 1 + Math.floor(rand() ** 4 * 500);
    const r = rand();
    const status: IncidentStatus = r < 0.7 ? 'resolved' : r < 0.9 ? 'open' : 'acknowledged';
    const group = { 'source.ip': `203.0.113.${n % 250}`, n };
    out.push({
      id: newId('inc'), fingerprint: fingerprint(rule.id, locality, group), ruleId: rule.id, ruleVersion: 'v1',
      title: `Bench rule ${rule.id}`, severity: rule.severity, category: rule.category, locality, province: provinceOf(loc),
      status, resolution: status === 'resolved' ? weighted<Resolution>([['true_positive', 0.3], ['false_positive', 0.4], ['benign', 0.25], ['duplicate', 0.05]], rand()) : null,
      assignee: status === 'open' ? null : `user${Math.floor(rand() * 40)}`, escalationLevel: status === 'open' ? Math.floor(rand() * 3) : 0,
      count, firstSeen, lastSeen, ackDue: null,
      evidence: { query: `organization.id:${locality} AND source.ip:"${group['source.ip']}"`, sampleEventIds: Array.from({ length: Math.min(count, 10) }, (_, k) => `ev-${n}-${k}`) },
      group, parentId: null, resolvedAt: status === 'resolved' ? lastSeen + Math.floor(rand() * 8 * HOUR) : null, version: 1 + Math.floor(rand() * 4),
    });
  }
  return out.sort((a, b) => a.firstSeen - b.firstSeen);
}

/** Writes the incidents (with their `created` entry and active fingerprints) straight into the store's tables. */
async function bulkInsert(path: string, incidents: readonly Incident[]): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  try {
    // A staging table with the store's column names, appended to and copied BY NAME, so the column
    // order of the store's schema does not matter here.
    await conn.run(`CREATE TABLE bench_incidents (
      id VARCHAR, fingerprint VARCHAR, rule_id VARCHAR, rule_version VARCHAR, title VARCHAR, severity VARCHAR, severity_rank INTEGER,
      category VARCHAR, locality VARCHAR, province VARCHAR, status VARCHAR, resolution VARCHAR, assignee VARCHAR, escalation_level INTEGER,
      hit_count BIGINT, first_seen BIGINT, last_seen BIGINT, ack_due BIGINT, evidence_query VARCHAR, sample_event_ids VARCHAR,
      group_values VARCHAR, parent_id VARCHAR, resolved_at BIGINT, version BIGINT)`);
    const a = await conn.createAppender('bench_incidents');
    const v = (s: string | null) => (s === null ? a.appendNull() : a.appendVarchar(s));
    const b = (n: number | null) => (n === null ? a.appendNull() : a.appendBigInt(BigInt(n)));
    for (const i of incidents) {
      v(i.id); v(i.fingerprint); v(i.ruleId); v(i.ruleVersion); v(i.title); v(i.severity); a.appendInteger(severityRank(i.severity));
      v(i.category); v(i.locality); v(i.province); v(i.status); v(i.resolution); v(i.assignee); a.appendInteger(i.escalationLevel);
      b(i.count); b(i.firstSeen); b(i.lastSeen); b(i.ackDue); v(i.evidence.query); v(JSON.stringify(i.evidence.sampleEventIds));
      v(JSON.stringify(i.group)); v(i.parentId); b(i.resolvedAt); b(i.version);
      a.endRow();
    }
    a.closeSync();
    await conn.run(`CREATE TABLE bench_timeline (incident_id VARCHAR, seq INTEGER, entry_at BIGINT, actor VARCHAR, action VARCHAR,
      from_value VARCHAR, to_value VARCHAR, note VARCHAR)`);
    const t = await conn.createAppender('bench_timeline');
    for (const i of incidents) {
      t.appendVarchar(i.id); t.appendInteger(1); t.appendBigInt(BigInt(i.firstSeen)); t.appendVarchar(`rule:${i.ruleId}`);
      t.appendVarchar('created'); t.appendVarchar('null'); t.appendVarchar('"open"'); t.appendNull();
      t.endRow();
    }
    t.closeSync();
    await conn.run('BEGIN TRANSACTION');
    await conn.run('INSERT INTO incidents BY NAME SELECT * FROM bench_incidents');
    await conn.run('INSERT INTO incident_timeline BY NAME SELECT * FROM bench_timeline');
    await conn.run(`INSERT INTO fingerprint_active SELECT fingerprint, id FROM bench_incidents WHERE status <> 'resolved'`);
    await conn.run('COMMIT');
    await conn.run('DROP TABLE bench_incidents');
    await conn.run('DROP TABLE bench_timeline');
    await conn.run('CHECKPOINT');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** create() one by one on a separate file: incidents/s. */
async function createRate(dir: string, sample: readonly Incident[]): Promise<number> {
  const store = new DuckDbIncidentStore({ path: join(dir, 'create-sample.duckdb') });
  await store.init();
  const t = performance.now();
  for (const i of sample) {
    await store.create(i, { incidentId: i.id, at: i.firstSeen, actor: `rule:${i.ruleId}`, action: 'created', from: null, to: 'open', note: null }, `hit-${i.id}`);
  }
  const rate = sample.length / ((performance.now() - t) / 1000);
  await store.close();
  return rate;
}

interface Kind {
  readonly name: string;
  /** The query and scope of the k-th call; a `before` query is run (untimed) first for the cursor of page 2. */
  readonly make: (k: number) => { query: IncidentQuery; scope: Scope; before?: IncidentQuery };
}

function listKinds(now: number, localities: number, rules: readonly BenchRule[], rand: () => number): Kind[] {
  const commune = () => localityCode(Math.floor(rand() * localities));
  const province = () => provinceOf(Math.floor(rand() * PROVINCES));
  const rule = () => rules[Math.floor(rand() * rules.length)].id;
  return [
    { name: 'default (newest first, 50)', make: () => ({ query: {}, scope: ALL_SCOPE }) },
    { name: 'status=open', make: () => ({ query: { status: ['open'] }, scope: ALL_SCOPE }) },
    { name: 'province scope', make: () => ({ query: {}, scope: localityScope([province()]) }) },
    { name: 'commune filter', make: () => ({ query: { locality: commune() }, scope: ALL_SCOPE }) },
    { name: 'rule filter', make: () => ({ query: { ruleId: rule() }, scope: ALL_SCOPE }) },
    { name: 'last 24 h', make: () => ({ query: { from: now - DAY }, scope: ALL_SCOPE }) },
    { name: 'sort by severity', make: () => ({ query: { sort: 'severity' }, scope: ALL_SCOPE }) },
    { name: 'sort by count', make: () => ({ query: { sort: 'count' }, scope: ALL_SCOPE }) },
    {
      name: 'page 2 (cursor)', make: (k) => {
        const variants: IncidentQuery[] = [{}, { status: ['open'] }, { sort: 'severity' }, { sort: 'count' }];
        const q = variants[k % variants.length];
        return { query: q, before: q, scope: ALL_SCOPE };
      },
    },
  ];
}

async function incidentList(): Promise<{ overallP99: number }> {
  const total = envInt('CANH_BENCH_INCIDENTS', 100_000);
  const localities = envInt('CANH_BENCH_LOCALITIES', 3300);
  const perKind = envInt('CANH_BENCH_LIST_QUERIES', 200);
  console.log(`\nIncident list: ${int(total)} incidents, ${int(localities)} communes (${PROVINCES} provinces), ${RULES} rules, lastSeen over 90 days`);
  const dir = mkdtempSync(join(tmpdir(), 'canh-bench-incidents-'));
  try {
    const rand = prng(0x1c1d);
    const rules = benchRules(rand);
    const now = Date.now();
    const incidents = makeIncidents(total, localities, rules, now, rand);
    const sample = makeIncidents(200, localities, rules, now, prng(7));
    const rate = await createRate(dir, sample);
    console.log(`create() one by one: ${int(rate)} incidents/s (200 sampled) → ${int(total / rate)} s for ${int(total)}; filled directly instead`);

    const path = join(dir, 'incidents.duckdb');
    const schema = new DuckDbIncidentStore({ path });
    await schema.init();
    await schema.close();
    const t = performance.now();
    await bulkInsert(path, incidents);
    console.log(`fill: ${int(total)} incidents in ${fmt((performance.now() - t) / 1000, 2)} s (appender into the store's tables)`);
    const counts = new Map<string, number>();
    for (const i of incidents) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
    console.log(`  statuses: ${[...counts].map(([s, n]) => `${s} ${int(n)}`).join(', ')}`);

    const store = new DuckDbIncidentStore({ path });
    await store.init();
    try {
      const kinds = listKinds(now, localities, rules, prng(0x5eed));
      // Warm-up: a few calls of every kind (file pages into the cache).
      for (const kind of kinds) for (let k = 0; k < 5; k++) await runOne(store, kind, k);
      const all: number[] = [];
      console.log(`  ${'query'.padEnd(28)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'rows'.padStart(6)}`);
      for (const kind of kinds) {
        const ms: number[] = [];
        let rows = 0;
        for (let k = 0; k < perKind; k++) {
          const r = await runOne(store, kind, k);
          ms.push(r.ms);
          rows += r.rows;
        }
        all.push(...ms);
        console.log(`  ${kind.name.padEnd(28)} ${fmt(percentile(ms, 50), 2).padStart(8)} ${fmt(percentile(ms, 99), 2).padStart(8)} ${fmt(Math.max(...ms), 2).padStart(8)} ${fmt(rows / perKind, 0).padStart(6)}`);
      }
      const overallP99 = percentile(all, 99);
      console.log(`  ${'all kinds'.padEnd(28)} ${fmt(percentile(all, 50), 2).padStart(8)} ${fmt(overallP99, 2).padStart(8)} ${fmt(Math.max(...all), 2).padStart(8)}   (${int(all.length)} calls)`);
      return { overallP99 };
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runOne(store: DuckDbIncidentStore, kind: Kind, k: number): Promise<{ ms: number; rows: number }> {
  const { query, scope, before } = kind.make(k);
  let cursor: string | undefined;
  if (before) {
    cursor = (await store.list(before, scope)).nextCursor ?? undefined;
    if (!cursor) throw new Error(`${kind.name}: no second page`);
  }
  const t = performance.now();
  const page = await store.list(cursor ? { ...query, cursor } : query, scope);
  return { ms: performance.now() - t, rows: page.incidents.length };
}

/** 2. Escalation timers with the real Redis. */
async function escalationTimers(): Promise<{ p99: number; missing: number; duplicated: number }> {
  const total = envInt('CANH_BENCH_TIMERS', 10_000);
  const workers = 2;
  console.log(`\nEscalation timers: ${int(total)} incidents, level 1 due over [now + 20 s, now + 50 s), ${workers} workers (in one process), real Redis`);
  const prefix = `canh-bench-esc-${randomBytes(3).toString('hex')}`;
  const connections: Redis[] = [];
  const connect = () => {
    const c = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    c.on('error', () => undefined);
    connections.push(c);
    return c;
  };
  // Level 1 is what is measured; level 2 (an hour later) makes every escalation schedule its next
  // timer, as in production.
  const policy: EscalationPolicy = {
    name: 'bench', description: '', severities: ['high'], origin: { file: 'bench', line: 1 },
    levels: [{ afterMs: 20_000, target: 'province' }, { afterMs: HOUR, target: 'central' }],
  };
  const service = new IncidentService(new MemoryIncidentStore(), systemClock, {
    ruleLookup: () => ({ title: 'Bench escalation', severity: 'high', category: 'intrusion-attempts' }),
    localityLookup: (code) => ({ code, province: provinceOf(Number(code.slice(1)) - 1) }),
    centralCode: 'VN',
  });
  const scheduler = new EscalationScheduler({ connection: connect(), prefix, clock: systemClock });
  const running: EscalationWorker[] = [];
  const lateness: number[] = [];
  const escalatedAt: number[] = [];
  const seen = new Map<string, number>();
  const byWorker = new Array<number>(workers).fill(0);
  let failed = 0;
  try {
    const t0 = performance.now();
    const ids: string[] = [];
    const now0 = Date.now();
    for (let n = 0; n < total; n++) {
      const loc = n % 3300;
      const hit: Hit = {
        ruleId: `bench-esc-${n % 50}`, ruleVersion: 'v1', group: { 'source.ip': `198.51.100.${n % 250}`, n }, locality: localityCode(loc),
        window: { from: now0 - 300_000, to: now0 }, observed: 20, condition: 'count >= 20', sampleEventIds: [`ev-${n}`], evidenceQuery: '*',
      };
      const r = await service.applyHit(hit, `hit-bench-${n}`);
      if (r.outcome !== 'created') throw new Error(`hit ${n}: ${r.outcome}`);
      ids.push(r.incident.id);
    }
    console.log(`incidents created (applyHit, memory store): ${int(total)} in ${fmt((performance.now() - t0) / 1000, 2)} s`);

    for (let w = 0; w < workers; w++) {
      running.push(startEscalationWorker({
        connection: connect(), prefix, clock: systemClock, incidents: service, policies: () => [policy],
        ruleLookup: () => ({ severity: 'high' }), centralCode: 'VN',
        onEscalated: (incident, level, _target, notice) => {
          if (level !== 1 || notice.repeat !== 0) return;
          const at = Date.now();
          lateness.push(at - notice.dueAt);
          escalatedAt.push(at);
          seen.set(incident.id, (seen.get(incident.id) ?? 0) + 1);
          byWorker[w]++;
        },
        onFailed: () => void failed++,
      }));
    }
    await Promise.all(running.map((w) => w.worker.waitUntilReady()));

    // Due times spread evenly (shuffled over the incidents) over [now + 20 s, now + 50 s).
    const rand = prng(0xe5c);
    const start = Date.now();
    const jobs: EscalationJob[] = ids.map((id, n) => {
      const due = start + 20_000 + Math.floor(((n + rand()) / total) * 30_000);
      return timersFor(id, policy, 1, due - policy.levels[0].afterMs, 'bench')[0];
    });
    for (let i = jobs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [jobs[i], jobs[j]] = [jobs[j], jobs[i]];
    }
    const tAdd = performance.now();
    for (let i = 0; i < jobs.length; i += 1000) await scheduler.add(jobs.slice(i, i + 1000));
    const addSec = (performance.now() - tAdd) / 1000;
    let peak = await scheduler.pending();
    console.log(`timers scheduled: ${int(jobs.length)} in ${fmt(addSec, 2)} s (${int(jobs.length / addSec)}/s); pending then: ${int(peak)}`);

    const firstDue = Math.min(...jobs.map((j) => j.dueAt));
    const lastDue = Math.max(...jobs.map((j) => j.dueAt));
    const deadline = lastDue + 60_000;
    while (seen.size < total && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      if (Date.now() < firstDue) peak = Math.max(peak, await scheduler.pending());
    }
    await new Promise((r) => setTimeout(r, 2000)); // late duplicates, if any
    const missing = ids.filter((id) => !seen.has(id)).length;
    const duplicated = [...seen.values()].filter((c) => c > 1).length;
    const span = (Math.max(...escalatedAt) - Math.min(...escalatedAt)) / 1000;
    console.log(`pending timers at the peak (before the first was due): ${int(peak)}`);
    console.log(`escalated: ${int(lateness.length)} notifications for ${int(seen.size)} of ${int(total)} incidents; missing ${missing}, duplicated ${duplicated}; failed jobs ${failed}; per worker ${byWorker.map(int).join(' / ')}`);
    console.log(`lateness (onEscalated - due): p50 ${int(percentile(lateness, 50))} ms, p99 ${int(percentile(lateness, 99))} ms, max ${int(Math.max(...lateness))} ms; min ${int(Math.min(...lateness))} ms`);
    console.log(`throughput: ${int(lateness.length / span)} escalations/s over ${fmt(span, 1)} s (timers fell due at ${int(total / ((lastDue - firstDue) / 1000))}/s)`);
    return { p99: percentile(lateness, 99), missing, duplicated };
  } finally {
    await Promise.all(running.map((w) => w.close()));
    await scheduler.close();
    connections.forEach((c) => c.disconnect());
    await deleteKeys(prefix);
  }
}


/**
 * 3. Statistics (docs/statistics.md): the incident file of part 1 (N incidents, built the same way)
 * gets timelines like the service writes them: an `acknowledged` entry for acknowledged and 80% of
 * resolved incidents (1 min to 4 h after creation), a `resolved` or `auto_resolved` (30%) entry at
 * resolvedAt, and an `escalated` entry by system:escalation on 25%. Then Q timed calls (default 50)
 * of each IncidentStats query over DuckDbIncidentStore.stats(), with central, province and commune
 * scopes and 7 / 30 / 90-day ranges in turn: p50 / p99 / max per query. Target: p99 < 100 ms.
 */
async function incidentStatsBench(): Promise<{ overallP99: number }> {
  const total = envInt('CANH_BENCH_INCIDENTS', 100_000);
  const localities = envInt('CANH_BENCH_LOCALITIES', 3300);
  const perQuery = envInt('CANH_BENCH_STATS_QUERIES', 50);
  console.log(`\nIncident statistics: ${int(total)} incidents with timelines, ${perQuery} calls per query`);
  const dir = mkdtempSync(join(tmpdir(), 'canh-bench-stats-'));
  try {
    const rand = prng(0x57a7);
    const rules = benchRules(rand);
    const now = Date.now();
    const incidents = makeIncidents(total, localities, rules, now, rand);
    const path = join(dir, 'incidents.duckdb');
    const schema = new DuckDbIncidentStore({ path });
    await schema.init();
    await schema.close();
    await bulkInsert(path, incidents);
    const entries = await addStatsTimelines(path, incidents, rand);
    console.log(`  timelines: ${int(total + entries)} entries`);
    const store = new DuckDbIncidentStore({ path });
    await store.init();
    try {
      const stats = store.stats();
      const scopes = (k: number): Scope => [ALL_SCOPE, localityScope([provinceOf(k % PROVINCES)]), localityScope([localityCode(k % localities)])][k % 3];
      const rangeOf = (k: number) => ({ from: now - [7, 30, 90][k % 3] * DAY, to: now });
      const queries: [string, (k: number) => Promise<unknown>][] = [
        ['created per day × severity', (k) => stats.createdCounts({ ...rangeOf(k), intervalMs: DAY, by: 'severity' }, scopes(k))],
        ['created per day × locality', (k) => stats.createdCounts({ ...rangeOf(k), intervalMs: DAY, by: 'locality' }, scopes(k))],
        ['backlog', (k) => stats.backlog(now, scopes(k))],
        ['response times × locality', (k) => stats.responseTimes(rangeOf(k), 'locality', scopes(k))],
        ['response times × severity', (k) => stats.responseTimes(rangeOf(k), 'severity', scopes(k))],
        ['SLA breaches', (k) => stats.breaches(rangeOf(k), now, scopes(k))],
        ['top rules (10)', (k) => stats.topRules(rangeOf(k), 10, scopes(k))],
      ];
      return await timeStats(queries, perQuery);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timeStats(queries: readonly [string, (k: number) => Promise<unknown>][], perQuery: number): Promise<{ overallP99: number }> {
  for (const [, run] of queries) for (let k = 0; k < 3; k++) await run(k);
  const all: number[] = [];
  console.log(`  ${'query'.padEnd(28)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`);
  for (const [name, run] of queries) {
    const ms: number[] = [];
    for (let k = 0; k < perQuery; k++) {
      const t = performance.now();
      await run(k);
      ms.push(performance.now() - t);
    }
    all.push(...ms);
    console.log(`  ${name.padEnd(28)} ${fmt(percentile(ms, 50), 2).padStart(8)} ${fmt(percentile(ms, 99), 2).padStart(8)} ${fmt(Math.max(...ms), 2).padStart(8)}`);
  }
  const overallP99 = percentile(all, 99);
  console.log(`  ${'all queries'.padEnd(28)} ${fmt(percentile(all, 50), 2).padStart(8)} ${fmt(overallP99, 2).padStart(8)} ${fmt(Math.max(...all), 2).padStart(8)}   (${int(all.length)} calls)`);
  return { overallP99 };
}

/** Appends acknowledged / resolved / auto_resolved / escalated entries (seq 2...) to the file's timelines; returns how many. */
async function addStatsTimelines(path: string, incidents: readonly Incident[], rand: () => number): Promise<number> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  let added = 0;
  try {
    const a = await conn.createAppender('incident_timeline');
    const add = (i: Incident, seq: number, at: number, actor: string, action: string) => {
      a.appendVarchar(i.id); a.appendInteger(seq); a.appendBigInt(BigInt(at)); a.appendVarchar(actor); a.appendVarchar(action);
      a.appendVarchar('null'); a.appendVarchar('null'); a.appendNull();
      a.endRow();
      added++;
    };
    for (const i of incidents) {
      let seq = 2;
      if (rand() < 0.25) add(i, seq++, i.firstSeen + Math.floor(rand() * HOUR), 'system:escalation', 'escalated');
      if (i.status === 'acknowledged' || (i.status === 'resolved' && rand() < 0.8)) add(i, seq++, i.firstSeen + 60_000 + Math.floor(rand() * 4 * HOUR), `user:u${seq}`, 'acknowledged');
      if (i.status === 'resolved' && i.resolvedAt !== null) add(i, seq++, i.resolvedAt, 'user:u1', rand() < 0.3 ? 'auto_resolved' : 'resolved');
    }
    a.closeSync();
    await conn.run('CHECKPOINT');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return added;
}

async function main(): Promise<void> {
  // CANH_BENCH_PART=stats runs part 3 alone.
  if (process.env.CANH_BENCH_PART === 'stats') {
    const st = await incidentStatsBench();
    console.log(`\n  incident statistics p99 over all queries ${fmt(st.overallP99, 2)} ms (target < 100 ms: ${st.overallP99 < 100 ? 'MET' : 'MISSED'})`);
    return;
  }
  const list = await incidentList();
  const esc = await escalationTimers();
  const statsResult = await incidentStatsBench();
  console.log('\nsummary (incidents)');
  console.log(`  incident list p99 over all kinds       ${fmt(list.overallP99, 2)} ms (target < 100 ms: ${list.overallP99 < 100 ? 'MET' : 'MISSED'})`);
  console.log(`  incident statistics p99 over all queries ${fmt(statsResult.overallP99, 2)} ms (target < 100 ms: ${statsResult.overallP99 < 100 ? 'MET' : 'MISSED'})`);
  console.log(`  escalation lateness p99                ${int(esc.p99)} ms (target < 1 s: ${esc.p99 < 1000 && esc.missing === 0 && esc.duplicated === 0 ? 'MET' : 'MISSED'})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
