/**
 * Rule engine evaluation cost on the embedded store (DuckDbEventStore). Prints figures, asserts nothing.
 *
 * 1. Fills a fresh DuckDB store in a temp dir with N web.access events over the last hour, spread
 *    over L localities (34 provinces).
 * 2. Builds R rules (threshold / ratio / cardinality, grouped by organization.id, some by
 *    organization.id + source.ip; window 5m, every 60s, delay 0).
 * 3. One round = every rule evaluated once over the last 5 minutes with evaluateRule() (what the
 *    engine does today: one aggregate per rule across all localities), 4 evaluations in flight.
 * 4. The same round done "one query per rule per locality", measured on a sample of rules ×
 *    localities and extrapolated.
 *
 * Environment: CANH_BENCH_EVENTS (default 2,000,000), CANH_BENCH_LOCALITIES (3300), CANH_BENCH_RULES
 * (1000), CANH_BENCH_SAMPLE_RULES (50), CANH_BENCH_SAMPLE_LOCALITIES (20), CANH_BENCH_CONCURRENCY (4).
 *
 * Run: npm run bench:rules
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFilter } from '../src/query/parse';
import type { Rule, RuleCondition } from '../src/rules/rule';
import { evaluateRule, type EvaluationWindow } from '../src/rules/evaluate';
import { andFilter } from '../src/rules/evaluate/group-filter';
import { DuckDbEventStore } from '../src/store/duckdb/event-store';
import { ALL_SCOPE } from '../src/store/scope';
import { MATCH_ALL } from '../src/query/ast';
import type { EcsDocument, EventBatch } from '../src/store/event-store';

const TARGET_EVENTS = 10_000_000;
const BATCH_SIZE = 10_000;
const PROVINCES = 34;
const HOUR_MS = 3_600_000;
const WINDOW_MS = 5 * 60_000;
const EVERY_MS = 60_000;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

/** Small deterministic PRNG (mulberry32), so runs are comparable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const localityCode = (i: number): string => `c${String(i + 1).padStart(5, '0')}`;
const provinceOf = (i: number): string => String((i % PROVINCES) + 1).padStart(2, '0');

/** Paths of ordinary traffic; hot localities also get the attack paths of PATHS. */
const BENIGN_PATHS = [
  '/', '/', '/', '/index.php', '/tin-tuc/chi-tiet', '/thu-tuc-hanh-chinh', '/static/app.js', '/static/style.css',
  '/images/logo.png', '/api/v1/hoso', '/api/v1/tracuu', '/login', '/search', '/lien-he',
];
const PATHS = [
  '/', '/', '/', '/index.php', '/tin-tuc/chi-tiet', '/thu-tuc-hanh-chinh', '/static/app.js', '/static/style.css',
  '/images/logo.png', '/api/v1/hoso', '/api/v1/tracuu', '/api/v1/login', '/login', '/dang-nhap', '/admin',
  '/admin/settings', '/wp-login.php', '/wp-admin/admin-ajax.php', '/wp-content/plugins/x.php', '/xmlrpc.php',
  '/.env', '/phpmyadmin/index.php', '/search', '/lien-he',
];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'HEAD'];

/**
 * Events [first, first + count) of `total`, spread evenly over [now - 1h, now), locality by a
 * scramble of the index. About 1% of localities are "hot" (many errors, a few noisy addresses) so
 * that some rules fire, as they would in production.
 */
