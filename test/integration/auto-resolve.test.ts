import { Queue } from 'bullmq';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUES, type IncidentJob } from '../../src/queue/jobs';
import { loadRuleFiles, loadRuleText } from '../../src/rules/load-rules';
import { ruleVersion } from '../../src/rules/schema';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

describe('auto_resolve key (schema)', () => {
  const HEAD = ['id: r1', 'title: T', 'severity: low', 'category: test'];
  const load = (...lines: string[]) => loadRuleText([...HEAD, ...lines].join('\n'), 'r.yaml');
  const after = (...lines: string[]) => {
    const r = load(...lines);
    expect(r.errors).toEqual([]);
    return r.rules[0].autoResolveAfter;
  };
  const problems = (...lines: string[]) => load(...lines).errors.map((e) => `${e.line} ${e.field}: ${e.message}`);

  it('defaults to 3 for absence rules and uptime.probe rules, off for the rest', () => {
    expect(after('dataset: web.access', 'type: absence')).toBe(3);
    expect(after('dataset: uptime.probe', 'type: match')).toBe(3);
    expect(after('dataset: web.access', 'type: match')).toBeNull();
    expect(after('dataset: otp.auth', 'type: threshold', 'condition: { count: 5 }')).toBeNull();
  });

  it('takes { after: N } or false', () => {
    expect(after('dataset: web.access', 'type: match', 'auto_resolve: { after: 1 }')).toBe(1);
    expect(after('dataset: web.access', 'type: match', 'auto_resolve:', '  after: 100')).toBe(100);
    expect(after('dataset: uptime.probe', 'type: match', 'auto_resolve: false')).toBeNull();
    expect(after('dataset: web.access', 'type: absence', 'auto_resolve: false')).toBeNull();
  });

  it('reports bad values with line and field', () => {
    expect(problems('dataset: web.access', 'type: match', 'auto_resolve: { after: 0 }')).toEqual(['7 auto_resolve.after: must be at least 1, got 0']);
    expect(problems('dataset: web.access', 'type: match', 'auto_resolve: { after: 101 }')).toEqual(['7 auto_resolve.after: must be at most 100, got 101']);
    expect(problems('dataset: web.access', 'type: match', 'auto_resolve: { after: 2.5 }')).toEqual(['7 auto_resolve.after: expected an integer, got 2.5']);
    expect(problems('dataset: web.access', 'type: match', 'auto_resolve: {}')).toEqual(["7 auto_resolve.after: missing required key 'after'"]);
    expect(problems('dataset: web.access', 'type: match', 'auto_resolve:', '  aftr: 3')).toEqual([
      "8 auto_resolve.aftr: unknown key 'aftr'; did you mean 'after'?",
      "8 auto_resolve.after: missing required key 'after'",
    ]);
    expect(problems('dataset: web.access', 'type: match', 'auto_resolve: true')).toEqual([
      '7 auto_resolve: expected false or a mapping such as { after: 3 } (clear evaluations before the incident resolves itself), got true',
    ]);
    expect(problems('dataset: web.access', 'type: match', 'auto_resle: false')).toEqual(["7 auto_resle: unknown key 'auto_resle'; did you mean 'auto_resolve'?"]);
  });

  it('is part of the version when on, and leaves the version of other rules as it was', () => {
    const off = load('dataset: web.access', 'type: match').rules[0];
    const { autoResolveAfter: _a, ...without } = off;
    expect(off.version).toBe(ruleVersion(without));
    expect(load('dataset: web.access', 'type: match', 'auto_resolve: false').rules[0].version).toBe(off.version);
    const on = load('dataset: web.access', 'type: match', 'auto_resolve: { after: 3 }').rules[0];
    const on4 = load('dataset: web.access', 'type: match', 'auto_resolve: { after: 4 }').rules[0];
    expect(new Set([off.version, on.version, on4.version]).size).toBe(3);
    expect(ruleVersion(on)).toBe(on.version);
  });

  it('the shipped pack: probe and absence rules auto-resolve after 3 evaluations', async () => {
    const { rules, errors } = await loadRuleFiles([join(__dirname, '../../rules')]);
    expect(errors).toEqual([]);
    const auto = Object.fromEntries(rules.filter((r) => r.autoResolveAfter != null).map((r) => [r.id, r.autoResolveAfter]));
    expect(auto).toEqual({ 'web-source-silent': 3, 'otp-source-silent': 3, 'service-down': 3, 'service-slow': 3, 'probe-silent': 3 });
  });
});

