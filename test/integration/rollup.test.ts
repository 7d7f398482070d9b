import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

jest.setTimeout(90_000);

const RULE = `
- id: otp-failures-rollup
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

const COMMUNES = ['26734', '26737', '26740'];

describe('roll-up: one rule in 3 communes of a province → one province incident (real Redis, real DuckDB, all roles)', () => {
  let svc: TestService;

  beforeAll(async () => {
    const rulesDir = mkdtempSync(join(tmpdir(), 'canh-rules-'));
    writeFileSync(join(rulesDir, 'otp.yaml'), RULE);
    svc = await startTestService({ CANH_RULES_DIR: rulesDir }, ['api', 'ingest', 'rules', 'incidents']);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const ours = async () => (await svc.admin('/api/v1/incidents?rule=otp-failures-rollup&size=100')).body.incidents as any[];

  it('links the 3 commune incidents to a province parent', async () => {
    await svc.admin('/api/v1/localities', { body: { code: '79', name: 'TP. Hồ Chí Minh', level: 'province' } });
    for (const [i, code] of COMMUNES.entries()) {
      await svc.admin('/api/v1/localities', { body: { code, name: `Phường ${i + 1}`, level: 'commune', parent_code: '79' } });
    }
    const send = async (locality: string) => {
      const source = (await svc.admin('/api/v1/sources', { body: { name: `otp-${locality}`, locality, kind: 'otp', format: 'json' } })).body;
      const now = new Date().toISOString();
      const lines = Array.from({ length: 4 }, (_, i) => JSON.stringify({
        timestamp: now, action: 'otp-verify-failed', user_id: `citizen-${i}`, service: 'dvc-portal', provider: 'viettel-sms',
        channel: 'sms', phone: '0912345678', reason: 'wrong-code', ip: '203.0.113.7',
      }));
      const res = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
      expect(res.status).toBe(202);
    };
    for (const code of COMMUNES) await send(code);

    const { parent, children } = await waitFor('a province parent with the 3 communes linked', async () => {
      const list = await ours();
      const parents = list.filter((i) => i.locality === '79');
      const kids = list.filter((i) => COMMUNES.includes(i.locality));
      if (parents.length !== 1 || kids.length !== 3 || !kids.every((k) => k.parent_id === parents[0].id)) return undefined;
      return { parent: parents[0], children: kids };
    }, 60_000, 100);

    expect(parent).toMatchObject({
      rule_id: 'otp-failures-rollup', locality: '79', province: '79', status: 'open', severity: 'high', category: 'intrusion-attempts',
      title: 'Nhiều lần xác thực OTP thất bại — 3 communes of the province', group: { rollup: 'province' }, parent_id: null, count: 3,
    });
    expect(new Set(children.map((c) => c.locality))).toEqual(new Set(COMMUNES));

    const detail = (await svc.admin(`/api/v1/incidents/${parent.id}`)).body;
    expect(detail.timeline[0]).toMatchObject({ action: 'created', actor: 'system:rollup' });
    for (const child of children) {
      const timeline = (await svc.admin(`/api/v1/incidents/${child.id}`)).body.timeline as any[];
      expect(timeline.filter((e) => e.action === 'rolled_up')).toEqual([expect.objectContaining({ actor: 'system:rollup', to: parent.id })]);
    }
    // Later hits keep bumping the children; still one parent.
    await waitFor('a child bumped after the roll-up', async () => (await ours()).some((i) => COMMUNES.includes(i.locality) && i.count >= 3), 30_000, 100);
    expect((await ours()).filter((i) => i.locality === '79')).toHaveLength(1);
  });
});
