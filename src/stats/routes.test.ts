import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { errors } from '../errors';
import { baseApp } from '../http/build-app';
import { FakeClock } from '../lib/clock';
import { MemoryEventStore } from '../store/memory/event-store';
import { MemoryIncidentStore } from '../store/memory/incident-store';
import { ALL_SCOPE, localityScope, type Scope } from '../store/scope';
import { statsRoutes } from './routes';
import { StatsService } from './stats-service';
import { T0, fillEvents, fillIncidents, sourceList } from './test-data';

/** Tokens of the fake authentication: each sets a scope, as makeAdminAuth sets ALL_SCOPE. */
const SCOPES: Record<string, Scope> = { central: ALL_SCOPE, commune4: localityScope(['00004']), province02: localityScope(['02']) };

describe('statsRoutes', () => {
  let app: FastifyInstance;
  let stats: StatsService;

  beforeEach(async () => {
    const clock = new FakeClock(T0);
    const incidents = new MemoryIncidentStore();
    const events = new MemoryEventStore({ now: () => clock.now() });
    await fillIncidents(incidents);
    await fillEvents(events);
    stats = new StatsService({ incidents: incidents.stats(), events, sources: sourceList, clock });
    app = baseApp({ maxBodyBytes: 1024 * 1024 });
    const authenticate = async (request: FastifyRequest) => {
      const scope = SCOPES[request.headers.authorization?.replace(/^Bearer /, '') ?? ''];
      if (!scope) throw errors.missingCredentials('Authorization: Bearer <token>');
      request.scope = scope;
    };
    await app.register(statsRoutes, { prefix: '/api/v1', stats, authenticate });
    await app.ready();
  });
  afterEach(() => app.close());

  const get = (url: string, who = 'central', headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${who}`, ...headers } });

  it('describes its routes under the stats tag in the OpenAPI document', async () => {
    const doc = Fastify({ logger: false });
    doc.decorateRequest('scope', null as never);
    await doc.register(swagger, { openapi: { info: { title: 'Canh API', version: 'test' } } });
    await doc.register(statsRoutes, { prefix: '/api/v1', stats, authenticate: async () => undefined });
    await doc.ready();
    const paths = (doc.swagger() as { paths: Record<string, { get: { tags: string[] } }> }).paths;
    const names = ['incidents', 'backlog', 'response-times', 'sla', 'top-rules', 'sources', 'otp', 'availability'];
    expect(Object.keys(paths).sort()).toEqual(names.map((n) => `/api/v1/stats/${n}`).sort());
    expect(Object.values(paths).every((p) => p.get.tags.includes('stats'))).toBe(true);
    await doc.close();
  });

  it('refuses a caller the authentication refuses', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/stats/sla' })).statusCode).toBe(401);
  });

  it('gives central every locality and a commune only its own', async () => {
    const central = (await get('/stats/sla?from=now-1d')).json();
    expect(central.rows.map((r: { locality: string }) => r.locality)).toEqual(['00004', '00004', '00005', '01']);
    expect(central.total).toEqual({ incidents: 6, breaches: 2, rate: 2 / 6 });
    const commune = (await get('/stats/sla?from=now-1d', 'commune4')).json();
    expect(commune.rows.map((r: { locality: string }) => r.locality)).toEqual(['00004', '00004']);
    expect(commune.total).toEqual({ incidents: 4, breaches: 1, rate: 0.25 });

    const otp = (await get('/stats/otp?by=locality', 'commune4')).json();
    expect(otp.rows).toEqual([{ locality: '00004', service: null, attempts: 4, successes: 3, failures: 1, success_rate: 0.75 }]);
    const sources = (await get('/stats/sources', 'province02')).json();
    expect(sources.sources.map((s: { id: string }) => s.id)).toEqual(['src_2']);
    const availability = (await get('/stats/availability', 'commune4')).json();
    expect(availability.rows).toEqual([{ locality: '00004', monitor: 'portal-https', service: null, probes: 10, up: 9, down: 1, availability: 0.9 }]);
  });

  it('answers JSON with ISO times and snake_case keys', async () => {
    const res = await get('/stats/response-times?from=now-1d&by=severity');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.from).toBe('2026-11-22T02:00:00.000Z');
    expect(body.rows[1]).toEqual({ key: 'high', incidents: 3, mtta: { n: 3, mean: 180, p50: 180, p90: 276 }, mttr: { n: 3, mean: 1600, p50: 1200, p90: 2640 }, auto_resolved: 1 });
    const backlog = (await get('/stats/backlog?by=locality', 'commune4')).json();
    expect(backlog.rows).toEqual([{ locality: '00004', severity: null, open: 0, acknowledged: 1, total: 1, age: { lt_1h: 0, '1h_4h': 0, '4h_24h': 1, '1d_7d': 0, gte_7d: 0 } }]);
    const series = (await get('/stats/incidents?from=now-3d&interval=1d&by=category')).json();
    expect(series.buckets).toHaveLength(4);
    expect(series.series.map((s: { key: string; total: number }) => [s.key, s.total])).toEqual([['availability', 2], ['intrusion-attempts', 5]]);
    const rules = (await get('/stats/top-rules?from=now-3d&size=1')).json();
    expect(rules.rules).toEqual([{ rule_id: 'r-web', title: 'Title of inc_G', category: 'intrusion-attempts', severity: 'high', count: 3 }]);
  });

  it('exports CSV with ?format=csv: a header row, an attachment file name', async () => {
    const res = await get('/stats/sla?from=now-1d&format=csv', 'commune4');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="canh-stats-sla.csv"');
    expect(res.body).toBe('locality,severity,incidents,breaches,rate\r\n00004,medium,1,1,1\r\n00004,high,3,0,0\r\n');
  });

  it('exports CSV for Accept: text/csv, unless format=json asks otherwise', async () => {
    const csv = await get('/stats/otp', 'central', { accept: 'text/csv' });
    expect(csv.body.split('\r\n')).toEqual([
      'locality,service,attempts,successes,failures,success_rate', '00004,portal,4,3,1,0.75', '00005,tax,2,1,1,0.5', '',
    ]);
    const json = await get('/stats/otp?format=json', 'central', { accept: 'text/csv' });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
  });

  it('answers 400 naming the bad parameter', async () => {
    const cases: [string, string][] = [
      ['/stats/incidents?from=yesterday', 'from'], ['/stats/incidents?interval=5x', 'interval'], ['/stats/sources?window=soon', 'window'],
    ];
    for (const [url, param] of cases) {
      const res = await get(url);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toContain(param);
    }
    for (const url of ['/stats/incidents?by=rule', '/stats/top-rules?size=1000', '/stats/sla?colour=red', '/stats/otp?format=xlsx']) {
      const res = await get(url);
      expect(res.statusCode).toBe(400);
    }
    expect((await get('/stats/incidents?by=rule')).json().message).toContain('by');
  });
});
