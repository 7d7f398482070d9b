/**
 * Web console benchmark (part of `npm run bench`; alone: `npm run bench:console`). Prints figures
 * and their ratio to the targets of issue 6, asserts nothing. Needs the built console
 * (dist/console, `npm run build` makes it), Debian's Chromium (/usr/bin/chromium, or CANH_CHROMIUM)
 * and Redis at REDIS_URL.
 *
 * 1. Bundle size: every file of dist/console (index.html and assets/), raw and gzip (level 9, as a
 *    server or proxy would send it). Target: under 300 KB gzip.
 * 2. First render of the incident queue: a data directory gets N incidents (default 10,000: 34
 *    provinces, 3,300 communes, 50 rules, a year of last_seen) written straight into incidents.duckdb
 *    (the store's own schema, made by init()); `canh start` (all roles) runs on it; a central
 *    reviewer signs in. Then R times (default 5), in a fresh browser context (empty cache): open
 *    /incidents and read the console's `canh:queue-first-rows` performance mark, set once the first
 *    page of rows is rendered, in ms from navigation start. Median and max. Target: under 1 s.
 *
 * Environment: CANH_BENCH_CONSOLE_INCIDENTS (10,000), CANH_BENCH_CONSOLE_RUNS (5).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { chromium } from 'playwright-core';
import { DuckDbIncidentStore } from '../src/store/duckdb/incident-store';
import { ROOT, deleteKeys, envInt, fmt, int, percentile, startService } from './support';

const CONSOLE_DIR = join(ROOT, 'dist', 'console');
const CHROMIUM = process.env.CANH_CHROMIUM ?? '/usr/bin/chromium';
const TARGET_GZIP_KB = 300;
const TARGET_FIRST_RENDER_MS = 1000;
const PASSWORD = 'bench-password-2026';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function bundleSize(): number {
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new Error(`${CONSOLE_DIR} has no console: run npm run build:console`);
  console.log('\nConsole bundle (dist/console):');
  let raw = 0;
  let gzip = 0;
  for (const path of files(CONSOLE_DIR).filter((p) => !p.endsWith('manifest.json')).sort()) {
    const bytes = readFileSync(path);
    const gz = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gzip += gz;
    console.log(`  ${path.slice(CONSOLE_DIR.length + 1).padEnd(32)} ${fmt(bytes.length / 1024).padStart(8)} KB raw ${fmt(gz / 1024).padStart(8)} KB gzip`);
  }
  const kb = gzip / 1024;
  console.log(`  total: ${fmt(raw / 1024)} KB raw, ${fmt(kb)} KB gzip → target < ${TARGET_GZIP_KB} KB gzip: ${fmt(kb / TARGET_GZIP_KB, 3)} of the target (${kb < TARGET_GZIP_KB ? 'met' : 'MISSED'})`);
  return kb;
}

/** N incidents written by SQL into the store's tables (created by init()), newest last_seen spread over a year. */
async function fillIncidents(dir: string, total: number): Promise<void> {
  const path = join(dir, 'incidents.duckdb');
  const store = new DuckDbIncidentStore({ path });
  await store.init();
  await store.close();
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  const now = Date.now();
  try {
    // Deterministic spread: communes 00001..03300 (province = commune / 100), 50 rules, 4 severities.
    await conn.run(`CREATE TEMP TABLE gen AS SELECT
        i, lpad(CAST(1 + (i * 7919) % 3300 AS VARCHAR), 5, '0') AS locality,
        lpad(CAST(1 + ((i * 7919) % 3300) / 100 AS VARCHAR), 2, '0') AS province,
        'bench-rule-' || lpad(CAST(1 + (i * 31) % 50 AS VARCHAR), 2, '0') AS rule_id,
        ['low', 'medium', 'high', 'critical'][1 + (i * 13) % 4] AS severity, 1 + (i * 13) % 4 AS severity_rank,
        ['intrusion-attempts', 'malicious-code', 'information-gathering', 'availability', 'fraud'][1 + i % 5] AS category,
        CASE WHEN i % 10 < 7 THEN 'resolved' WHEN i % 10 < 9 THEN 'open' ELSE 'acknowledged' END AS status,
        ${now} - ((i * 3153) % 31536000) * 1000 AS last_seen
      FROM range(${total}) t(i)`);
    await conn.run(`INSERT INTO incidents BY NAME SELECT
        'inc_bench' || lpad(CAST(i AS VARCHAR), 7, '0') AS id, 'fp' || CAST(i AS VARCHAR) AS fingerprint, rule_id, 'v1' AS rule_version,
        'Bench incident ' || rule_id AS title, severity, severity_rank, category, locality, province, status,
        CASE WHEN status = 'resolved' THEN 'true_positive' END AS resolution, CASE WHEN status = 'open' THEN NULL ELSE 'analyst' || CAST(i % 40 AS VARCHAR) END AS assignee,
        0 AS escalation_level, 1 + (i * 17) % 300 AS hit_count, last_seen - 3600000 AS first_seen, last_seen, NULL AS ack_due,
        'organization.id:' || locality AS evidence_query, '[]' AS sample_event_ids, '{}' AS group_values, NULL AS parent_id,
        CASE WHEN status = 'resolved' THEN last_seen + 3600000 END AS resolved_at, 1 AS version
      FROM gen`);
    await conn.run(`INSERT INTO incident_timeline BY NAME SELECT 'inc_bench' || lpad(CAST(i AS VARCHAR), 7, '0') AS incident_id, 1 AS seq,
        last_seen - 3600000 AS entry_at, 'rule:' || rule_id AS actor, 'created' AS action, 'null' AS from_value, '"open"' AS to_value, NULL AS note FROM gen`);
    await conn.run(`INSERT INTO fingerprint_active SELECT 'fp' || CAST(i AS VARCHAR), 'inc_bench' || lpad(CAST(i AS VARCHAR), 7, '0') FROM gen WHERE status <> 'resolved'`);
    await conn.run('CHECKPOINT');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function firstRender(): Promise<number> {
  const total = envInt('CANH_BENCH_CONSOLE_INCIDENTS', 10_000);
  const runs = envInt('CANH_BENCH_CONSOLE_RUNS', 5);
  if (!existsSync(CHROMIUM)) {
    console.log(`\nFirst render of the incident queue: skipped, ${CHROMIUM} is absent (apt-get install -y chromium)`);
    return NaN;
  }
  console.log(`\nFirst render of the incident queue: ${int(total)} incidents, ${runs} runs in fresh browser contexts`);
  const dir = mkdtempSync(join(tmpdir(), 'canh-bench-console-'));
  const prefix = `canh-bench-console-${randomBytes(4).toString('hex')}`;
  const token = randomBytes(24).toString('hex');
  const t0 = Date.now();
  await fillIncidents(dir, total);
  console.log(`  ${int(total)} incidents written in ${fmt((Date.now() - t0) / 1000, 2)} s`);
  const svc = await startService({ CANH_DATA_DIR: dir, CANH_QUEUE_PREFIX: prefix, CANH_SYSLOG_PORT: '0' }, token).catch(async (err) => {
    await deleteKeys(prefix);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] }).catch(async (err) => {
    await svc.stop();
    throw err;
  });
  try {
    await svc.admin('/api/v1/localities', { code: '00', name: 'Trung ương', level: 'central' });
    await svc.admin('/api/v1/users', { username: 'bench.reviewer', password: PASSWORD, role: 'central_reviewer', locality: '00' });
    const res = await fetch(`${svc.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench.reviewer', password: PASSWORD }) });
    const cookie = /canh_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    if (!res.ok || !cookie) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addCookies([{ name: 'canh_session', value: cookie, url: svc.url }]);
      const page = await context.newPage();
      await page.goto(`${svc.url}/incidents`);
      // Functions, not strings: the console's CSP (no 'unsafe-eval') refuses string predicates.
      await page.waitForFunction(() => performance.getEntriesByName('canh:queue-first-rows').length > 0, undefined, { timeout: 30_000 });
      const { at, rows } = await page.evaluate(() => ({
        at: performance.getEntriesByName('canh:queue-first-rows')[0].startTime,
        rows: (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('tbody tr').length,
      }));
      times.push(at);
      console.log(`  run ${r + 1}: first rows (${rows}) rendered ${int(at)} ms after navigation start`);
      await context.close();
    }
    const median = percentile(times, 50);
    console.log(`  median ${int(median)} ms, max ${int(Math.max(...times))} ms → target < ${TARGET_FIRST_RENDER_MS} ms: ${fmt(median / TARGET_FIRST_RENDER_MS, 3)} of the target (${median < TARGET_FIRST_RENDER_MS ? 'met' : 'MISSED'})`);
    return median;
  } finally {
    await browser.close();
    await svc.stop();
    await deleteKeys(prefix);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log('Canh console benchmark');
  bundleSize();
  await firstRender();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
