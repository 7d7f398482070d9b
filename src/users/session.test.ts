import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { CSRF_HEADER, csrfTokenOf, makeAdminAuth, SESSION_COOKIE } from '../http/admin-auth';
import { baseApp } from '../http/build-app';
import { FakeClock } from '../lib/clock';
import { MemoryDirectoryStore } from '../store/memory/directory-store';
import { MemoryUserStore } from '../store/memory/user-store';
import { LoginThrottle } from './login-throttle';
import { userRoutes } from './routes';
import { LOGIN_TOKEN_MS, UserService } from './user-service';

const ADMIN = 'bootstrap-admin-token-0123456789';
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);
const PASSWORD = 'mot-hai-ba-bon-nam';

/** The cookie a Set-Cookie header sets, as a browser would send it back. */
function cookieOf(res: LightMyRequestResponse): { header: string; attrs: string[]; value: string } {
  const set = res.headers['set-cookie'];
  const line = Array.isArray(set) ? set[0] : String(set);
  const [pair, ...attrs] = line.split('; ');
  return { header: pair, attrs, value: pair.slice(pair.indexOf('=') + 1) };
}

describe('console sessions: cookie, CSRF, /users/me', () => {
  let app: FastifyInstance;
  let clock: FakeClock;

  async function build(secureCookies = false): Promise<void> {
    clock = new FakeClock(T0);
    const directory = new MemoryDirectoryStore();
    await directory.createLocality({ code: '00', name: 'central', level: 'central', parentCode: null, provinceCode: null, createdAt: T0 });
    await directory.createLocality({ code: '01', name: 'Hà Nội', level: 'province', parentCode: '00', provinceCode: '01', createdAt: T0 });
    await directory.createLocality({ code: '00004', name: 'Ba Đình', level: 'commune', parentCode: '01', provinceCode: '01', createdAt: T0 });
    const users = new UserService(new MemoryUserStore(), directory, clock, new LoginThrottle());
    const authenticate = makeAdminAuth(ADMIN, users);
    app = baseApp({ maxBodyBytes: 1024 * 1024 });
    await app.register(userRoutes, { prefix: '/api/v1', users, authenticate, secureCookies });
    app.post('/api/v1/probe', { preHandler: authenticate }, async (req) => ({ principal: req.principal, scope: req.scope }));
    await app.ready();
    for (const [username, role, locality] of [['ann', 'analyst', '00004'], ['rev', 'central_reviewer', '00']]) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${ADMIN}` }, payload: { username, password: PASSWORD, role, locality } });
      if (res.statusCode !== 201) throw new Error(res.body);
    }
  }
  afterEach(() => app.close());

  const signIn = (username = 'ann', password = PASSWORD) => app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password } });

  it('sign-in sets an HttpOnly, SameSite=Strict cookie for 12 hours and answers the CSRF token; the cookie authenticates reads', async () => {
    await build();
    const res = await signIn();
    expect(res.statusCode).toBe(200);
    const cookie = cookieOf(res);
    expect(cookie.header.startsWith(`${SESSION_COOKIE}=canh_ut_`)).toBe(true);
    expect(cookie.attrs).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${LOGIN_TOKEN_MS / 1000}`]));
    expect(cookie.attrs).not.toContain('Secure');
    const body = res.json();
    expect(body).toMatchObject({ user: { username: 'ann', role: 'analyst' }, expires_at: new Date(T0 + LOGIN_TOKEN_MS).toISOString(), csrf_token: csrfTokenOf(cookie.value) });
    expect(JSON.stringify(body)).not.toContain(cookie.value);

    const session = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `other=1; ${cookie.header}` } });
    expect(session.json()).toMatchObject({ user: { username: 'ann' }, csrf_token: body.csrf_token });
    const me = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { cookie: cookie.header } });
    expect(me.json()).toMatchObject({ username: 'ann', locality: '00004' });
  });

  it('a change with the cookie needs the CSRF header, and a foreign Origin is refused even with it', async () => {
    await build();
    const res = await signIn();
    const { header } = cookieOf(res);
    const csrf = res.json().csrf_token as string;
    const post = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/api/v1/probe', headers: { cookie: header, ...headers }, payload: {} });

    const missing = await post({});
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ code: 'CANH_AUTH_CSRF', message: expect.stringContaining('X-CSRF-Token') });
    expect((await post({ [CSRF_HEADER]: csrf.slice(0, -2) + 'xx' })).json().code).toBe('CANH_AUTH_CSRF');
    expect((await post({ [CSRF_HEADER]: csrf, origin: 'https://evil.example' })).json()).toMatchObject({ statusCode: 403, message: expect.stringContaining('evil.example') });

    const ok = await post({ [CSRF_HEADER]: csrf, origin: 'http://localhost:80' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ principal: { kind: 'user', username: 'ann', via: 'session' }, scope: { kind: 'localities', codes: ['00004'] } });
    // A bearer token never needs CSRF: it is not sent by the browser on its own.
    const token = (await app.inject({ method: 'POST', url: '/api/v1/users/me/tokens', headers: { cookie: header, [CSRF_HEADER]: csrf }, payload: { name: 'siem' } })).json().token;
    expect((await app.inject({ method: 'POST', url: '/api/v1/probe', headers: { authorization: `Bearer ${token}` }, payload: {} })).statusCode).toBe(200);
  });

  it('a central_reviewer session reads but changes nothing, even with the CSRF token', async () => {
    await build();
    const res = await signIn('rev');
    const { header } = cookieOf(res);
    expect((await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { cookie: header } })).statusCode).toBe(200);
    const change = await app.inject({ method: 'POST', url: '/api/v1/probe', headers: { cookie: header, [CSRF_HEADER]: res.json().csrf_token }, payload: {} });
    expect(change.json()).toMatchObject({ statusCode: 403, code: 'CANH_AUTH_READ_ONLY' });
  });

  it('sign-out revokes the session token and clears the cookie; an expired session is refused', async () => {
    await build();
    const res = await signIn();
    const { header } = cookieOf(res);
    const out = await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: header, [CSRF_HEADER]: res.json().csrf_token } });
    expect(out.statusCode).toBe(204);
    expect(cookieOf(out)).toMatchObject({ value: '', attrs: expect.arrayContaining(['Max-Age=0', 'HttpOnly']) });
    const after = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { cookie: header } });
    expect(after.json()).toMatchObject({ statusCode: 401, code: 'CANH_AUTH_BAD_TOKEN' });

    const again = cookieOf(await signIn());
    clock.advance(LOGIN_TOKEN_MS);
    expect((await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: again.header } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/session' })).json().code).toBe('CANH_AUTH_MISSING');
  });

  it('marks the cookie Secure behind TLS; failed sign-ins count towards the same lockout as /login', async () => {
    await build(true);
    expect(cookieOf(await signIn()).attrs).toContain('Secure');
    for (let i = 0; i < 5; i++) expect((await signIn('ann', 'wrong password!')).json().code).toBe('CANH_AUTH_LOGIN_FAILED');
    const locked = await signIn();
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('900');
    expect(locked.headers['set-cookie']).toBeUndefined();
  });

  it('/users/me/tokens: a user creates, lists and revokes their own tokens; the admin token is not a user', async () => {
    await build();
    const login = (await app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: 'ann', password: PASSWORD } })).json().token as string;
    const auth = { authorization: `Bearer ${login}` };
    const created = await app.inject({ method: 'POST', url: '/api/v1/users/me/tokens', headers: auth, payload: { name: 'siem', expires_in_days: 30 } });
    expect(created.statusCode).toBe(201);
    const tok = created.json();
    expect(tok).toMatchObject({ name: 'siem', token: expect.stringMatching(/^canh_ut_/) });
    const list = (await app.inject({ method: 'GET', url: '/api/v1/users/me/tokens', headers: auth })).json().tokens;
    expect(list.map((t: { name: string }) => t.name).sort()).toEqual(['login', 'siem']);
    expect(JSON.stringify(list)).not.toContain(tok.token);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/users/me/tokens/${tok.id}`, headers: auth })).json().revoked_at).not.toBeNull();
    expect((await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { authorization: `Bearer ${tok.token}` } })).statusCode).toBe(401);
    // Another user's token id is not found among mine.
    const adminList = await app.inject({ method: 'GET', url: '/api/v1/users/me/tokens', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(adminList.json()).toMatchObject({ statusCode: 400, code: 'CANH_AUTH_NOT_A_USER' });
  });
});
