import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../errors';
import { baseApp } from '../http/build-app';
import { FakeClock } from '../lib/clock';
import { MemoryDirectoryStore } from '../store/memory/directory-store';
import { MemoryMonitorStore } from '../store/memory/monitor-store';
import { ALL_SCOPE, localityScope, type Scope } from '../store/scope';
import type { UserRole } from '../users/types';
import { loadMonitorText } from './load-monitors';
import { MonitorService } from './monitor-service';
import { monitorRoutes } from './routes';

/** Fake authentication: each token sets a scope and a role, as makeAdminAuth does. */
const WHO: Record<string, { scope: Scope; role: UserRole }> = {
  admin: { scope: ALL_SCOPE, role: 'admin' },
  commune: { scope: localityScope(['26734']), role: 'locality_admin' },
  other: { scope: localityScope(['00004']), role: 'locality_admin' },
  analyst: { scope: localityScope(['79']), role: 'analyst' },
};
const YAML = '- { id: portal, name: Portal, locality: "26734", type: http, url: "https://dvc.example.vn/" }';
const body = (over: object = {}) => ({ id: 'mail', name: 'Mail', locality: '26734', type: 'tcp', host: 'mail.example.vn', port: 25, ...over });

describe('monitorRoutes', () => {
  let app: FastifyInstance;
  let changes = 0;

  beforeEach(async () => {
    const directory = new MemoryDirectoryStore();
    await directory.createLocality({ code: '79', name: 'HCM', level: 'province', parentCode: null, provinceCode: '79', createdAt: 0 });
    await directory.createLocality({ code: '26734', name: 'Bến Nghé', level: 'commune', parentCode: '79', provinceCode: '79', createdAt: 0 });
    await directory.createLocality({ code: '00004', name: 'Ba Đình', level: 'commune', parentCode: '01', provinceCode: '01', createdAt: 0 });
    const service = new MonitorService(new MemoryMonitorStore(), async () => loadMonitorText(YAML, 'rules/monitors/a.yaml').monitors, directory, new FakeClock(), () => changes++);
    app = baseApp({ maxBodyBytes: 1024 * 1024 });
    const authenticate = async (request: FastifyRequest) => {
      const who = WHO[request.headers.authorization?.replace(/^Bearer /, '') ?? ''];
      if (!who) throw errors.missingCredentials('Authorization: Bearer <token>');
      request.scope = who.scope;
      request.principal = { kind: 'user', id: 'u', username: 'u', role: who.role };
    };
    await app.register(monitorRoutes, { prefix: '/api/v1', monitors: service, authenticate });
    await app.ready();
  });
  afterEach(() => app.close());

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: string, payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${who}` }, ...(payload ? { payload } : {}) });

  it('a commune admin manages monitors of their locality; YAML monitors are read-only', async () => {
    const created = await call('POST', '/monitors', 'commune', body());
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'mail', type: 'tcp', port: 25, interval: '1m', timeout: '10s', origin: 'api', read_only: false });
    expect((await call('GET', '/monitors', 'commune')).json().monitors.map((m: any) => m.id)).toEqual(['mail', 'portal']);
    expect((await call('PUT', '/monitors/mail', 'commune', body({ port: 587 }))).json()).toMatchObject({ port: 587 });
    expect((await call('PUT', '/monitors/portal', 'commune', body({ id: 'portal' }))).statusCode).toBe(409);
    expect((await call('DELETE', '/monitors/portal', 'commune')).statusCode).toBe(409);
    expect((await call('DELETE', '/monitors/mail', 'commune')).statusCode).toBe(204);
    expect(changes).toBe(3);
  });

  it('out of scope is 404; another locality cannot be targeted; analysts read only', async () => {
    expect((await call('POST', '/monitors', 'admin', body())).statusCode).toBe(201);
    expect((await call('GET', '/monitors', 'other')).json().monitors).toEqual([]);
    expect((await call('GET', '/monitors/portal', 'other')).statusCode).toBe(404);
    expect((await call('PUT', '/monitors/mail', 'other', body())).statusCode).toBe(404);
    expect((await call('DELETE', '/monitors/mail', 'other')).statusCode).toBe(404);
    expect((await call('POST', '/monitors', 'other', body({ id: 'x' }))).statusCode).toBe(404);
    expect((await call('GET', '/monitors/mail', 'analyst')).json()).toMatchObject({ id: 'mail', locality: '26734' });
    expect((await call('POST', '/monitors', 'analyst', body({ id: 'y' }))).statusCode).toBe(403);
  });

  it('refuses a bad body naming the fields, and an id already used by a file', async () => {
    const bad = await call('POST', '/monitors', 'admin', body({ port: 0, interval: 'often' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/interval: expected a duration.*port: must be at least 1, got 0/);
    const dup = await call('POST', '/monitors', 'admin', body({ id: 'portal' }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json().message).toBe('Monitor id portal is already used by rules/monitors/a.yaml:1');
  });
});
