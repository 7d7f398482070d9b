import type { FastifyInstance } from 'fastify';
import { makeAdminAuth } from '../http/admin-auth';
import { baseApp } from '../http/build-app';
import { defaultActor } from '../incidents/routes';
import { FakeClock } from '../lib/clock';
import { MemoryDirectoryStore } from '../store/memory/directory-store';
import { MemoryUserStore } from '../store/memory/user-store';
import { LoginThrottle } from './login-throttle';
import { userRoutes } from './routes';
import { LOGIN_TOKEN_MS, UserService } from './user-service';

const ADMIN = 'bootstrap-admin-token-0123456789';
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);
const PASSWORD = 'mot-hai-ba-bon-nam';

describe('userRoutes and user-token authentication', () => {
  let app: FastifyInstance;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = new FakeClock(T0);
    const directory = new MemoryDirectoryStore();
    const loc = (code: string, level: 'central' | 'province' | 'commune', parentCode: string | null, provinceCode: string | null) =>
      directory.createLocality({ code, name: code, level, parentCode, provinceCode, createdAt: T0 });
    await loc('00', 'central', null, null);
    await loc('01', 'province', '00', '01');
    await loc('00004', 'commune', '01', '01');
    const users = new UserService(new MemoryUserStore(), directory, clock, new LoginThrottle());
    const authenticate = makeAdminAuth(ADMIN, users);
    app = baseApp({ maxBodyBytes: 1024 * 1024 });
    await app.register(userRoutes, { prefix: '/api/v1', users, authenticate });
    // A probe of what authentication put on the request.
    app.route({
      method: ['GET', 'POST'], url: '/probe', preHandler: authenticate,
      handler: async (req) => ({ scope: req.scope, principal: req.principal, actor: defaultActor(req) }),
    });
    await app.ready();
  });
  afterEach(() => app.close());

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token = ADMIN, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
  const createUser = async (username: string, role: string, locality: string) => {
    const res = await call('POST', '/api/v1/users', ADMIN, { username, password: PASSWORD, role, locality });
    if (res.statusCode !== 201) throw new Error(res.body);
    return res.json();
  };
  const login = (username: string, password = PASSWORD) => app.inject({ method: 'POST', url: '/api/v1/login', payload: { username, password } });

  it('creates and lists users (admin only); never answers the password hash', async () => {
    const an = await createUser('ann', 'analyst', '00004');
    expect(an).toMatchObject({ username: 'ann', display_name: 'ann', role: 'analyst', locality: '00004', province: '01', disabled: false });
    expect(JSON.stringify(an)).not.toContain('scrypt');
    const list = await call('GET', '/api/v1/users');
    expect(list.json().users.map((u: { username: string }) => u.username)).toEqual(['ann']);
    expect(JSON.stringify(list.json())).not.toContain('scrypt');

    const token = (await login('ann')).json().token;
    expect((await call('GET', '/api/v1/users', token)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/users', token, { username: 'x12', password: PASSWORD, role: 'admin', locality: '00' })).json().code).toBe('CANH_AUTH_ADMIN_ONLY');
  });

  it('validates: unknown locality, central roles outside the central locality, duplicates, short passwords', async () => {
    const post = (body: object) => call('POST', '/api/v1/users', ADMIN, { username: 'binh', password: PASSWORD, role: 'analyst', locality: '00004', ...body });
    expect((await post({ locality: '99999' })).json()).toMatchObject({ statusCode: 400, message: expect.stringContaining('does not exist') });
    expect((await post({ role: 'central_reviewer', locality: '01' })).json()).toMatchObject({ statusCode: 400, message: expect.stringContaining('central locality') });
    expect((await post({ role: 'admin', locality: '00004' })).statusCode).toBe(400);
    expect((await post({ password: 'short' })).statusCode).toBe(400);
    expect((await post({ username: 'Bad Name' })).statusCode).toBe(400);
    expect((await post({ role: 'central_reviewer', locality: '00' })).statusCode).toBe(201);
    expect((await post({ role: 'central_reviewer', locality: '00' })).statusCode).toBe(409);
  });

  it('a user token carries the locality subtree and the principal; the bootstrap token the whole tree', async () => {
    const an = await createUser('ann', 'analyst', '00004');
    const res = await login('ann');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^canh_ut_[A-Za-z0-9_-]{43}$/);
    expect(body).toMatchObject({ name: 'login', user_id: an.id, expires_at: new Date(T0 + LOGIN_TOKEN_MS).toISOString(), user: { username: 'ann' } });
    expect((await call('GET', '/probe', body.token)).json()).toEqual({
      scope: { kind: 'localities', codes: ['00004'] }, principal: { kind: 'user', id: an.id, username: 'ann', role: 'analyst', via: 'token' }, actor: 'user:ann',
    });
    expect((await call('GET', '/probe')).json()).toEqual({ scope: { kind: 'all' }, principal: { kind: 'admin_token' }, actor: 'user:admin' });

    await createUser('chi', 'admin', '00');
    const chi = (await login('chi')).json().token;
    expect((await call('GET', '/probe', chi)).json().scope).toEqual({ kind: 'all' });
    expect((await call('GET', '/api/v1/users', chi)).statusCode).toBe(200);
  });

  it('expires login tokens after 12 hours', async () => {
    await createUser('ann', 'analyst', '00004');
    const token = (await login('ann')).json().token;
    clock.advance(LOGIN_TOKEN_MS - 1);
    expect((await call('GET', '/probe', token)).statusCode).toBe(200);
    clock.advance(1);
    expect((await call('GET', '/probe', token)).json()).toMatchObject({ statusCode: 401, code: 'CANH_AUTH_BAD_TOKEN' });
  });

  it('a central_reviewer may only read', async () => {
    await createUser('duong', 'central_reviewer', '00');
    const token = (await login('duong')).json().token;
    expect((await call('GET', '/probe', token)).statusCode).toBe(200);
    const post = await call('POST', '/probe', token, {});
    expect(post.json()).toMatchObject({ statusCode: 403, code: 'CANH_AUTH_READ_ONLY', message: expect.stringContaining('may only read') });
  });

  it('tokens: the admin or the user creates them, the secret is answered once, revocation is immediate', async () => {
    const an = await createUser('ann', 'analyst', '00004');
    const binh = await createUser('binh', 'analyst', '00004');
    const created = await call('POST', `/api/v1/users/${an.id}/tokens`, ADMIN, { name: 'siem', expires_in_days: 30 });
    expect(created.statusCode).toBe(201);
    const tok = created.json();
    expect(tok).toMatchObject({ name: 'siem', user_id: an.id, revoked_at: null, expires_at: new Date(T0 + 30 * 86_400_000).toISOString() });
    expect((await call('GET', '/probe', tok.token)).statusCode).toBe(200);

    const binhToken = (await login('binh')).json().token;
    expect((await call('POST', `/api/v1/users/${an.id}/tokens`, binhToken, {})).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/users/${binh.id}/tokens`, binhToken, {})).statusCode).toBe(201);
    const listed = (await call('GET', `/api/v1/users/${an.id}/tokens`)).json().tokens;
    expect(listed.map((t: { id: string }) => t.id)).toEqual([tok.id]);
    expect(JSON.stringify(listed)).not.toContain('canh_ut_');

    expect((await call('DELETE', `/api/v1/users/${binh.id}/tokens/${tok.id}`)).statusCode).toBe(404);
    const revoked = await call('DELETE', `/api/v1/users/${an.id}/tokens/${tok.id}`);
    expect(revoked.json().revoked_at).toBe(new Date(T0).toISOString());
    expect((await call('GET', '/probe', tok.token)).statusCode).toBe(401);
  });

  it('disabling a user refuses their tokens and logins at once', async () => {
    const an = await createUser('ann', 'analyst', '00004');
    const token = (await login('ann')).json().token;
    expect((await call('POST', `/api/v1/users/${an.id}/disable`)).json().disabled).toBe(true);
    expect((await call('GET', '/probe', token)).statusCode).toBe(401);
    expect((await login('ann')).json().code).toBe('CANH_AUTH_LOGIN_FAILED');
    expect((await call('POST', '/api/v1/users/usr_nobody/disable')).statusCode).toBe(404);
  });

  it('unknown tokens and users answer 401 alike; 5 failures lock the username (429) for 15 minutes', async () => {
    await createUser('ann', 'analyst', '00004');
    expect((await call('GET', '/probe', 'canh_ut_unknown')).statusCode).toBe(401);
    expect((await login('nobody')).json()).toMatchObject({ statusCode: 401, code: 'CANH_AUTH_LOGIN_FAILED' });
    for (let i = 0; i < 5; i++) expect((await login('ann', 'wrong password!')).statusCode).toBe(401);
    const locked = await login('ann');
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('900');
    expect(locked.json()).toMatchObject({ code: 'CANH_AUTH_LOCKED', error: 'Too Many Requests' });
    clock.advance(15 * 60_000);
    expect((await login('ann')).statusCode).toBe(200);
  });
});