function generateEvents(first: number, count: number, total: number, localities: number, now: number, rand: () => number): EcsDocument[] {
  const events: EcsDocument[] = new Array(count);
  const start = now - HOUR_MS;
  for (let k = 0; k < count; k++) {
    const i = first + k;
    const ts = start + Math.floor((i / total) * HOUR_MS);
    const loc = Math.floor(rand() * localities);
    const hot = loc % 97 === 0;
    const r = rand();
    const status = hot
      ? (r < 0.3 ? 500 + Math.floor(rand() * 4) : r < 0.5 ? 401 + 2 * Math.floor(rand() * 2) : r < 0.65 ? 404 : 200)
      : (r < 0.02 ? 500 + Math.floor(rand() * 4) : r < 0.05 ? 404 : r < 0.07 ? 401 + 2 * Math.floor(rand() * 2) : r < 0.1 ? 302 : 200);
    const ip = hot && rand() < 0.5
      ? `203.0.113.${loc % 5}`
      : `10.${loc % 250}.${Math.floor(rand() * 16)}.${Math.floor(rand() * 250)}`;
    const paths = hot ? PATHS : BENIGN_PATHS;
    const path = paths[Math.floor(rand() * paths.length)];
    const code = localityCode(loc);
    events[k] = {
      '@timestamp': new Date(ts).toISOString(),
      event: {
        id: `rb-${i}`, kind: 'event', category: ['web'], type: ['access'], dataset: 'web.access',
        outcome: status >= 400 ? 'failure' : 'success',
      },
      organization: { id: code },
      canh: { province: provinceOf(loc), source_id: `src-${code}` },
      source: { ip },
      http: { request: { method: METHODS[Math.floor(rand() * METHODS.length)] }, response: { status_code: status, body: { bytes: 200 + Math.floor(rand() * 50_000) } } },
      url: { original: path, path },
      user_agent: { original: 'Mozilla/5.0 (bench)' },
    };
  }
  return events;
}

// ---- rules ----

const THRESHOLD_FILTERS: readonly ((j: number) => string)[] = [
  (j) => `http.response.status_code:>=${500 + (j % 3)}`,
  () => 'url.path:/wp-*',
  () => 'url.path:(*login* *dang-nhap* /wp-login.php /xmlrpc.php) AND http.response.status_code:(401 403)',
  () => 'http.response.status_code:404',
  (j) => `http.request.method:POST AND url.path:/api/* AND http.response.status_code:>=${400 + (j % 2) * 100}`,
  () => 'url.path:(/.env /phpmyadmin/* /wp-content/*)',
  () => 'url.path:/admin* AND NOT http.response.status_code:200',
  (j) => `http.response.status_code:>=400 AND NOT url.path:/static/* AND http.response.body.bytes:<${1000 + 500 * (j % 10)}`,
];
const RATIO_CASES: readonly (readonly [string, string])[] = [
  ['http.response.status_code:*', 'http.response.status_code:>=500'],
  ['url.path:/api/*', 'http.response.status_code:>=400'],
  ['url.path:(*login* *dang-nhap*)', 'http.response.status_code:(401 403)'],
  ['NOT url.path:/static/*', 'http.response.status_code:404'],
];
const CARDINALITY_CASES: readonly (readonly [string, string])[] = [
  ['http.response.status_code:404', 'url.path'],
  ['http.response.status_code:>=400', 'source.ip'],
  ['url.path:/wp-*', 'url.path'],
  ['http.response.status_code:(401 403)', 'source.ip'],
];

function makeRule(j: number, filterText: string, condition: RuleCondition, groupBy: readonly string[]): Rule {
  return {
    id: `bench-${String(j).padStart(4, '0')}`, version: `v${j}`, title: `bench rule ${j}`, description: '',
    severity: 'medium', category: 'test', tags: [], dataset: 'web.access',
    filter: parseFilter(filterText), filterText, condition, groupBy,
    windowMs: WINDOW_MS, everyMs: EVERY_MS, delayMs: 0, suppressMs: 30 * 60_000, enabled: true,
    origin: { file: 'bench/rules.ts', line: 0 },
  };
}

/** R rules: 60% threshold, 20% ratio, 20% cardinality; a quarter grouped by organization.id + source.ip. */
function makeRules(count: number): Rule[] {
  return Array.from({ length: count }, (_, j) => {
    const byIp = j % 4 === 3;
    const groupBy = byIp ? ['organization.id', 'source.ip'] : ['organization.id'];
    const kind = j % 5;
    if (kind < 3) {
      const text = THRESHOLD_FILTERS[j % THRESHOLD_FILTERS.length](j);
      return makeRule(j, text, { type: 'threshold', count: (byIp ? 4 : 10) + (j % 17) }, groupBy);
    }
    if (kind === 3) {
      const [text, matchText] = RATIO_CASES[j % RATIO_CASES.length];
      return makeRule(j, text, {
        type: 'ratio', match: parseFilter(matchText), matchText, ratio: 0.4 + (j % 5) * 0.05, minTotal: 10 + (j % 20),
      }, ['organization.id']);
    }
    const [text, field] = CARDINALITY_CASES[j % CARDINALITY_CASES.length];
    return makeRule(j, text, { type: 'cardinality', field, count: 8 + (j % 12) }, ['organization.id']);
  });
}

