/**
 * The scope matrix: every route of /api/v1 × every role × a target in and out of the caller's
 * scope, on a real service (real DuckDB files, real Redis). A commune sees only its commune, a
 * province its communes, central everything; out of scope answers 404 (never 403, so ids do not
 * leak) or a list without the other localities, and a refused request changes nothing.
 *
 * The routes come from the service's own OpenAPI document: a new route fails this test until it is
 * added to CASES below with its rights.
 */
import { randomBytes } from 'node:crypto';
import { IncidentService } from '../../src/incidents/incident-service';
import type { Hit } from '../../src/rules/rule';
import { ADMIN_TOKEN, startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

jest.setTimeout(180_000);

const PASSWORD = 'mật-khẩu-đủ-dài-2026';
const CENTRAL = '00';
/** Two provinces; 01 has communes 00004 and 00007, 79 has 26734. */
const TREE = { '01': ['00004', '00007'], '79': ['26734'] } as const;
const COMMUNES = ['00004', '00007', '26734'];
const PROVINCE_OF: Record<string, string> = { '00004': '01', '00007': '01', '26734': '79' };
const T_EVENT = '23/Nov/2026:09:00:01 +0700';
const RANGE = `from=${encodeURIComponent('2026-11-23T08:00:00+07:00')}&to=${encodeURIComponent('2026-11-23T10:00:00+07:00')}`;
/** A string only the fixtures of locality `code` carry, so a foreign object in an answer is easy to spot. */
const mark = (code: string) => `mk${code}x`;

type Role = 'analyst' | 'locality_admin' | 'central_reviewer' | 'admin' | 'root';
interface Principal {
  readonly name: string;
  readonly role: Role;
  readonly token: string;
  readonly userId: string | null;
  /** A commune in scope, and one out of scope (none for central callers). */
  readonly home: string;
  readonly foreign: string | null;
  readonly scope: ReadonlySet<string>;
}
interface Req {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  readonly contentType?: string;
}
interface Answer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly text: string;
}

/**
 * Who may use a route at all (others get 403, whatever the target):
 * - read: everyone; triage: everyone but the read-only reviewer; manage: locality admins and admins;
 * - admin: admins; self: users (the bootstrap token is not one), not the reviewer for changes;
 * - anyone: no credentials needed.
 */
type Who = 'read' | 'triage' | 'manage' | 'admin' | 'self' | 'anyone';
/**
 * What a target out of scope gives: 404 with nothing changed, a list without it, 400 for a
 * locality named in the body (same answer as a locality that does not exist), 403 for another
 * user's tokens (checked before any lookup).
 */
type Foreign = 'not_found' | 'filtered' | 'invalid' | 'forbidden' | 'none';

interface Case {
  readonly route: string;
  readonly who: Who;
  readonly ok: number;
  readonly foreign: Foreign;
  /** A request on a fresh target of locality `code`, made for principal `p`. */
  make(code: string, p: Principal): Promise<Req>;
  /** More checks on an answer in scope (and, for `filtered`, the same answer shows nothing foreign). */
  check?(a: Answer, p: Principal): void;
  /** The admin's view of a request's target, which a refused request must leave as it was. */
  state?(req: Req): Promise<unknown>;
}

