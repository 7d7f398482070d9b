import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../errors';
import type { EventSearchService } from '../events/search-service';
import { baseApp } from '../http/build-app';
import { FakeClock } from '../lib/clock';
import type { SourceStats } from '../store/event-store';
import { MemoryDirectoryStore } from '../store/memory/directory-store';
import { ALL_SCOPE, localityScope, type Scope } from '../store/scope';
import { DirectoryService } from './directory-service';
import { directoryRoutes } from './routes';

const NOW = Date.UTC(2026, 10, 23, 8);
const SCOPES: Record<string, Scope> = { admin: ALL_SCOPE, hanoi: localityScope(['01']), hcm: localityScope(['79']), 'analyst-hanoi': localityScope(['01']) };

describe('source keys, configurations and status (routes)', () => {
  let app: FastifyInstance;
  let directory: DirectoryService;
  let stats: SourceStats;
  let sourceId: string;
  let firstKey: string;

  beforeEach(async () => {
    directory = new DirectoryService(new MemoryDirectoryStore(), new FakeClock(NOW));
    await directory.createLocality({ code: '01', name: 'Hà Nội', level: 'province' });
    await directory.createLocality({ code: '79', name: 'TP Hồ Chí Minh', level: 'province' });
    stats = { received: 0, stored: 0, deadLettered: 0, lastEventAt: null, lastBatchAt: null };
    const search = {
      sourceStats: async (id: string, scope: Scope) => {
        await directory.getSource(id, scope);
        return stats;
      },
    } as unknown as EventSearchService;
    app = baseApp({ maxBodyBytes: 1024 * 1024 });
    const authenticate = async (request: FastifyRequest) => {
      const scope = SCOPES[request.headers.authorization?.replace(/^Bearer /, '') ?? ''];
      if (!scope) throw errors.missingCredentials('Authorization: Bearer <token>');
      request.scope = scope;
      // The admin token, or a locality admin of the scope's locality (who may manage its sources and contacts).
      request.principal = scope.kind === 'all' ? { kind: 'admin_token' } : { kind: 'user', id: 'usr_test', username: 'locality-admin', role: 'locality_admin' };
      if (request.headers.authorization === 'Bearer analyst-hanoi') request.principal = { kind: 'user', id: 'usr_an', username: 'analyst', role: 'analyst' };
    };
    await app.register(directoryRoutes, { prefix: '/api/v1', directory, search, authenticate });
    await app.ready();
    const res = await call('POST', '/api/v1/sources', 'hanoi', { name: 'Cổng DVC', locality: '01', kind: 'access', format: 'nginx_combined' });
    expect(res.statusCode).toBe(201);
    sourceId = res.json().id;
    firstKey = res.json().api_key;
  });
  afterEach(() => app.close());

  function call(method: 'GET' | 'POST', url: string, who = 'admin', payload?: object) {
    return app.inject({ method, url, headers: { authorization: `Bearer ${who}`, host: 'canh.example.gov.vn:8080' }, ...(payload ? { payload } : {}) });
  }

  it('lets analysts read sources but not create, rotate or revoke them, and only admins create localities', async () => {
    expect((await call('GET', `/api/v1/sources/${sourceId}`, 'analyst-hanoi')).statusCode).toBe(200);
    for (const [url, body] of [['/api/v1/sources', { name: 'x', locality: '01', kind: 'access', format: 'json' }], [`/api/v1/sources/${sourceId}/rotate-key`, {}], [`/api/v1/sources/${sourceId}/revoke`, {}]] as const) {
      const res = await call('POST', url, 'analyst-hanoi', body);
      expect([url, res.statusCode, res.json().code]).toEqual([url, 403, 'CANH_AUTH_FORBIDDEN']);
    }
    const locality = await call('POST', '/api/v1/localities', 'hanoi', { code: '01999', name: 'Xã Mới', level: 'commune', parent_code: '01' });
    expect([locality.statusCode, locality.json().code]).toEqual([403, 'CANH_AUTH_ADMIN_ONLY']);
    // The old key still works: nothing was rotated or revoked.
    expect((await call('GET', `/api/v1/sources/${sourceId}`, 'hanoi')).json().revoked).toBe(false);
  });

  it('answers the key once at creation with configurations filled with the URL and the key', async () => {
    const res = await call('POST', '/api/v1/sources', 'admin', { name: 'OTP', locality: '79', kind: 'otp', format: 'json' });
    const body = res.json();
    expect(body).toMatchObject({ revoked: false, enabled: true, key_prefix: body.api_key.slice(0, 12) });
    expect(Object.keys(body.configs).sort()).toEqual(['curl', 'filebeat', 'fluent_bit', 'rsyslog', 'vector']);
    for (const text of Object.values(body.configs) as string[]) {
      expect(text).toContain(body.api_key);
      expect(text).toContain('canh.example.gov.vn');
    }
    expect(body.configs.curl).toContain('http://canh.example.gov.vn:8080/api/v1/ingest');
    const again = (await call('GET', `/api/v1/sources/${body.id}`)).json();
    expect(JSON.stringify(again)).not.toContain(body.api_key);
  });

  it('rotates the key: the new key authenticates, the old one is refused at once', async () => {
    const res = await call('POST', `/api/v1/sources/${sourceId}/rotate-key`, 'hanoi');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id: sourceId, key_prefix: body.api_key.slice(0, 12), revoked: false });
    expect(body.api_key).not.toBe(firstKey);
    expect(body.configs.vector).toContain(body.api_key);
    await expect(directory.authenticateKey(firstKey)).rejects.toMatchObject({ code: 'CANH_AUTH_UNKNOWN_KEY' });
    await expect(directory.authenticateKey(body.api_key)).resolves.toMatchObject({ id: sourceId });
    expect((await call('GET', `/api/v1/sources/${sourceId}`)).json().key_prefix).toBe(body.api_key.slice(0, 12));
  });

  it('revokes the key (idempotent); rotate-key gives the revoked source a working key again', async () => {
    const res = await call('POST', `/api/v1/sources/${sourceId}/revoke`, 'hanoi');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: sourceId, revoked: true });
    expect(res.json()).not.toHaveProperty('api_key');
    await expect(directory.authenticateKey(firstKey)).rejects.toMatchObject({ code: 'CANH_AUTH_UNKNOWN_KEY' });
    expect((await call('POST', `/api/v1/sources/${sourceId}/revoke`)).json()).toMatchObject({ revoked: true });
    expect((await call('GET', '/api/v1/sources')).json().sources[0]).toMatchObject({ id: sourceId, revoked: true });
    const rotated = (await call('POST', `/api/v1/sources/${sourceId}/rotate-key`)).json();
    expect(rotated).toMatchObject({ revoked: false });
    await expect(directory.authenticateKey(rotated.api_key)).resolves.toMatchObject({ id: sourceId });
    await expect(directory.authenticateKey(firstKey)).rejects.toMatchObject({ code: 'CANH_AUTH_UNKNOWN_KEY' });
  });

  it('answers 404 out of scope for rotate-key, revoke, status and configurations, and changes nothing', async () => {
    for (const [method, path] of [['POST', 'rotate-key'], ['POST', 'revoke'], ['GET', 'shipper-configs'], ['GET', '']] as const) {
      const res = await call(method, `/api/v1/sources/${sourceId}${path ? `/${path}` : ''}`, 'hcm');
      expect({ path, status: res.statusCode, code: res.json().code }).toEqual({ path, status: 404, code: 'CANH_NOT_FOUND' });
    }
    expect((await call('POST', '/api/v1/sources/src_nope/rotate-key')).statusCode).toBe(404);
    await expect(directory.authenticateKey(firstKey)).resolves.toMatchObject({ id: sourceId });
  });

  it('gives configurations with a <YOUR_KEY> placeholder, never a key', async () => {
    const res = await call('GET', `/api/v1/sources/${sourceId}/shipper-configs`, 'hanoi');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ source_id: sourceId, url: 'http://canh.example.gov.vn:8080' });
    for (const text of Object.values(body.configs) as string[]) expect(text).toContain('<YOUR_KEY>');
    expect(res.body).not.toContain(firstKey);
  });

  it('reports the status: waiting, then receiving with events, parse rate and last event time, then silent', async () => {
    expect((await call('GET', `/api/v1/sources/${sourceId}`)).json()).toMatchObject({ id: sourceId, status: 'waiting', events: 0, parse_rate: null, last_event_at: null });
    stats = { received: 4, stored: 3, deadLettered: 1, lastEventAt: NOW - 60_000, lastBatchAt: NOW - 1000 };
    expect((await call('GET', `/api/v1/sources/${sourceId}`)).json()).toMatchObject({
      status: 'receiving', events: 3, parse_rate: 0.75, last_event_at: new Date(NOW - 60_000).toISOString(),
    });
    stats = { ...stats, lastBatchAt: NOW - 16 * 60_000 };
    expect((await call('GET', `/api/v1/sources/${sourceId}`)).json()).toMatchObject({ status: 'silent', events: 3 });
  });
});