/** The rule restricted to one locality (its filter AND organization.id:<code>). */
function forLocality(rule: Rule, code: string): Rule {
  return {
    ...rule,
    filter: andFilter([rule.filter, { type: 'term', field: 'organization.id', value: code }]),
    filterText: `(${rule.filterText}) AND organization.id:"${code}"`,
  };
}

// ---- measuring ----

interface RoundResult {
  readonly wallMs: number;
  readonly perTaskMs: number[];
  readonly hits: number;
}

/** Runs every task with `concurrency` in flight; times each and the whole. */
async function runPool(tasks: readonly (() => Promise<number>)[], concurrency: number): Promise<RoundResult> {
  const perTaskMs: number[] = new Array(tasks.length);
  let next = 0;
  let hits = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < tasks.length; i = next++) {
      const t0 = performance.now();
      const found = await tasks[i]();
      perTaskMs[i] = performance.now() - t0;
      hits += found;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return { wallMs: performance.now() - started, perTaskMs, hits };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const total = envInt('CANH_BENCH_EVENTS', 2_000_000);
  const localities = envInt('CANH_BENCH_LOCALITIES', 3300);
  const ruleCount = envInt('CANH_BENCH_RULES', 1000);
  const concurrency = envInt('CANH_BENCH_CONCURRENCY', 4);
  const sampleRules = Math.min(ruleCount, envInt('CANH_BENCH_SAMPLE_RULES', 50));
  const sampleLocalities = Math.min(localities, envInt('CANH_BENCH_SAMPLE_LOCALITIES', 20));

  console.log(`rule evaluation bench: ${int(total)} events, ${int(localities)} localities (${PROVINCES} provinces), ${int(ruleCount)} rules, concurrency ${concurrency}`);
  if (total < TARGET_EVENTS) {
    console.log(`note: ${int(total)} events, fewer than the issue's target of ${int(TARGET_EVENTS)} (set CANH_BENCH_EVENTS=${TARGET_EVENTS})`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'canh-bench-rules-'));
  const store = new DuckDbEventStore({ path: join(dir, 'events.duckdb'), config: { memory_limit: '1GB' } });
  try {
    await store.init();
    // Fixed "now" for the whole run: events fill [now - 1h, now), the round evaluates [now - 5m, now).
    const now = Math.floor(Date.now() / EVERY_MS) * EVERY_MS;
    const rand = prng(0xca11);

    // 1. fill
    let written = 0;
    const fillStarted = performance.now();
    for (let first = 0, n = 0; first < total; first += BATCH_SIZE, n++) {
      const events = generateEvents(first, Math.min(BATCH_SIZE, total - first), total, localities, now, rand);
      const batch: EventBatch = {
        batchId: `rules-bench-${n}`, sourceId: 'src-bench', locality: localityCode(0), province: provinceOf(0),
        dataset: 'web.access', received: events.length, events, deadLetters: [], receivedAt: now,
      };
      written += (await store.write(batch)).written;
    }
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    const fillRate = written / fillSeconds;
    console.log(`fill: ${int(written)} events in ${fmt(fillSeconds)} s = ${int(fillRate)} events/s (generation included, batches of ${int(BATCH_SIZE)})`);

    // 2. rules
    const rules = makeRules(ruleCount);
    const mix = rules.reduce<Record<string, number>>((m, r) => {
      const key = `${r.condition.type}/${r.groupBy.join('+')}`;
      m[key] = (m[key] ?? 0) + 1;
      return m;
    }, {});
    console.log(`rules: ${Object.entries(mix).map(([k, v]) => `${v} ${k}`).join(', ')}`);
    const window: EvaluationWindow = { from: now - WINDOW_MS, to: now };
    const inWindow = await store.aggregate(
      { from: window.from, to: window.to, filter: MATCH_ALL, datasets: ['web.access'], groupBy: [], metrics: [{ op: 'count' }] },
      ALL_SCOPE,
    );
    console.log(`events in the 5-minute window: ${int(inWindow[0]?.values[0] ?? 0)} (about ${fmt((inWindow[0]?.values[0] ?? 0) / localities)} per locality)`);

    // 3. rounds as the engine does them today: one evaluation per rule, all localities at once
    const tasks = rules.map((rule) => async () => (await evaluateRule(rule, window, store)).length);
    const rounds: RoundResult[] = [];
    for (let k = 1; k <= 2; k++) {
      const r = await runPool(tasks, concurrency);
      rounds.push(r);
      console.log(`round ${k}${k === 1 ? ' (first, cold)' : ''}: ${fmt(r.wallMs / 1000, 2)} s wall, ${int(r.hits)} hits, per rule p50 ${fmt(percentile(r.perTaskMs, 50))} ms, p99 ${fmt(percentile(r.perTaskMs, 99))} ms, max ${fmt(Math.max(...r.perTaskMs))} ms`);
    }
    const round = rounds[rounds.length - 1];
    const byType = new Map<string, number[]>();
    rules.forEach((r, i) => {
      const key = r.condition.type;
      byType.set(key, [...(byType.get(key) ?? []), round.perTaskMs[i]]);
    });
    console.log(`per rule type (round 2): ${[...byType].map(([t, v]) => `${t} p50 ${fmt(percentile(v, 50))} / p99 ${fmt(percentile(v, 99))} ms`).join('; ')}`);

    // 4. one query per rule per locality, on a sample, extrapolated
    const ruleStep = ruleCount / sampleRules;
    const locStep = localities / sampleLocalities;
    const sampledRules = Array.from({ length: sampleRules }, (_, k) => rules[Math.floor(k * ruleStep)]);
    const sampledCodes = Array.from({ length: sampleLocalities }, (_, k) => localityCode(Math.floor(k * locStep)));
    const perLocalityTasks = sampledRules.flatMap((rule) =>
      sampledCodes.map((code) => async () => (await evaluateRule(forLocality(rule, code), window, store)).length));
    const sample = await runPool(perLocalityTasks, concurrency);
    const fullQueries = ruleCount * localities;
    const extrapolatedMs = sample.wallMs * (fullQueries / perLocalityTasks.length);
    console.log(`per rule per locality, SAMPLE: ${sampleRules} rules (every ${fmt(ruleStep)}th) × ${sampleLocalities} localities (every ${fmt(locStep)}th) = ${int(perLocalityTasks.length)} queries in ${fmt(sample.wallMs / 1000, 2)} s, per query p50 ${fmt(percentile(sample.perTaskMs, 50))} ms, p99 ${fmt(percentile(sample.perTaskMs, 99))} ms`);
    console.log(`per rule per locality, EXTRAPOLATED to ${int(ruleCount)} × ${int(localities)} = ${int(fullQueries)} queries: ${int(extrapolatedMs / 1000)} s per round (sample wall time × ${fmt(fullQueries / perLocalityTasks.length)})`);

    // 5. summary
    const roundSeconds = Math.max(...rounds.map((r) => r.wallMs)) / 1000;
    console.log('');
    console.log('summary');
    console.log(`  events                          ${int(written)}${total < TARGET_EVENTS ? ` (target ${int(TARGET_EVENTS)})` : ''}`);
    console.log(`  localities                      ${int(localities)}`);
    console.log(`  rules                           ${int(ruleCount)}`);
    console.log(`  fill rate                       ${int(fillRate)} events/s`);
    console.log(`  round time, one query per rule  ${fmt(round.wallMs / 1000, 2)} s (round 1: ${fmt(rounds[0].wallMs / 1000, 2)} s), concurrency ${concurrency}`);
    console.log(`  per rule p50 / p99              ${fmt(percentile(round.perTaskMs, 50))} / ${fmt(percentile(round.perTaskMs, 99))} ms`);
    console.log(`  per rule per locality (extrap.) ${int(extrapolatedMs / 1000)} s per round, from a ${sampleRules}×${sampleLocalities} sample`);
    console.log(`  ratio per-locality / per-rule   ${fmt(extrapolatedMs / round.wallMs, 0)}×`);
    console.log(`  peak RSS                        ${int(process.resourceUsage().maxRSS / 1024)} MB`);
    console.log(`  round fits in 60 s (every)      ${roundSeconds <= EVERY_MS / 1000 ? 'yes' : 'NO'} (slowest round ${fmt(roundSeconds, 2)} s)`);
  } finally {
    await store.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