describe('scope matrix: every route × role × in and out of scope (real DuckDB, real Redis)', () => {
  let svc: TestService;
  let incidents: IncidentService;
  const principals: Principal[] = [];
  const sourceOf: Record<string, { id: string; key: string }> = {};
  const userIds: Record<string, string> = {};
  let ruleId = '';

  const call = async (token: string | null, req: Req): Promise<Answer> => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/json';
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    }
    const res = await fetch(svc.url + req.path, { method: req.method, headers, body });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : null };
  };
  const admin = (req: Req) => call(ADMIN_TOKEN, req);
  const adminGet = async (path: string) => (await admin({ method: 'GET', path })).body;

  const newIncident = async (code: string, resolved = false) => {
    const now = Date.now();
    const hit: Hit = {
      ruleId: 'web-bruteforce', ruleVersion: 'v1', group: { 'organization.id': code, 'source.ip': `198.51.100.${randomBytes(1)[0]}`, marker: `${mark(code)}-${randomBytes(4).toString('hex')}` },
      locality: code, window: { from: now - 60_000, to: now }, observed: 25, condition: 'count >= 20', sampleEventIds: [], evidenceQuery: `organization.id:"${code}"`,
    };
    const r = await incidents.applyHit(hit, `matrix-${randomBytes(6).toString('hex')}`);
    if (r.outcome === 'duplicate_hit') throw new Error('duplicate hit');
    let { id, version } = r.incident;
    if (resolved) version = (await incidents.resolve(id, version, 'user:admin', { kind: 'all' }, { resolution: 'benign' })).version;
    return { id, version };
  };
  const newSource = async (code: string) => {
    const res = await admin({ method: 'POST', path: '/api/v1/sources', body: { name: `portal ${mark(code)}`, locality: code, kind: 'access', format: 'nginx_combined' } });
    if (res.status !== 201) throw new Error(res.text);
    return res.body.id as string;
  };
  const monitorBody = (code: string, id: string) => ({ id, name: `portal ${mark(code)}`, locality: code, type: 'tcp', host: '127.0.0.1', port: 9, interval: '1h' });
  const newMonitor = async (code: string) => {
    const id = `m-${randomBytes(4).toString('hex')}`;
    const res = await admin({ method: 'POST', path: '/api/v1/monitors', body: monitorBody(code, id) });
    if (res.status !== 201) throw new Error(res.text);
    return id;
  };
  const incidentState = (req: Req) => adminGet(req.path.replace(/\/(ack|assign|comment|resolve|reopen|escalate)$/, ''));
  const sourceState = async (req: Req) => {
    const s = await adminGet(req.path.replace(/\/(rotate-key|revoke|import)$/, ''));
    return { enabled: s.enabled, revoked: s.revoked, key_prefix: s.key_prefix };
  };
  const lists = (field: string, key: (item: Record<string, unknown>) => unknown) => (a: Answer, p: Principal) => {
    const items = a.body[field] as Record<string, unknown>[];
    expect(Array.isArray(items)).toBe(true);
    if (p.scope.has(CENTRAL)) return; // central callers see every locality, including ones the matrix creates
    for (const item of items) {
      const code = String(key(item));
      if (!p.scope.has(code)) throw new Error(`${p.name} sees ${field} of ${code}: ${JSON.stringify(item).slice(0, 200)}`);
    }
  };
  /** The answer shows the fixtures of the home commune and of no locality out of scope. */
  const showsOnlyScope = (a: Answer, p: Principal) => {
    expect(a.text).toContain(mark(p.home));
    for (const c of COMMUNES) if (!p.scope.has(c)) expect(a.text).not.toContain(mark(c));
  };

  const CASES: Case[] = [
    // Directory: localities.
    { route: 'GET /api/v1/localities', who: 'read', ok: 200, foreign: 'filtered', make: async () => ({ method: 'GET', path: '/api/v1/localities' }), check: lists('localities', (l) => l.code === CENTRAL || l.level === 'province' ? (l.code === CENTRAL ? CENTRAL : l.code) : l.code) },
    { route: 'GET /api/v1/localities/tree', who: 'read', ok: 200, foreign: 'filtered', make: async () => ({ method: 'GET', path: '/api/v1/localities/tree' }), check: (a, p) => {
      const codes: string[] = [];
      const walk = (n: { code: string; children?: unknown[] }) => { codes.push(n.code); for (const c of n.children ?? []) walk(c as { code: string }); };
      for (const root of Array.isArray(a.body.roots) ? a.body.roots : Array.isArray(a.body) ? a.body : [a.body.tree ?? a.body]) walk(root);
      expect(codes).toContain(p.home);
      for (const c of COMMUNES) if (!p.scope.has(c)) expect(codes).not.toContain(c);
    } },
    { route: 'GET /api/v1/localities/{code}', who: 'read', ok: 200, foreign: 'not_found', make: async (code) => ({ method: 'GET', path: `/api/v1/localities/${code}` }) },
    { route: 'POST /api/v1/localities', who: 'admin', ok: 201, foreign: 'none', make: async () => ({ method: 'POST', path: '/api/v1/localities', body: { code: `9${randomBytes(2).readUInt16BE() % 9000 + 1000}`, name: 'Xã mới', level: 'commune', parent_code: '79' } }) },
    { route: 'POST /api/v1/localities/import', who: 'admin', ok: 200, foreign: 'none', make: async () => ({ method: 'POST', path: '/api/v1/localities/import', contentType: 'text/csv', body: `code,name,level,parent_code\n8${randomBytes(2).readUInt16BE() % 9000 + 1000},Xã nhập,commune,79\n` }) },
    { route: 'PUT /api/v1/localities/{code}/contacts', who: 'manage', ok: 200, foreign: 'not_found', make: async (code) => ({ method: 'PUT', path: `/api/v1/localities/${code}/contacts`, body: { contacts: [{ email: `soc-${randomBytes(3).toString('hex')}@${code}.example.vn`, language: 'vi' }] } }), state: (req) => adminGet(req.path) },
    { route: 'GET /api/v1/localities/{code}/contacts', who: 'read', ok: 200, foreign: 'not_found', make: async (code) => ({ method: 'GET', path: `/api/v1/localities/${code}/contacts` }) },
    // Directory: sources.
    { route: 'POST /api/v1/sources', who: 'manage', ok: 201, foreign: 'invalid', make: async (code) => ({ method: 'POST', path: '/api/v1/sources', body: { name: `new ${mark(code)}`, locality: code, kind: 'access', format: 'nginx_combined' } }), state: async () => (await adminGet('/api/v1/sources')).sources.length },
    { route: 'GET /api/v1/sources', who: 'read', ok: 200, foreign: 'filtered', make: async () => ({ method: 'GET', path: '/api/v1/sources' }), check: (a, p) => { lists('sources', (s) => s.locality)(a, p); showsOnlyScope(a, p); } },
    { route: 'GET /api/v1/sources/{id}', who: 'read', ok: 200, foreign: 'not_found', make: async (code) => ({ method: 'GET', path: `/api/v1/sources/${sourceOf[code].id}` }) },
    { route: 'GET /api/v1/sources/{id}/stats', who: 'read', ok: 200, foreign: 'not_found', make: async (code) => ({ method: 'GET', path: `/api/v1/sources/${sourceOf[code].id}/stats` }) },
    { route: 'GET /api/v1/sources/{id}/shipper-configs', who: 'read', ok: 200, foreign: 'not_found', make: async (code) => ({ method: 'GET', path: `/api/v1/sources/${sourceOf[code].id}/shipper-configs` }) },
    { route: 'PATCH /api/v1/sources/{id}', who: 'manage', ok: 200, foreign: 'not_found', make: async (code) => ({ method: 'PATCH', path: `/api/v1/sources/${await newSource(code)}`, body: { enabled: false } }), state: sourceState },
    { route: 'POST /api/v1/sources/{id}/rotate-key', who: 'manage', ok: 200, foreign: 'not_found', make: async (code) => ({ method: 'POST', path: `/api/v1/sources/${await newSource(code)}/rotate-key` }), state: sourceState },
    { route: 'POST /api/v1/sources/{id}/revoke', who: 'manage', ok: 200, foreign: 'not_found', make: async (code) => ({ method: 'POST', path: `/api/v1/sources/${await newSource(code)}/revoke` }), state: sourceState },
    { route: 'POST /api/v1/sources/{id}/import', who: 'manage', ok: 202, foreign: 'not_found', make: async (code) => ({ method: 'POST', path: `/api/v1/sources/${await newSource(code)}/import`, contentType: 'text/plain', body: `203.0.113.9 - - [${T_EVENT}] "GET /import HTTP/1.1" 200 1 "-" "curl"\n` }), state: async (req) => (await adminGet(`${req.path.replace(/\/import$/, '')}/stats`)).received },
    // Events and dead letters.
    { route: 'GET /api/v1/events', who: 'read', ok: 200, foreign: 'filtered', make: async () => ({ method: 'GET', path: `/api/v1/events?q=*&${RANGE}` }), check: showsOnlyScope },
    { route: 'GET /api/v1/events/histogram', who: 'read', ok: 200, foreign: 'filtered', make: async () => ({ method: 'GET', path: `/api/v1/events/histogram?q=${encodeURIComponent('url.original:*dvc*')}&${RANGE}&interval=1h` }), check: (a, p) => {
      const total = (a.body.buckets as { count: number }[]).reduce((n, b) => n + b.count, 0);
      expect(total).toBe(COMMUNES.filter((c) => p.scope.has(c)).length);
    } },
    { route: 'GET /api/v1/dead-letters', who: 'read', ok: 200, foreign: 'filtered', make: async () => ({ method: 'GET', path: '/api/v1/dead-letters' }), check: (a, p) => { lists('dead_letters', (d) => d.locality)(a, p); showsOnlyScope(a, p); } },
    // Rules.
    { route: 'GET /api/v1/rules', who: 'read', ok: 200, foreign: 'filtered', make: async () => ({ method: 'GET', path: '/api/v1/rules' }), check: (a, p) => {
      const rule = (a.body.rules as { id: string; last_run: { hits: number } | null }[]).find((r) => r.id === ruleId);
      expect(rule?.last_run?.hits).toBe(expectedRunHits(p));
    } },
    { route: 'GET /api/v1/rules/{id}/runs', who: 'read', ok: 200, foreign: 'filtered', make: async () => ({ method: 'GET', path: `/api/v1/rules/${ruleId}/runs` }), check: (a, p) => {
      expect(a.body.runs[0].hits).toBe(expectedRunHits(p));
    } },
    { route: 'POST /api/v1/rules/test', who: 'triage', ok: 200, foreign: 'filtered', make: async () => ({ method: 'POST', path: '/api/v1/rules/test', body: {
      rule: 'id: matrix-every-request\ntitle: Every request\nseverity: low\ncategory: test\ndataset: web.access\nfilter: "*"\ntype: match\ngroup_by: [organization.id]\nevery: 1m\n',
      from: '2026-11-23T08:58:00+07:00', to: '2026-11-23T09:03:00+07:00',
    } }), check: (a, p) => {
      const seen = (a.body.hits as { locality: string }[]).map((h) => h.locality).sort();
      expect(seen).toEqual(COMMUNES.filter((c) => p.scope.has(c)).sort());
    } },
    // Incidents.
    { route: 'GET /api/v1/incidents', who: 'read', ok: 200, foreign: 'filtered', make: async () => ({ method: 'GET', path: '/api/v1/incidents?size=500' }), check: (a, p) => { lists('incidents', (i) => i.locality)(a, p); showsOnlyScope(a, p); } },
    { route: 'GET /api/v1/incidents/{id}', who: 'read', ok: 200, foreign: 'not_found', make: async (code) => ({ method: 'GET', path: `/api/v1/incidents/${(await newIncident(code)).id}` }) },
    ...(['ack', 'assign', 'comment', 'resolve', 'reopen', 'escalate'] as const).map((action): Case => ({
      route: `POST /api/v1/incidents/{id}/${action}`, who: 'triage', ok: 200, foreign: 'not_found', state: incidentState,
      make: async (code) => {
        const { id, version } = await newIncident(code, action === 'reopen');
        const body = { ack: { version }, assign: { version, assignee: 'an.nguyen' }, comment: { text: 'checked the portal logs' }, resolve: { version, resolution: 'false_positive' }, reopen: { version }, escalate: { version } }[action];
        return { method: 'POST', path: `/api/v1/incidents/${id}/${action}`, body };
      },
    })),
    // Users and tokens.
    { route: 'POST /api/v1/users', who: 'admin', ok: 201, foreign: 'none', make: async () => ({ method: 'POST', path: '/api/v1/users', body: { username: `u${randomBytes(4).toString('hex')}`, password: PASSWORD, role: 'analyst', locality: '00004' } }) },
    { route: 'GET /api/v1/users', who: 'admin', ok: 200, foreign: 'none', make: async () => ({ method: 'GET', path: '/api/v1/users' }) },
    { route: 'POST /api/v1/users/{id}/disable', who: 'admin', ok: 200, foreign: 'none', make: async () => {
      const u = await admin({ method: 'POST', path: '/api/v1/users', body: { username: `d${randomBytes(4).toString('hex')}`, password: PASSWORD, role: 'analyst', locality: '00007' } });
      return { method: 'POST', path: `/api/v1/users/${u.body.id}/disable` };
    } },
    { route: 'POST /api/v1/users/{id}/tokens', who: 'self', ok: 201, foreign: 'forbidden', make: async (_c, p) => ({ method: 'POST', path: `/api/v1/users/${tokenOwner(p)}/tokens`, body: { name: 'matrix' } }) },
    { route: 'GET /api/v1/users/{id}/tokens', who: 'self', ok: 200, foreign: 'forbidden', make: async (_c, p) => ({ method: 'GET', path: `/api/v1/users/${tokenOwner(p)}/tokens` }) },
    { route: 'DELETE /api/v1/users/{id}/tokens/{tokenId}', who: 'self', ok: 200, foreign: 'forbidden', make: async (_c, p) => {
      const owner = tokenOwner(p);
      const t = await admin({ method: 'POST', path: `/api/v1/users/${owner}/tokens`, body: { name: 'to-revoke' } });
      return { method: 'DELETE', path: `/api/v1/users/${owner}/tokens/${t.body.id}` };
    } },
    { route: 'GET /api/v1/users/me', who: 'self', ok: 200, foreign: 'none', make: async () => ({ method: 'GET', path: '/api/v1/users/me' }), check: (a, p) => expect(a.body.id).toBe(p.userId) },
    { route: 'POST /api/v1/users/me/tokens', who: 'self', ok: 201, foreign: 'none', make: async () => ({ method: 'POST', path: '/api/v1/users/me/tokens', body: { name: 'mine' } }) },
    { route: 'GET /api/v1/users/me/tokens', who: 'self', ok: 200, foreign: 'none', make: async () => ({ method: 'GET', path: '/api/v1/users/me/tokens' }) },
    { route: 'DELETE /api/v1/users/me/tokens/{tokenId}', who: 'self', ok: 200, foreign: 'not_found', make: async (code, p) => {
      // In scope: one of my tokens; "out of scope": a token of another user, which is not among mine.
      const owner = code === p.home ? p.userId! : userIds.other;
      const t = await admin({ method: 'POST', path: `/api/v1/users/${owner}/tokens`, body: { name: 'to-revoke' } });
      return { method: 'DELETE', path: `/api/v1/users/me/tokens/${t.body.id}` };
    }, state: async (req) => JSON.stringify((await adminGet(`/api/v1/users/${userIds.other}/tokens`)).tokens.find((t: { id: string }) => req.path.endsWith(t.id)) ?? null) },
    // Monitors (API-defined ones; nothing probes them here: no probe role).
    { route: 'GET /api/v1/monitors', who: 'read', ok: 200, foreign: 'filtered', make: async () => ({ method: 'GET', path: '/api/v1/monitors' }), check: (a, p) => { lists('monitors', (m) => m.locality)(a, p); showsOnlyScope(a, p); } },
    { route: 'GET /api/v1/monitors/{id}', who: 'read', ok: 200, foreign: 'not_found', make: async (code) => ({ method: 'GET', path: `/api/v1/monitors/${await newMonitor(code)}` }) },
    { route: 'POST /api/v1/monitors', who: 'manage', ok: 201, foreign: 'not_found', make: async (code) => ({ method: 'POST', path: '/api/v1/monitors', body: monitorBody(code, `m-${randomBytes(4).toString('hex')}`) }), state: async () => (await adminGet('/api/v1/monitors')).monitors.length },
    { route: 'PUT /api/v1/monitors/{id}', who: 'manage', ok: 200, foreign: 'not_found', make: async (code) => {
      const id = await newMonitor(code);
      return { method: 'PUT', path: `/api/v1/monitors/${id}`, body: { ...monitorBody(code, id), interval: '2h' } };
    }, state: (req) => adminGet(req.path) },
    { route: 'DELETE /api/v1/monitors/{id}', who: 'manage', ok: 204, foreign: 'not_found', make: async (code) => ({ method: 'DELETE', path: `/api/v1/monitors/${await newMonitor(code)}` }), state: (req) => adminGet(req.path) },
    // Statistics: each answer counts only the localities in scope.
    ...(['incidents?by=locality&interval=1h', 'backlog?by=locality', 'response-times?by=locality', 'sla', 'top-rules', 'sources', 'otp?by=locality', 'availability'] as const).map((q): Case => ({
      route: `GET /api/v1/stats/${q.split('?')[0]}`, who: 'read', ok: 200, foreign: 'filtered',
      // backlog and sources are "now"; the others take a range.
      make: async () => ({ method: 'GET', path: `/api/v1/stats/${q}${/^(backlog|sources)/.test(q) ? '' : `${q.includes('?') ? '&' : '?'}from=now-1d`}` }),
      check: (a, p) => {
        // Every commune has an incident: the home one shows in the incident figures, no foreign one anywhere.
        if (/^(incidents|backlog|response-times)/.test(q)) expect(a.text).toContain(`"${p.home}"`);
        for (const c of COMMUNES) if (!p.scope.has(c)) expect(a.text).not.toContain(`"${c}"`);
      },
    })),
    { route: 'GET /api/v1/audit', who: 'admin', ok: 200, foreign: 'none', make: async () => ({ method: 'GET', path: '/api/v1/audit' }) },
  ];
  /** Routes without user credentials: sign-in, and shippers' source keys (a user token there is 401). */
  const UNAUTHENTICATED = ['POST /api/v1/login', 'POST /api/v1/session', 'GET /api/v1/session', 'DELETE /api/v1/session', 'POST /api/v1/ingest'];

  /** Whose tokens a `self` case works on: mine in scope; for the foreign target, another user's. */
  let foreignTarget = false;
  const tokenOwner = (p: Principal) => (foreignTarget ? userIds.other : p.userId ?? userIds.other);
  /** The recorded run has 2, 3 and 5 hits in the communes and 7 without a locality (seen by central callers only). */
  const RUN_HITS: Record<string, number> = { '00004': 2, '00007': 3, '26734': 5 };
  const expectedRunHits = (p: Principal) => (p.scope.has(CENTRAL) ? 17 : COMMUNES.filter((c) => p.scope.has(c)).reduce((n, c) => n + RUN_HITS[c], 0));

  beforeAll(async () => {
    svc = await startTestService({}, ['api', 'ingest']);
    const post = async (path: string, body: unknown) => {
      const r = await admin({ method: 'POST', path, body });
      if (r.status >= 300) throw new Error(`${path}: ${r.text}`);
      return r.body;
    };
    await post('/api/v1/localities', { code: CENTRAL, name: 'Trung ương', level: 'central' });
    for (const [province, communes] of Object.entries(TREE)) {
      await post('/api/v1/localities', { code: province, name: `Tỉnh ${province}`, level: 'province', parent_code: CENTRAL });
      for (const c of communes) await post('/api/v1/localities', { code: c, name: `Xã ${c}`, level: 'commune', parent_code: province });
    }
    // Per commune: a source, one event, one dead letter, an incident, contacts.
    for (const c of COMMUNES) {
      const s = await post('/api/v1/sources', { name: `portal ${mark(c)}`, locality: c, kind: 'access', format: 'nginx_combined' });
      sourceOf[c] = { id: s.id, key: s.api_key };
      const lines = `203.0.113.${COMMUNES.indexOf(c) + 1} - - [${T_EVENT}] "GET /dvc/${mark(c)} HTTP/1.1" 200 512 "-" "Mozilla/5.0"\nnot an access line ${mark(c)}\n`;
      const res = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${s.api_key}`, 'content-type': 'text/plain' }, body: lines });
      expect(res.status).toBe(202);
      const put = await admin({ method: 'PUT', path: `/api/v1/localities/${c}/contacts`, body: { contacts: [{ email: `soc@${c}.example.vn`, language: 'vi' }] } });
      expect(put.status).toBe(200);
    }
    await waitFor('the events and dead letters of every commune', async () => {
      const events = await adminGet(`/api/v1/events?q=*&${RANGE}`);
      const dead = await adminGet('/api/v1/dead-letters');
      return events.events?.length === COMMUNES.length && dead.dead_letters?.length === COMMUNES.length;
    }, 30_000, 100);

    incidents = new IncidentService(svc.container.incidents, svc.container.clock, {
      ruleLookup: () => ({ title: 'Brute force', severity: 'medium', category: 'intrusion-attempts' }),
      localityLookup: (code) => ({ code, province: PROVINCE_OF[code] ?? null }),
      centralCode: CENTRAL,
    });
    for (const c of COMMUNES) await newIncident(c);
    for (const c of COMMUNES) await newMonitor(c);

    // A run of a loaded rule with hits in every commune and 7 without a locality.
    ruleId = (await adminGet('/api/v1/rules')).rules[0].id;
    const now = Date.now();
    await svc.container.ruleState.recordRun({
      ruleId, ruleVersion: 'v1', startedAt: now, durationMs: 12, from: now - 60_000, to: now, hits: 17, skipped: 0, error: null,
      hitsByLocality: { '00004': 2, '00007': 3, '26734': 5, '': 7 },
    });

    const people: [string, Role, string][] = [
      ['commune-analyst', 'analyst', '00004'], ['commune-admin', 'locality_admin', '00004'],
      ['province-analyst', 'analyst', '01'], ['province-admin', 'locality_admin', '01'],
      ['reviewer', 'central_reviewer', CENTRAL], ['central-admin', 'admin', CENTRAL], ['other', 'analyst', '26734'],
    ];
    for (const [username, role, locality] of people) {
      userIds[username] = (await post('/api/v1/users', { username, password: PASSWORD, role, locality })).id;
      if (username === 'other') continue;
      const token = (await call(null, { method: 'POST', path: '/api/v1/login', body: { username, password: PASSWORD } })).body.token as string;
      const province = locality === CENTRAL ? null : (TREE as Record<string, readonly string[]>)[locality] ? locality : PROVINCE_OF[locality];
      const scope = new Set(province === null ? [CENTRAL, ...Object.keys(TREE), ...COMMUNES] : locality === province ? [province, ...TREE[province as keyof typeof TREE]] : [locality]);
      const foreign = province === null ? null : locality === province ? '26734' : '00007';
      principals.push({ name: username, role, token, userId: userIds[username], home: '00004', foreign, scope });
    }
    principals.push({ name: 'bootstrap-token', role: 'root', token: ADMIN_TOKEN, userId: null, home: '00004', foreign: null, scope: new Set([CENTRAL, ...Object.keys(TREE), ...COMMUNES]) });
  });
  afterAll(async () => svc?.stop());

  it('covers every route the service serves under /api/v1', async () => {
    const spec = await adminGet('/api/v1/openapi.json');
    const served = Object.entries(spec.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((r) => r.split(' ')[1].startsWith('/api/v1/') && !r.startsWith('HEAD '));
    const covered = new Set([...CASES.map((c) => c.route), ...UNAUTHENTICATED]);
    expect(served.filter((r) => !covered.has(r))).toEqual([]);
    expect([...covered].filter((r) => !served.includes(r))).toEqual([]);
  });

  function allowed(who: Who, role: Role, method: string): { ok: true } | { ok: false; status: number; code: string } {
    const readOnly = role === 'central_reviewer' && method !== 'GET';
    if (readOnly) return { ok: false, status: 403, code: 'CANH_AUTH_READ_ONLY' };
    switch (who) {
      case 'read': case 'anyone': case 'triage': return { ok: true };
      case 'manage': return role === 'analyst' ? { ok: false, status: 403, code: 'CANH_AUTH_FORBIDDEN' } : { ok: true };
      case 'admin': return role === 'admin' || role === 'root' ? { ok: true } : { ok: false, status: 403, code: 'CANH_AUTH_ADMIN_ONLY' };
      case 'self': return role === 'root' ? { ok: false, status: 400, code: 'CANH_AUTH_NOT_A_USER' } : { ok: true };
    }
  }

  it.each(['commune-analyst', 'commune-admin', 'province-analyst', 'province-admin', 'reviewer', 'central-admin', 'bootstrap-token'])('%s: every route, in and out of scope', async (name) => {
    const p = principals.find((x) => x.name === name)!;
    const failures: string[] = [];
    for (const c of CASES) {
      const label = `${p.name} ${c.route}`;
      try {
        foreignTarget = false;
        // Routes on a user's own tokens: the bootstrap token owns none, so it works on another user's.
        const rights = c.route.includes('/users/{id}/tokens') && p.role === 'root' ? { ok: true as const } : allowed(c.who, p.role, c.route.split(' ')[0]);
        const req = await c.make(p.home, p);
        const before = c.state ? await c.state(req) : undefined;
        const a = await call(p.token, req);
        if (!rights.ok) {
          if (a.status !== rights.status || a.body?.code !== rights.code) throw new Error(`expected ${rights.status} ${rights.code}, got ${a.status} ${a.text.slice(0, 300)}`);
          if (c.state) expect(await c.state(req)).toEqual(before);
          continue;
        }
        if (a.status !== c.ok) throw new Error(`in scope: expected ${c.ok}, got ${a.status} ${a.text.slice(0, 300)}`);
        c.check?.(a, p);
        if (!p.foreign || c.foreign === 'none' || c.foreign === 'filtered') continue;
        foreignTarget = true;
        const fReq = await c.make(p.foreign, p);
        const fBefore = c.state ? await c.state(fReq) : undefined;
        const f = await call(p.token, fReq);
        const want = { not_found: [404, 'CANH_NOT_FOUND'], invalid: [400, 'CANH_REQUEST_INVALID'], forbidden: [403, 'CANH_AUTH_FORBIDDEN'] }[c.foreign];
        if (f.status !== want[0] || f.body?.code !== want[1]) throw new Error(`out of scope: expected ${want[0]} ${want[1]}, got ${f.status} ${f.text.slice(0, 300)}`);
        if (c.foreign === 'not_found' || c.foreign === 'invalid') expect(f.text).not.toContain(mark(p.foreign));
        if (c.state) expect(await c.state(fReq)).toEqual(fBefore);
      } catch (err) {
        failures.push(`${label}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('the audit log holds every change of the matrix: who, what, from where, refused ones too, and no secret', async () => {
    const admin = principals.find((x) => x.name === 'central-admin')!;
    const entries = async (q: string) => (await call(admin.token, { method: 'GET', path: `/api/v1/audit?${q}&size=1000` })).body.entries as Record<string, any>[];
    await waitFor('the audit entries of the matrix', async () => (await entries('actor=commune-admin&action=source.rotate_key')).length >= 2, 10_000, 100);
    const rotations = await entries('actor=commune-admin&action=source.rotate_key');
    expect(rotations.map((e) => [e.outcome, e.status]).sort()).toEqual([['denied', 404], ['success', 200]]);
    expect(rotations[0]).toMatchObject({ actor: { kind: 'user', username: 'commune-admin', role: 'locality_admin' }, method: 'POST', ip: '127.0.0.1', route: '/api/v1/sources/:id/rotate-key' });
    // The analyst's refused source change (403) is recorded as denied.
    expect((await entries('actor=commune-analyst&outcome=denied')).some((e) => e.action === 'source.rotate_key' && e.status === 403)).toBe(true);
    // Reads are not changes; secrets never appear.
    const all = await entries('from=now-1h');
    expect(all.length).toBeGreaterThan(50);
    expect(all.some((e) => e.method === 'GET')).toBe(false);
    const text = JSON.stringify(all);
    for (const p of principals) expect(text).not.toContain(p.token);
    expect(text).not.toContain(PASSWORD);
  });

  it('a user token on the shippers\' routes is refused (401), and a source key is no user token', async () => {
    const p = principals.find((x) => x.name === 'central-admin')!;
    const line = `203.0.113.50 - - [${T_EVENT}] "GET /x HTTP/1.1" 200 1 "-" "curl"`;
    const ingest = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${p.token}`, 'content-type': 'text/plain' }, body: line });
    expect(ingest.status).toBe(401);
    const asUser = await call(sourceOf['00004'].key, { method: 'GET', path: '/api/v1/incidents' });
    expect(asUser.status).toBe(401);
  });
});
