import { Queue } from 'bullmq';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUES } from '../../src/queue/jobs';
import type { Hit } from '../../src/rules/rule';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

const RULE = `
- id: otp-failures-e2e
  title: Nhiều lần xác thực OTP thất bại
  severity: high
  category: intrusion-attempts
  dataset: otp.auth
  filter: 'event.outcome:failure'
  type: threshold
  condition: { count: 3 }
  group_by: [organization.id]
  window: 1m
  every: 1s
  delay: 0s
  suppress: 0s
`;

describe('OTP events over HTTP → rule → incident (real Redis, real DuckDB, all roles)', () => {
  let svc: TestService;
  let incidentsQueue: Queue<Hit>;

  beforeAll(async () => {
    const rulesDir = mkdtempSync(join(tmpdir(), 'canh-rules-'));
    writeFileSync(join(rulesDir, 'otp.yaml'), RULE);
    svc = await startTestService({ CANH_RULES_DIR: rulesDir }, ['api', 'ingest', 'rules', 'incidents']);
    incidentsQueue = new Queue<Hit>(QUEUES.incidents, { connection: svc.container.redis, prefix: svc.prefix });
  });
  afterAll(async () => {
    await incidentsQueue?.close();
    await svc?.stop();
  });

  const ours = async () => (await svc.admin('/api/v1/incidents?rule=otp-failures-e2e')).body.incidents as any[];

  it('opens one incident for the commune, bumps it on later hits, and takes actions with version checks', async () => {
    await svc.admin('/api/v1/localities', { body: { code: '79', name: 'TP. Hồ Chí Minh', level: 'province' } });
    await svc.admin('/api/v1/localities', { body: { code: '26734', name: 'Phường Bến Nghé', level: 'commune', parent_code: '79' } });
    const source = (await svc.admin('/api/v1/sources', { body: { name: 'otp-gateway', locality: '26734', kind: 'otp', format: 'json' } })).body;
    const send = async (n: number) => {
      const now = new Date().toISOString();
      const lines = Array.from({ length: n }, (_, i) => JSON.stringify({
        timestamp: now, action: 'otp-verify-failed', user_id: `citizen-${i}`, service: 'dvc-portal', provider: 'viettel-sms',
        channel: 'sms', phone: '0912345678', reason: 'wrong-code', ip: '203.0.113.7',
      }));
      const res = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
      expect(res.status).toBe(202);
    };
    await send(4);

    const [incident] = await waitFor('an incident from the rule', async () => {
      const list = await ours();
      return list.length > 0 ? list : undefined;
    }, 30_000, 100);
    expect(incident).toMatchObject({
      rule_id: 'otp-failures-e2e', title: 'Nhiều lần xác thực OTP thất bại', severity: 'high', category: 'intrusion-attempts',
      status: 'open', locality: '26734', province: '79', group: { 'organization.id': '26734' },
    });
    expect(incident.evidence.sample_event_ids.length).toBeGreaterThanOrEqual(3);

    // Every second the 1-minute window still holds the events: later hits bump the same incident.
    const bumped = await waitFor('the incident to be bumped by a later hit', async () => {
      const list = await ours();
      return list.length === 1 && list[0].count >= 2 ? list[0] : undefined;
    }, 30_000, 100);
    expect(bumped.id).toBe(incident.id);

    const detail = (await svc.admin(`/api/v1/incidents/${incident.id}`)).body;
    expect(detail.timeline.map((e: any) => e.action).slice(0, 2)).toEqual(['created', 'hit_added']);

    const acked = await svc.admin(`/api/v1/incidents/${incident.id}/ack`, { body: { version: detail.version } });
    expect(acked.status).toBe(200);
    expect(acked.body.status).toBe('acknowledged');
    const stale = await svc.admin(`/api/v1/incidents/${incident.id}/resolve`, { body: { version: detail.version, resolution: 'true_positive' } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('CANH_CONFLICT');
  });

  it('applies a hit delivered twice once', async () => {
    const completed = await incidentsQueue.getJobs(['completed']);
    const done = completed.find((j) => j.data.ruleId === 'otp-failures-e2e' && j.returnvalue?.outcome !== 'duplicate_hit');
    expect(done).toBeDefined();
    const job = done as NonNullable<typeof done>;
    const firstFinish = job.finishedOn as number;
    // The same job again, as a redelivery after a crash between the write and the acknowledgement would run it.
    await job.retry('completed');
    const again = await waitFor('the redelivered hit to be processed', async () => {
      const j = await incidentsQueue.getJob(job.id as string);
      return j && j.finishedOn && j.finishedOn > firstFinish ? j : undefined;
    }, 10_000, 50);
    expect(again.returnvalue).toEqual({ outcome: 'duplicate_hit' });
  });
});
