import { Queue } from 'bullmq';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUES } from '../../src/queue/jobs';
import type { Hit } from '../../src/rules/rule';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

const rule = (id: string, every: string, extra = '') => `
- id: ${id}
  title: Login failures from one address
  severity: high
  category: intrusion-attempts
  dataset: web.access
  filter: 'url.path:"/dang-nhap" AND http.response.status_code:401'
  type: threshold
  condition: { count: 3 }
  group_by: [organization.id, source.ip]
  window: 1m
  every: ${every}
  delay: 0s
  suppress: 10m
${extra}`;

describe('rule engine on BullMQ job schedulers (real Redis, real DuckDB)', () => {
  let svc: TestService;
  let rulesDir: string;
  let schedulers: Queue;
  let incidents: Queue<Hit>;

  beforeAll(async () => {
    rulesDir = mkdtempSync(join(tmpdir(), 'canh-rules-'));
    writeFileSync(join(rulesDir, 'login.yaml'), rule('login-brute-force', '1s'));
    // All roles, as `canh start` runs them: the shipped rules/ load too, beside CANH_RULES_DIR.
    svc = await startTestService({ CANH_RULES_DIR: rulesDir }, ['api', 'ingest', 'rules']);
    schedulers = new Queue(QUEUES.rules, { connection: svc.container.redis, prefix: svc.prefix });
    incidents = new Queue<Hit>(QUEUES.incidents, { connection: svc.container.redis, prefix: svc.prefix });
  });
  afterAll(async () => {
    await schedulers?.close();
    await incidents?.close();
    await svc?.stop();
  });

  const OURS = ['rule:login-brute-force', 'rule:second-rule', 'rule:third-rule'];
  const schedulerIds = async () =>
    (await schedulers.getJobSchedulers(0, -1)).filter((s) => OURS.includes(String(s.key ?? s.id))).map((s) => `${s.key ?? s.id}@${s.every}`).sort();
  const ourHits = async () => (await incidents.getJobs(['waiting', 'active', 'completed', 'delayed'])).filter((j) => j.data.ruleId === 'login-brute-force');

  it('keeps one job scheduler per enabled rule, following file edits without a restart', async () => {
    expect(await waitFor('the scheduler of the rule', async () => ((await schedulerIds()).length === 1 ? schedulerIds() : undefined))).toEqual(['rule:login-brute-force@1000']);
    writeFileSync(join(rulesDir, 'extra.yaml'), rule('second-rule', '5s') + rule('third-rule', '2s', '  enabled: false'));
    expect(await waitFor('the new file to be picked up', async () => {
      const ids = await schedulerIds();
      return ids.length === 2 ? ids : undefined;
    })).toEqual(['rule:login-brute-force@1000', 'rule:second-rule@5000']);
    rmSync(join(rulesDir, 'extra.yaml'));
    await waitFor('the removed rule to lose its scheduler', async () => (await schedulerIds()).length === 1);
  });

  it('raises one hit for a group over the threshold, once, while later runs keep evaluating', async () => {
    await svc.admin('/api/v1/localities', { body: { code: '01', name: 'Hà Nội', level: 'province' } });
    await svc.admin('/api/v1/localities', { body: { code: '00004', name: 'Ba Đình', level: 'commune', parent_code: '01' } });
    const source = (await svc.admin('/api/v1/sources', { body: { name: 'portal', locality: '00004', kind: 'access', format: 'json' } })).body;
    const now = new Date().toISOString();
    const doc = (ip: string, status: number) => JSON.stringify({ '@timestamp': now, source: { ip }, url: { path: '/dang-nhap' }, http: { request: { method: 'POST' }, response: { status_code: status } } });
    const body = [doc('203.0.113.7', 401), doc('203.0.113.7', 401), doc('203.0.113.7', 401), doc('198.51.100.1', 401), doc('203.0.113.7', 200)].join('\n');
    const res = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'application/x-ndjson' }, body });
    expect(res.status).toBe(202);

    const jobs = await waitFor('a hit on the incidents queue', async () => {
      const all = await ourHits();
      return all.length > 0 ? all : undefined;
    }, 30_000, 100);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].data).toMatchObject({
      ruleId: 'login-brute-force', group: { 'organization.id': '00004', 'source.ip': '203.0.113.7' }, locality: '00004', observed: 3,
    });
    expect(jobs[0].data.sampleEventIds).toHaveLength(3);

    // Later runs evaluate new windows (the checkpoint moves) but the suppressed group raises nothing more.
    const before = (await svc.container.ruleState.getCheckpoint('login-brute-force'))!.evaluatedTo;
    await waitFor('two more evaluations', async () => (await svc.container.ruleState.getCheckpoint('login-brute-force'))!.evaluatedTo >= before + 2000, 15_000, 100);
    expect(await ourHits()).toHaveLength(1);
    const runs = await svc.container.ruleState.listRuns('login-brute-force', 100);
    expect(runs.filter((r) => r.hits > 0)).toHaveLength(1);
    expect(runs.every((r) => r.error === null)).toBe(true);

    const listed = (await svc.admin('/api/v1/rules')).body;
    expect(listed.errors).toEqual([]);
    const mine = listed.rules.find((r: { id: string }) => r.id === 'login-brute-force');
    expect(mine).toMatchObject({ type: 'threshold', severity: 'high', enabled: true, every_ms: 1000, last_run: { error: null } });
    const history = (await svc.admin('/api/v1/rules/login-brute-force/runs?size=500')).body.runs;
    expect(history.filter((r: { hits: number }) => r.hits === 1)).toHaveLength(1);
    expect((await svc.admin('/api/v1/rules/no-such-rule/runs')).status).toBe(404);

    // A dry run of the same rule text over the same minute finds the same hit, and raises nothing.
    const minute = Math.floor(Date.parse(now) / 60_000) * 60_000;
    const dry = await svc.admin('/api/v1/rules/test', {
      body: { rule: rule('login-brute-force-draft', '1m'), from: new Date(minute - 60_000).toISOString(), to: new Date(minute + 120_000).toISOString() },
    });
    expect(dry.status).toBe(200);
    expect(dry.body.hits).toHaveLength(1);
    expect(dry.body.hits[0]).toMatchObject({ rule_id: 'login-brute-force-draft', group: { 'source.ip': '203.0.113.7' }, observed: 3 });
    expect(await ourHits()).toHaveLength(1);
    const bad = await svc.admin('/api/v1/rules/test', { body: { rule: 'id: x\ntitle: y\n', from: 'now-1h' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('request:');
  });
});