const RULE = `
- id: probe-down-auto
  title: Dịch vụ không phản hồi
  severity: high
  category: availability
  dataset: uptime.probe
  filter: 'monitor.status:down'
  type: match
  group_by: [organization.id, monitor.id]
  window: 2s
  every: 1s
  delay: 0s
  auto_resolve: { after: 2 }
`;

describe('probe down → incident → probes stop → auto-resolved (real Redis, real DuckDB)', () => {
  let svc: TestService;
  let incidentsQueue: Queue<IncidentJob>;

  beforeAll(async () => {
    const rulesDir = mkdtempSync(join(tmpdir(), 'canh-rules-'));
    writeFileSync(join(rulesDir, 'probe.yaml'), RULE);
    svc = await startTestService({ CANH_RULES_DIR: rulesDir }, ['api', 'ingest', 'rules', 'incidents']);
    incidentsQueue = new Queue<IncidentJob>(QUEUES.incidents, { connection: svc.container.redis, prefix: svc.prefix });
  });
  afterAll(async () => {
    await incidentsQueue?.close();
    await svc?.stop();
  });

  const ours = async () => (await svc.admin('/api/v1/incidents?rule=probe-down-auto')).body.incidents as any[];

  it('resolves the incident by itself once the probes stop reporting down, with an auto_resolved entry', async () => {
    await svc.admin('/api/v1/localities', { body: { code: '79', name: 'TP. Hồ Chí Minh', level: 'province' } });
    await svc.admin('/api/v1/localities', { body: { code: '26734', name: 'Phường Bến Nghé', level: 'commune', parent_code: '79' } });
    const source = (await svc.admin('/api/v1/sources', { body: { name: 'uptime-probe', locality: '26734', kind: 'probe', format: 'json' } })).body;
    const send = async () => {
      const line = JSON.stringify({ timestamp: new Date().toISOString(), monitor_id: 'dvc-portal', name: 'Cổng DVC', type: 'http', status: 'down', url: 'https://dvc.example.vn/', error: 'connection refused' });
      const res = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'application/x-ndjson' }, body: line });
      expect(res.status).toBe(202);
    };

    // Probes report down every 200 ms until the incident is open.
    let sending = true;
    const sender = (async () => {
      while (sending) {
        await send();
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    let incident: any;
    try {
      [incident] = await waitFor('an incident from the probe rule', async () => {
        const list = await ours();
        return list.length > 0 ? list : undefined;
      }, 30_000, 100);
    } finally {
      sending = false;
      await sender;
    }
    expect(incident).toMatchObject({ status: 'open', locality: '26734', group: { 'organization.id': '26734', 'monitor.id': 'dvc-portal' } });

    // No more results: two clear evaluations later the incident resolves itself.
    const resolved = await waitFor('the incident to resolve itself', async () => {
      const detail = (await svc.admin(`/api/v1/incidents/${incident.id}`)).body;
      return detail.status === 'resolved' ? detail : undefined;
    }, 30_000, 100);
    expect(resolved).toMatchObject({ status: 'resolved', resolution: null });
    expect(resolved.resolved_at).toEqual(expect.anything());
    const last = resolved.timeline[resolved.timeline.length - 1];
    expect(last).toMatchObject({ action: 'auto_resolved', actor: 'rule:probe-down-auto', note: 'condition clear for 2 consecutive evaluations' });
    expect((await ours()).filter((i) => i.status !== 'resolved')).toEqual([]);

    const clears = (await incidentsQueue.getJobs(['completed'])).filter((j) => j.name === 'clear' && j.data.ruleId === 'probe-down-auto');
    expect(clears.map((j) => j.returnvalue)).toContainEqual({ outcome: 'auto_resolved', incident: incident.id });
    expect(clears.every((j) => /^clear-probe-down-auto-[0-9a-f]{16}-\d+$/.test(String(j.id)))).toBe(true);
  });
});
