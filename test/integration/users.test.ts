import { IncidentService } from '../../src/incidents/incident-service';
import type { Hit } from '../../src/rules/rule';
import { exited, spawnCanh } from '../support/canh-process';
import { ADMIN_TOKEN, startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

const PASSWORD = 'mật-khẩu-đủ-dài-2026';
const line = (ip: string, path: string) => `${ip} - - [23/Nov/2026:09:00:01 +0700] "GET ${path} HTTP/1.1" 200 512 "-" "Mozilla/5.0"`;
const DAY = `from=${encodeURIComponent('2026-11-23T00:00:00+07:00')}&to=${encodeURIComponent('2026-11-24T00:00:00+07:00')}`;

describe('users and API tokens (real Redis, real DuckDB files)', () => {
  let svc: TestService;
  const incidentIds: Record<string, string> = {};

  beforeAll(async () => {
    svc = await startTestService({}, ['api', 'ingest']);
    await svc.admin('/api/v1/localities', { body: { code: '00', name: 'Trung ương', level: 'central' } });
    await svc.admin('/api/v1/localities', { body: { code: '01', name: 'Hà Nội', level: 'province', parent_code: '00' } });
    await svc.admin('/api/v1/localities', { body: { code: '00004', name: 'Ba Đình', level: 'commune', parent_code: '01' } });
    await svc.admin('/api/v1/localities', { body: { code: '00007', name: 'Phúc Xá', level: 'commune', parent_code: '01' } });
    for (const [locality, ip] of [['00004', '203.0.113.4'], ['00007', '203.0.113.7']]) {
      const source = (await svc.admin('/api/v1/sources', { body: { name: `portal ${locality}`, locality, kind: 'access', format: 'nginx_combined' } })).body;
      const res = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'text/plain' }, body: line(ip, `/dvc/${locality}`) });
      expect(res.status).toBe(202);
    }
    await waitFor('the events of both communes', async () => (await svc.admin(`/api/v1/events?q=*&${DAY}`)).body.events?.length === 2, 30_000, 100);

    // Incidents of both communes, through an IncidentService on the service's own store.
    const incidents = new IncidentService(svc.container.incidents, svc.container.clock, {
      ruleLookup: () => ({ title: 'Brute force', severity: 'medium', category: 'intrusion-attempts' }),
      localityLookup: (code) => ({ code, province: code === '00' ? null : '01' }),
      centralCode: '00',
    });
    for (const locality of ['00004', '00007']) {
      const now = Date.now();
      const hit: Hit = {
        ruleId: 'web-bruteforce', ruleVersion: 'v1', group: { 'organization.id': locality }, locality, window: { from: now - 60_000, to: now },
        observed: 25, condition: 'count >= 20', sampleEventIds: [], evidenceQuery: `organization.id:"${locality}"`,
      };
      const r = await incidents.applyHit(hit, `users-it-${locality}`);
      if (r.outcome === 'duplicate_hit') throw new Error('duplicate hit');
      incidentIds[locality] = r.incident.id;
    }
  });
  afterAll(async () => svc?.stop());

  const as = async (token: string, path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(svc.url + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: (await res.json()) as any };
  };
  const login = async (username: string, password = PASSWORD) => {
    const res = await fetch(`${svc.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: (await res.json()) as any, retryAfter: res.headers.get('retry-after') };
  };

  it('a commune analyst sees only its commune: events, incidents, and a 404 for another commune\'s incident', async () => {
    const created = await svc.admin('/api/v1/users', { body: { username: 'an.nguyen', password: PASSWORD, display_name: 'Nguyễn Văn An', role: 'analyst', locality: '00004' } });
    expect(created.status).toBe(201);
    const { status, body } = await login('an.nguyen');
    expect(status).toBe(200);
    const token = body.token as string;
    expect(token).toMatch(/^canh_ut_/);

    const events = await as(token, `/api/v1/events?q=*&${DAY}`);
    expect(events.status).toBe(200);
    expect(events.body.events.map((e: { organization: { id: string } }) => e.organization.id)).toEqual(['00004']);
    const incidents = await as(token, '/api/v1/incidents');
    expect(incidents.body.incidents.map((i: { locality: string }) => i.locality)).toEqual(['00004']);
    expect((await as(token, `/api/v1/incidents/${incidentIds['00004']}`)).status).toBe(200);
    expect((await as(token, `/api/v1/incidents/${incidentIds['00007']}`)).status).toBe(404);
    // The admin token still sees both.
    expect((await svc.admin('/api/v1/incidents')).body.incidents).toHaveLength(2);

    // Actions are recorded under the user's name.
    const detail = (await as(token, `/api/v1/incidents/${incidentIds['00004']}`)).body;
    const acked = await as(token, `/api/v1/incidents/${incidentIds['00004']}/ack`, { body: { version: detail.version } });
    expect(acked.status).toBe(200);
    const timeline = (await as(token, `/api/v1/incidents/${incidentIds['00004']}`)).body.timeline as { actor: string; action: string }[];
    expect(timeline.find((e) => e.action === 'acknowledged')?.actor).toBe('user:an.nguyen');
  });

  it('a central_reviewer reads everything and cannot change anything (403)', async () => {
    expect((await svc.admin('/api/v1/users', { body: { username: 'reviewer', password: PASSWORD, role: 'central_reviewer', locality: '00' } })).status).toBe(201);
    const token = (await login('reviewer')).body.token as string;
    expect((await as(token, '/api/v1/incidents')).body.incidents).toHaveLength(2);
    const post = await as(token, `/api/v1/incidents/${incidentIds['00007']}/comment`, { body: { text: 'xem lại' } });
    expect(post.status).toBe(403);
    expect(post.body.code).toBe('CANH_AUTH_READ_ONLY');
  });

  it('a revoked token is refused at once', async () => {
    const user = (await svc.admin('/api/v1/users', { body: { username: 'binh', password: PASSWORD, role: 'locality_admin', locality: '00007' } })).body;
    const token = (await svc.admin(`/api/v1/users/${user.id}/tokens`, { body: { name: 'siem' } })).body;
    expect(token.token).toMatch(/^canh_ut_/);
    expect((await as(token.token, '/api/v1/incidents')).body.incidents.map((i: { locality: string }) => i.locality)).toEqual(['00007']);
    expect((await svc.admin(`/api/v1/users/${user.id}/tokens/${token.id}`, { method: 'DELETE' })).status).toBe(200);
    const refused = await as(token.token, '/api/v1/incidents');
    expect(refused.status).toBe(401);
  });

  it('5 bad passwords lock the username: 429, even with the right password', async () => {
    await svc.admin('/api/v1/users', { body: { username: 'chi', password: PASSWORD, role: 'analyst', locality: '00007' } });
    for (let i = 0; i < 5; i++) expect((await login('chi', 'not the password')).status).toBe(401);
    const locked = await login('chi');
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('CANH_AUTH_LOCKED');
    expect(Number(locked.retryAfter)).toBeGreaterThan(800);
    // An unknown username answers like a wrong password.
    expect((await login('nobody-here')).body.code).toBe('CANH_AUTH_LOGIN_FAILED');
  });

  it('canh users add | list | disable, through the API', async () => {
    const cli = async (args: string[], env: Record<string, string> = {}) => {
      const child = spawnCanh(['users', ...args], { CANH_URL: svc.url, CANH_ADMIN_TOKEN: ADMIN_TOKEN, ...env });
      return { code: await exited(child), out: child.output() };
    };
    const added = await cli(['add', 'dung.le', '--role', 'analyst', '--locality', '00004', '--name', 'Lê Dũng'], { CANH_NEW_PASSWORD: PASSWORD });
    expect(added).toMatchObject({ code: 0, out: expect.stringContaining('created user dung.le') });
    const noPassword = await cli(['add', 'em.tran', '--role', 'analyst', '--locality', '00004']);
    expect(noPassword.code).toBe(2);
    expect((await login('dung.le')).status).toBe(200);
    const listed = await cli(['list']);
    expect(listed.out).toMatch(/dung\.le\s+analyst\s+00004\s+enabled\s+Lê Dũng/);
    expect((await cli(['disable', 'dung.le'])).code).toBe(0);
    expect((await login('dung.le')).status).toBe(401);
    expect((await cli(['list'])).out).toMatch(/dung\.le\s+analyst\s+00004\s+disabled/);
  });
});
