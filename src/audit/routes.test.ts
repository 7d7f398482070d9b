import type { FastifyInstance } from 'fastify';
import { waitFor } from '../../test/support/wait';
import { makeAdminAuth } from '../http/admin-auth';
import { baseApp } from '../http/build-app';
import { FakeClock } from '../lib/clock';
import { MemoryAuditStore } from '../store/memory/audit-store';
import { MemoryDirectoryStore } from '../store/memory/directory-store';
import { MemoryUserStore } from '../store/memory/user-store';
import { LoginThrottle } from '../users/login-throttle';
import { userRoutes } from '../users/routes';
import { UserService } from '../users/user-service';
import { AuditService } from './audit-service';
import { auditPlugin } from './plugin';
import { auditRoutes } from './routes';

const ADMIN = 'bootstrap-admin-token-0123456789';
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);
const PASSWORD = 'mot-hai-ba-bon-nam';

interface EntryJson { id: string; at: string; action: string; route: string; status: number; outcome: string; ip: string; actor: Record<string, string>; details: Record<string, unknown>; request_id: string; target: Record<string, string> }

describe('audit: recording requests and GET /api/v1/audit', () => {
  let app: FastifyInstance;
  let audit: AuditService;
  let ingestCalls = 0;

  beforeEach(async () => {
    const clock = new FakeClock(T0);
    const directory = new MemoryDirectoryStore();
    const loc = (code: string, level: 'central' | 'commune', parentCode: string | null, provinceCode: string | null) =>
      directory.createLocality({ code, name: code, level, parentCode, provinceCode, createdAt: T0 });
    await loc('00', 'central', null, null);
    await loc('00004', 'commune', '00', null);
    const users = new UserService(new MemoryUserStore(), directory, clock, new LoginThrottle());
    const authenticate = makeAdminAuth(ADMIN, users);
    audit = new AuditService({ store: new MemoryAuditStore(), clock });
    app = baseApp({ maxBodyBytes: 1024 * 1024 });
    await app.register(auditPlugin, { audit });
    await app.register(userRoutes, { prefix: '/api/v1', users, authenticate });
    await app.register(auditRoutes, { prefix: '/api/v1', audit, authenticate, clock });
    // Stand-in for the shipper route (its real plugin needs an IngestService): only its pattern matters here.
    app.post('/api/v1/ingest', async (_req, reply) => {
      ingestCalls += 1;
      return reply.code(202).send({ accepted: 1 });
    });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await audit.close();
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token = ADMIN, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
  const entries = async (query = '') => (await call('GET', `/api/v1/audit${query}`)).json().entries as EntryJson[];
  /** Entries recorded so far, once `action` shows up (onResponse runs after inject() resolves). */
  const once = (action: string, query = '') => waitFor(action, async () => {
    const list = await entries(query);
    return list.some((e) => e.action === action) ? list : undefined;
  }, 5000);

  it('records a POST by a user with username, ip, route and status', async () => {
    expect((await call('POST', '/api/v1/users', ADMIN, { username: 'chi', password: PASSWORD, role: 'admin', locality: '00' })).statusCode).toBe(201);
    const chi = (await app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: 'chi', password: PASSWORD } })).json();
    const created = await call('POST', '/api/v1/users', chi.token, { username: 'ann', password: PASSWORD, role: 'analyst', locality: '00004', display_name: 'An' });
    expect(created.statusCode).toBe(201);
    const disable = await call('POST', `/api/v1/users/${created.json().id}/disable`, chi.token);
    expect(disable.statusCode).toBe(200);

    const list = await once('user.disable');
    expect(list.map((e) => e.action)).toEqual(['user.disable', 'user.create', 'login', 'user.create']);
    expect(list[1]).toEqual({
      id: expect.stringMatching(/^aud_/), at: new Date(T0).toISOString(), actor: { kind: 'user', id: chi.user.id, username: 'chi', role: 'admin' },
      action: 'user.create', method: 'POST', route: '/api/v1/users', target: {}, status: 201, outcome: 'success', ip: '127.0.0.1',
      request_id: created.headers['request-id'] ?? expect.stringMatching(/^req-/), details: { username: 'ann', role: 'analyst', locality: '00004' },
    });
    expect(list[0]).toMatchObject({ target: { id: created.json().id }, route: '/api/v1/users/:id/disable', actor: { username: 'chi' } });
    expect(list[3].actor).toEqual({ kind: 'admin_token' });
    expect(JSON.stringify(list)).not.toContain(PASSWORD);
    expect(JSON.stringify(list)).not.toContain(chi.token);
    expect((await entries('?actor=chi')).map((e) => e.action)).toEqual(['user.disable', 'user.create']);
    expect((await entries(`?target=${created.json().id}`)).map((e) => e.action)).toEqual(['user.disable']);
  });

  it('records a failed login with its outcome and username, never the password', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: 'ghost', password: 'wrong-password-123' } });
    expect(res.statusCode).toBe(401);
    const [entry] = await once('login');
    expect(entry).toMatchObject({ action: 'login', status: 401, outcome: 'denied', actor: { kind: 'anonymous' }, details: { username: 'ghost' }, ip: '127.0.0.1' });
    expect(JSON.stringify(entry)).not.toContain('wrong-password-123');
    expect((await entries('?outcome=denied')).length).toBe(1);
    expect((await entries('?outcome=success')).length).toBe(0);
  });

  it('records refused and unknown-path changes, but not GET requests nor /api/v1/ingest', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/users', headers: { authorization: `Bearer ${ADMIN}` } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/ingest', payload: { message: 'a line' } })).statusCode).toBe(202);
    expect(ingestCalls).toBe(1);
    expect((await call('POST', '/api/v1/users', 'not-the-token', { username: 'xyz', password: PASSWORD, role: 'admin', locality: '00' })).statusCode).toBe(401);
    expect((await call('PUT', '/api/v1/nothing/here', ADMIN, {})).statusCode).toBe(404);
    const list = await once('user.create');
    // Requests are answered in order and recorded as answered: the earlier ones would be here by now.
    await waitFor('the unmatched PUT', async () => (await entries()).length === 2, 5000);
    expect((await entries()).map((e) => [e.action, e.outcome, e.actor.kind, e.status])).toEqual([
      ['PUT (unmatched)', 'denied', 'anonymous', 404],
      ['user.create', 'denied', 'anonymous', 401],
    ]);
    expect(list.some((e) => e.route === '/api/v1/ingest' || e.action.startsWith('GET'))).toBe(false);
  });

  it('answers 403 to a non-admin user and 401 without a token; filters and pages newest first', async () => {
    await call('POST', '/api/v1/users', ADMIN, { username: 'ann', password: PASSWORD, role: 'analyst', locality: '00004' });
    const ann = (await app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: 'ann', password: PASSWORD } })).json();
    const refused = await call('GET', '/api/v1/audit', ann.token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('CANH_AUTH_ADMIN_ONLY');
    expect((await app.inject({ method: 'GET', url: '/api/v1/audit' })).statusCode).toBe(401);

    await once('login');
    const first = (await call('GET', '/api/v1/audit?size=1')).json();
    expect(first.entries.map((e: EntryJson) => e.action)).toEqual(['login']);
    const second = (await call('GET', `/api/v1/audit?size=1&cursor=${first.next_cursor}`)).json();
    expect(second).toMatchObject({ entries: [{ action: 'user.create' }], next_cursor: null });
    expect((await call('GET', '/api/v1/audit?outcome=maybe')).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/audit?size=1001')).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/audit?cursor=nope')).statusCode).toBe(400);
    expect((await call('GET', `/api/v1/audit?from=${new Date(T0 + 1).toISOString()}`)).json().entries).toEqual([]);
    expect((await call('GET', `/api/v1/audit?to=${new Date(T0 + 1).toISOString()}&action=login`)).json().entries).toHaveLength(1);
  });
});
