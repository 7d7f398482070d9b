import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import pino from 'pino';
import { USERS } from '../../src/demo/demo-data';
import { DEMO_RULES } from '../../src/demo/demo-rules';
import { startDemo, type Demo } from '../../src/demo/demo-runner';
import { FAST_TIMINGS } from '../../src/demo/timings';
import { deleteQueueKeys } from '../support/redis-cleanup';
import { waitFor } from '../support/wait';

jest.setTimeout(90_000);

const REDIS = 'redis://127.0.0.1:6379';

interface Incident { id: string; rule_id: string; status: string; locality: string; escalation_level: number }
interface Timeline { action: string; actor: string }

/** The demo on the test's clock (FAST_TIMINGS): the same episodes, rules and policy, in seconds. */
describe('npm run demo: a newcomer sees incidents, escalations and statistics within a minute', () => {
  const prefix = `canh-demo-test-${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'canh-demo-'));
  let demo: Demo | null = null;

  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch((demo as Demo).url + path, { headers: { authorization: `Bearer ${(demo as Demo).adminToken}` } });
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  const incidentsOf = async (rule: string) => (await get<{ incidents: Incident[] }>(`/api/v1/incidents?rule=${rule}&size=100`)).incidents;

  beforeAll(async () => {
    demo = await startDemo({ dataDir, port: 0, prefix, timings: FAST_TIMINGS, log: pino({ level: 'silent' }), env: {} });
  });

  afterAll(async () => {
    await demo?.stop().catch(() => undefined);
    await deleteQueueKeys(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('raises the attack, OTP wave and outage incidents, escalates the unacknowledged ones, fills the statistics, and stops cleanly', async () => {
    const d = demo as Demo;
    expect(d.guide).toContain('analyst.badinh');
    expect(d.guide).toContain('demo-analyst-2026');
    const deadline = Date.now() + 60_000;
    const left = () => Math.max(1000, deadline - Date.now());

    const brute = await waitFor('a brute-force incident at Phường Ba Đình', async () => (await incidentsOf(DEMO_RULES['web-login-brute-force'])).find((i) => i.locality === '00004'), left(), 500);
    const scanner = await waitFor('scanner incidents at Phường Sài Gòn', async () => (await incidentsOf(DEMO_RULES['web-scanner-user-agent'])).find((i) => i.locality === '26734'), left(), 500);
    await waitFor('an SQL injection incident', async () => (await incidentsOf(DEMO_RULES['web-sqli-attempt'])).length > 0, left(), 500);
    // Three communes of Đà Nẵng, then the province roll-up the third one triggers (made just after).
    const otp = await waitFor('OTP failure incidents in three communes of Đà Nẵng and their province roll-up', async () => {
      const list = await incidentsOf(DEMO_RULES['otp-failure-ratio']);
      return list.filter((i) => ['20194', '20200', '20207'].includes(i.locality)).length >= 3 && list.some((i) => i.locality === '48') && list;
    }, left(), 500);
    expect(otp.filter((i) => i.locality !== '48').every((i) => ['20194', '20200', '20207'].includes(i.locality))).toBe(true);
    const outage = await waitFor('an outage incident at Phường Bến Thành', async () => (await incidentsOf(DEMO_RULES['service-down'])).find((i) => i.locality === '26743'), left(), 500);

    // Left unacknowledged, the brute force climbs to the province, then central.
    const escalated = await waitFor('an escalated entry on the brute-force timeline', async () => {
      const t = (await get<{ timeline: Timeline[] }>(`/api/v1/incidents/${brute.id}`)).timeline;
      return t.some((e) => e.action === 'escalated' && e.actor === 'system:escalation') && t;
    }, left(), 500);
    expect(escalated.filter((e) => e.action === 'escalated').length).toBeGreaterThanOrEqual(1);

    // The simulated analyst handles the scanner: acknowledged (MTTA sample), then resolved.
    await waitFor('the scanner incident resolved by analyst.saigon', async () => {
      const t = (await get<{ status: string; timeline: Timeline[] }>(`/api/v1/incidents/${scanner.id}`));
      return t.status === 'resolved' && t.timeline.some((e) => e.action === 'acknowledged' && e.actor === 'user:analyst.saigon');
    }, left(), 500);

    // The portal comes back: the outage resolves itself.
    await waitFor('the outage incident auto-resolved', async () => {
      const t = (await get<{ status: string; timeline: Timeline[] }>(`/api/v1/incidents/${outage.id}`));
      return t.status === 'resolved' && t.timeline.some((e) => e.action === 'auto_resolved');
    }, left(), 500);

    const byLocality = await get<{ series: { key: string; total: number }[] }>('/api/v1/stats/incidents?by=locality&from=now-1h');
    expect(byLocality.series.map((s) => s.key)).toEqual(expect.arrayContaining(['00004', '26734', '26743']));
    const times = await get<{ rows: { mtta: { n: number }; mttr: { n: number } }[] }>('/api/v1/stats/response-times?from=now-1h');
    expect(times.rows.some((r) => r.mtta.n > 0 && r.mttr.n > 0)).toBe(true);
    const sla = await get<{ total: { incidents: number; breaches: number } }>('/api/v1/stats/sla?from=now-1h');
    expect(sla.total.breaches).toBeGreaterThan(0);
    const otpStats = await get<{ rows: { locality: string; attempts: number; success_rate: number | null }[] }>('/api/v1/stats/otp?from=now-1h&by=locality');
    const danang = otpStats.rows.filter((r) => ['20194', '20200', '20207'].includes(r.locality));
    expect(danang.length).toBe(3);
    const hanoi = otpStats.rows.find((r) => r.locality === '00008');
    expect(Math.max(...danang.map((r) => r.success_rate ?? 1))).toBeLessThan(hanoi?.success_rate ?? 0);
    const availability = await get<{ rows: { monitor: string; down: number; up: number }[] }>('/api/v1/stats/availability?from=now-1h');
    expect(availability.rows.find((r) => r.monitor === 'dvc-26743')?.down).toBeGreaterThan(0);
    expect((await get<{ rules: unknown[] }>('/api/v1/stats/top-rules?from=now-1h')).rules.length).toBeGreaterThan(0);
    expect(d.local.webhookCount()).toBeGreaterThan(0);

    for (const u of USERS) {
      const res = await fetch(`${d.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u.username, password: u.password }) });
      expect({ user: u.username, status: res.status }).toEqual({ user: u.username, status: 200 });
    }

    await d.stop();
    demo = null;
    const redis = new IORedis(REDIS);
    try {
      expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
