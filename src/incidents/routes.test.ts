import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { errors } from '../errors';
import { baseApp } from '../http/build-app';
import { FakeClock } from '../lib/clock';
import type { Hit } from '../rules/rule';
import { MemoryIncidentStore } from '../store/memory/incident-store';
import { ALL_SCOPE, localityScope, type Scope } from '../store/scope';
import { RESOLUTIONS } from './incident';
import { IncidentService, type RuleInfo } from './incident-service';
import { incidentRoutes } from './routes';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);

/** Tokens of the fake authentication: each sets a scope, as makeAdminAuth sets ALL_SCOPE. */
const SCOPES: Record<string, Scope> = { admin: ALL_SCOPE, commune4: localityScope(['00004']), province01: localityScope(['01']) };
const auth = (who: keyof typeof SCOPES) => ({ authorization: `Bearer ${who}` });

describe('incidentRoutes', () => {
  let clock: FakeClock;
  let service: IncidentService;
  let app: FastifyInstance;
  let hitSeq = 0;

  const rules: Record<string, RuleInfo> = {
    'web-bruteforce': { title: 'Brute force on the portal', severity: 'medium', category: 'intrusion-attempts' },
    'otp-flood': { title: 'OTP flood', severity: 'high', category: 'fraud' },
  };
  const hit = (over: Partial<Hit> = {}): Hit => ({
    ruleId: 'web-bruteforce', ruleVersion: 'v1', group: { 'source.ip': '203.0.113.7' }, locality: '00004',
    window: { from: clock.now() - 5 * MIN, to: clock.now() }, observed: 42, condition: 'count >= 20',
    sampleEventIds: ['e1', 'e2'], evidenceQuery: 'source.ip:"203.0.113.7"', ...over,
  });
  const raise = async (over: Partial<Hit> = {}) => {
    const r = await service.applyHit(hit(over), `hit-${++hitSeq}`);
    if (r.outcome === 'duplicate_hit') throw new Error('duplicate');
    return r.incident;
  };

  beforeEach(async () => {
    clock = new FakeClock(T0);
    service = new IncidentService(new MemoryIncidentStore(), clock, {
      ruleLookup: (id) => rules[id],
      localityLookup: (code) => ({ '00004': { code, province: '01' }, '00005': { code, province: '02' }, '01': { code, province: '01' }, VN: { code, province: null } })[code],
      centralCode: 'VN',
    });
    app = baseApp({ maxBodyBytes: 1024 * 1024 });
    const authenticate = async (request: FastifyRequest) => {
      const scope = SCOPES[request.headers.authorization?.replace(/^Bearer /, '') ?? ''];
      if (!scope) throw errors.missingCredentials('Authorization: Bearer <token>');
      request.scope = scope;
    };
    await app.register(incidentRoutes, { prefix: '/api/v1', incidents: service, authenticate, clock });
    await app.ready();
  });
  afterEach(() => app.close());

  const get = (url: string, who: keyof typeof SCOPES = 'admin') => app.inject({ method: 'GET', url: `/api/v1${url}`, headers: auth(who) });
  const post = (url: string, payload: object, who: keyof typeof SCOPES = 'admin') =>
    app.inject({ method: 'POST', url: `/api/v1${url}`, headers: auth(who), payload });

  it('describes its routes in the OpenAPI document', async () => {
    const doc = Fastify({ logger: false });
    doc.decorateRequest('scope', null as never);
    await doc.register(swagger, { openapi: { info: { title: 'Canh API', version: 'test' } } });
    await doc.register(incidentRoutes, { prefix: '/api/v1', incidents: service, authenticate: async () => undefined });
    await doc.ready();
    const paths = (doc.swagger() as { paths: Record<string, unknown> }).paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/v1/incidents', '/api/v1/incidents/{id}', '/api/v1/incidents/{id}/resolve']));
    await doc.close();
  });

  it('refuses a request the authentication refuses', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/incidents' });
    expect(res.statusCode).toBe(401);
  });

  describe('GET /incidents', () => {
    it('answers incidents as snake_case JSON with ISO times', async () => {
      const inc = await raise();
      const res = await get('/incidents');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        incidents: [{
          id: inc.id, rule_id: 'web-bruteforce', rule_version: 'v1', title: 'Brute force on the portal', severity: 'medium',
          category: 'intrusion-attempts', status: 'open', resolution: null, assignee: null, locality: '00004', province: '01',
          escalation_level: 0, count: 1, first_seen: '2026-11-23T02:00:00.000Z', last_seen: '2026-11-23T02:00:00.000Z', ack_due: null,
          group: { 'source.ip': '203.0.113.7' }, evidence: { query: 'source.ip:"203.0.113.7"', sample_event_ids: ['e1', 'e2'] },
          parent_id: null, resolved_at: null, version: 1,
        }],
        next_cursor: null,
      });
    });

    it('filters by status, severity, rule, category, locality and last_seen range', async () => {
      const a = await raise();
      clock.advance(10 * MIN);
      const b = await raise({ ruleId: 'otp-flood', group: {} });
      clock.advance(10 * MIN);
      const c = await raise({ locality: '00005' });
      await service.acknowledge(b.id, 1, 'user:x', ALL_SCOPE);
      const ids = async (query: string) => {
        const res = await get(`/incidents?${query}`);
        expect(res.statusCode).toBe(200);
        return (res.json().incidents as { id: string }[]).map((i) => i.id);
      };
      expect(await ids('')).toEqual([c.id, b.id, a.id]);
      expect(await ids('status=open')).toEqual([c.id, a.id]);
      expect(await ids('status=acknowledged,resolved')).toEqual([b.id]);
      expect(await ids('severity=high')).toEqual([b.id]);
      expect(await ids('severity=low,medium')).toEqual([c.id, a.id]);
      expect(await ids('rule=otp-flood')).toEqual([b.id]);
      expect(await ids('category=intrusion-attempts')).toEqual([c.id, a.id]);
      expect(await ids('locality=01')).toEqual([b.id, a.id]);
      expect(await ids('locality=00005')).toEqual([c.id]);
      expect(await ids(`from=${encodeURIComponent('2026-11-23T09:10:00+07:00')}`)).toEqual([c.id, b.id]);
      expect(await ids('from=2026-11-23T02:05:00Z&to=2026-11-23T02:20:00Z')).toEqual([b.id]);
      expect(await ids('sort=first_seen&direction=asc')).toEqual([a.id, b.id, c.id]);
      expect(await ids(`parent=${a.id}`)).toEqual([]); // nothing is rolled up into a (contract suite: the filter itself)
      expect(await ids('sort=severity&direction=desc&status=open,acknowledged')).toEqual([b.id, ...[c.id, a.id].sort().reverse()]);
    });

    it('pages with next_cursor', async () => {
      const made = [];
      for (let n = 0; n < 5; n++) {
        made.push(await raise({ group: { 'source.ip': `203.0.113.${n}` } }));
        clock.advance(MIN);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(`/incidents?size=2&sort=last_seen&direction=asc${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.statusCode).toBe(200);
        const body = res.json() as { incidents: { id: string }[]; next_cursor: string | null };
        expect(body.incidents.length).toBeLessThanOrEqual(2);
        seen.push(...body.incidents.map((i) => i.id));
        cursor = body.next_cursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(seen).toEqual(made.map((i) => i.id));
      expect(pages).toBe(3);
    });

    it('refuses unknown status, severity, sort and direction values, listing the allowed ones', async () => {
      for (const [query, field, listed] of [
        ['status=open,closed', 'status', 'open, acknowledged, resolved'],
        ['severity=urgent', 'severity', 'low, medium, high, critical'],
        ['sort=title', 'sort', 'last_seen, first_seen, severity, count'],
        ['direction=up', 'direction', 'asc, desc'],
      ]) {
        const res = await get(`/incidents?${query}`);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ code: 'CANH_REQUEST_INVALID', details: { field } });
        expect(res.json().message).toContain(listed);
      }
    });

    it('refuses a bad time naming the field, a bad size, a bad cursor and unknown parameters', async () => {
      for (const field of ['from', 'to']) {
        const res = await get(`/incidents?${field}=yesterday`);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ code: 'CANH_REQUEST_INVALID', details: { field } });
        expect(res.json().message).toMatch(new RegExp(`^${field}: `));
      }
      expect((await get('/incidents?size=0')).statusCode).toBe(400);
      expect((await get('/incidents?size=501')).statusCode).toBe(400);
      expect((await get('/incidents?size=500')).statusCode).toBe(200);
      expect((await get('/incidents?cursor=nonsense')).json()).toMatchObject({ statusCode: 400, details: { field: 'cursor' } });
      expect((await get('/incidents?colour=red')).statusCode).toBe(400);
    });

    it('lists only incidents in the caller scope', async () => {
      const mine = await raise();
      await raise({ locality: '00005' });
      await raise({ locality: null });
      const ids = (res: { json(): { incidents: { id: string }[] } }) => res.json().incidents.map((i) => i.id);
      expect(ids(await get('/incidents', 'commune4'))).toEqual([mine.id]);
      expect(ids(await get('/incidents', 'province01'))).toEqual([mine.id]);
      expect(ids(await get('/incidents', 'admin'))).toHaveLength(3);
    });
  });

  describe('GET /incidents/:id', () => {
    it('answers the incident with its timeline', async () => {
      const inc = await raise();
      clock.advance(5 * MIN);
      await raise();
      const res = await get(`/incidents/${inc.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: inc.id, count: 2, version: 2, last_seen: '2026-11-23T02:05:00.000Z' });
      expect(res.json().timeline).toEqual([
        { seq: 1, at: '2026-11-23T02:00:00.000Z', actor: 'rule:web-bruteforce', action: 'created', from: null, to: { count: 1, last_seen: '2026-11-23T02:00:00.000Z', observed: 42 }, note: 'count >= 20' },
        {
          seq: 2, at: '2026-11-23T02:05:00.000Z', actor: 'rule:web-bruteforce', action: 'hit_added', from: { count: 1, severity: 'medium' },
          to: { count: 2, last_seen: '2026-11-23T02:05:00.000Z', observed: 42 }, note: 'count >= 20',
        },
      ]);
    });

    it('answers 404 for an unknown id and for an incident outside the scope', async () => {
      const other = await raise({ locality: '00005' });
      expect((await get('/incidents/inc_000000000000')).json()).toMatchObject({ statusCode: 404, code: 'CANH_NOT_FOUND' });
      expect((await get(`/incidents/${other.id}`, 'commune4')).json()).toMatchObject({ statusCode: 404, code: 'CANH_NOT_FOUND' });
      expect((await get(`/incidents/${other.id}`, 'admin')).statusCode).toBe(200);
    });
  });

  describe('actions', () => {
    it('acknowledges, then refuses a stale version with 409 CANH_CONFLICT', async () => {
      const inc = await raise();
      const res = await post(`/incidents/${inc.id}/ack`, { version: 1 });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: inc.id, status: 'acknowledged', version: 2 });
      const stale = await post(`/incidents/${inc.id}/ack`, { version: 1 });
      expect(stale.statusCode).toBe(409);
      expect(stale.json()).toMatchObject({ code: 'CANH_CONFLICT', details: { id: inc.id, expected: 1, actual: 2 } });
      const timeline = (await get(`/incidents/${inc.id}`)).json().timeline;
      expect(timeline[1]).toMatchObject({ seq: 2, actor: 'user:admin', action: 'acknowledged', from: 'open', to: 'acknowledged' });
    });

    it('requires an integer version of at least 1', async () => {
      const inc = await raise();
      for (const body of [{}, { version: 0 }, { version: 1.5 }, { version: 'one' }]) {
        const res = await post(`/incidents/${inc.id}/ack`, body);
        expect(res.statusCode).toBe(400);
        expect(res.json().code).toBe('CANH_REQUEST_INVALID');
      }
    });

    it('records actions of a non-admin scope as api, and hides other communes incidents from them (404)', async () => {
      const inc = await raise();
      const other = await raise({ locality: '00005' });
      expect((await post(`/incidents/${inc.id}/ack`, { version: 1 }, 'commune4')).statusCode).toBe(200);
      expect((await get(`/incidents/${inc.id}`)).json().timeline[1]).toMatchObject({ action: 'acknowledged', actor: 'api' });
      const res = await post(`/incidents/${other.id}/ack`, { version: 1 }, 'commune4');
      expect(res.statusCode).toBe(404);
      expect((await get(`/incidents/${other.id}`)).json()).toMatchObject({ status: 'open', version: 1 });
    });

    it('assigns and clears the assignee', async () => {
      const inc = await raise();
      expect((await post(`/incidents/${inc.id}/assign`, { version: 1, assignee: 'lan' })).json()).toMatchObject({ assignee: 'lan', version: 2 });
      expect((await post(`/incidents/${inc.id}/assign`, { version: 2, assignee: null })).json()).toMatchObject({ assignee: null, version: 3 });
      expect((await post(`/incidents/${inc.id}/assign`, { version: 3, assignee: '  ' })).json()).toMatchObject({ statusCode: 400, details: { field: 'assignee' } });
      expect((await post(`/incidents/${inc.id}/assign`, { version: 3 })).statusCode).toBe(400);
    });

    it('comments without a version and answers the unchanged incident', async () => {
      const inc = await raise();
      const res = await post(`/incidents/${inc.id}/comment`, { text: 'Blocked at the firewall' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: inc.id, version: 1 });
      expect((await get(`/incidents/${inc.id}`)).json().timeline[1]).toMatchObject({ action: 'commented', actor: 'user:admin', note: 'Blocked at the firewall' });
      expect((await post(`/incidents/${inc.id}/comment`, { text: '' })).json()).toMatchObject({ statusCode: 400, details: { field: 'text' } });
    });

    it('resolves with a resolution and a note; refuses a missing or unknown resolution', async () => {
      const inc = await raise();
      const missing = await post(`/incidents/${inc.id}/resolve`, { version: 1 });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().message).toContain('resolution');
      const unknown = await post(`/incidents/${inc.id}/resolve`, { version: 1, resolution: 'fixed' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json()).toMatchObject({ code: 'CANH_REQUEST_INVALID', details: { field: 'resolution', allowed: [...RESOLUTIONS] } });
      expect(unknown.json().message).toContain(RESOLUTIONS.join(', '));

      clock.advance(MIN);
      const res = await post(`/incidents/${inc.id}/resolve`, { version: 1, resolution: 'false_positive', note: 'Pen test' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'resolved', resolution: 'false_positive', resolved_at: '2026-11-23T02:01:00.000Z', version: 2 });
      expect((await get(`/incidents/${inc.id}`)).json().timeline[1]).toMatchObject({
        action: 'resolved', from: { status: 'open' }, to: { status: 'resolved', resolution: 'false_positive' }, note: 'Pen test',
      });
      // Resolved: acting on it again is a conflict.
      expect((await post(`/incidents/${inc.id}/resolve`, { version: 2, resolution: 'benign' })).statusCode).toBe(409);
      expect((await get('/incidents?status=resolved')).json().incidents.map((i: { id: string }) => i.id)).toEqual([inc.id]);
    });

    it('reopens a resolved incident, refusing an open one', async () => {
      const inc = await raise();
      expect((await post(`/incidents/${inc.id}/reopen`, { version: 1 })).json()).toMatchObject({ statusCode: 409, code: 'CANH_CONFLICT' });
      await post(`/incidents/${inc.id}/resolve`, { version: 1, resolution: 'benign' });
      const res = await post(`/incidents/${inc.id}/reopen`, { version: 2, note: 'It came back' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'open', resolution: null, resolved_at: null, escalation_level: 0, version: 3 });
      expect((await get(`/incidents/${inc.id}`)).json().timeline[2]).toMatchObject({ action: 'reopened', note: 'It came back', to: { status: 'open' } });
    });

    it('escalates one level up or to a given level, refusing a level not above the current one', async () => {
      const inc = await raise();
      expect((await post(`/incidents/${inc.id}/escalate`, { version: 1 })).json()).toMatchObject({ escalation_level: 1, version: 2 });
      expect((await post(`/incidents/${inc.id}/escalate`, { version: 2, to_level: 3 })).json()).toMatchObject({ escalation_level: 3, version: 3 });
      expect((await post(`/incidents/${inc.id}/escalate`, { version: 3, to_level: 2 })).json()).toMatchObject({ statusCode: 400, code: 'CANH_REQUEST_INVALID' });
      expect((await post(`/incidents/${inc.id}/escalate`, { version: 2 })).statusCode).toBe(409);
      const timeline = (await get(`/incidents/${inc.id}`)).json().timeline;
      expect(timeline.slice(1).map((e: { action: string; from: unknown; to: unknown }) => [e.action, e.from, e.to])).toEqual([['escalated', 0, 1], ['escalated', 1, 3]]);
    });

    it('answers 404 for an action on an unknown incident', async () => {
      expect((await post('/incidents/inc_000000000000/escalate', { version: 1 })).json()).toMatchObject({ statusCode: 404, code: 'CANH_NOT_FOUND' });
    });
  });
});
