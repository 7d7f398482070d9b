import { actionOf, describeRequest, isAudited, outcomeOf, safeDetails, type FinishedRequest } from './describe';

const request = (over: Partial<FinishedRequest> = {}): FinishedRequest => ({
  method: 'POST', url: '/api/v1/incidents/inc_1/ack', route: '/api/v1/incidents/:id/ack', params: { id: 'inc_1' }, body: { version: 3 },
  status: 200, ip: '203.0.113.9', requestId: 'req-1', principal: { kind: 'user', id: 'usr_ann', username: 'ann', role: 'analyst' }, ...over,
});

describe('which requests are audited', () => {
  it('records changes under /api/v1, also refused ones and unknown paths', () => {
    expect(isAudited('POST', '/api/v1/login', '/api/v1/login')).toBe(true);
    expect(isAudited('DELETE', '/api/v1/users/u/tokens/t', '/api/v1/users/:id/tokens/:tokenId')).toBe(true);
    expect(isAudited('PUT', '/api/v1/no/such/route?x=1', undefined)).toBe(true);
    expect(isAudited('post', '/api/v1', undefined)).toBe(true);
  });

  it('skips reads, shipper traffic and paths outside /api/v1', () => {
    for (const m of ['GET', 'HEAD', 'OPTIONS']) expect(isAudited(m, '/api/v1/users', '/api/v1/users')).toBe(false);
    expect(isAudited('POST', '/api/v1/ingest', '/api/v1/ingest')).toBe(false);
    expect(isAudited('POST', '/api/v1/ingest/', undefined)).toBe(false);
    expect(isAudited('POST', '/_bulk', '/_bulk')).toBe(false);
    expect(isAudited('PUT', '/logs/_bulk', '/:index/_bulk')).toBe(false);
    expect(isAudited('POST', '/api/v10/users', undefined)).toBe(false);
  });
});

describe('actions and outcomes', () => {
  it('names known routes and falls back to `<METHOD> <pattern>` so a new route is still audited', () => {
    expect(actionOf('POST', '/api/v1/incidents/:id/ack')).toBe('incident.ack');
    expect(actionOf('POST', '/api/v1/sources/:id/rotate-key')).toBe('source.rotate_key');
    expect(actionOf('POST', '/api/v1/users')).toBe('user.create');
    expect(actionOf('POST', '/api/v1/login')).toBe('login');
    expect(actionOf('DELETE', '/api/v1/localities/:code')).toBe('DELETE /api/v1/localities/:code');
    expect(actionOf('POST', undefined)).toBe('POST (unmatched)');
  });

  it('maps status codes to success, denied and failed', () => {
    expect([200, 201, 202, 204, 302].map(outcomeOf)).toEqual(Array(5).fill('success'));
    expect([401, 403, 404].map(outcomeOf)).toEqual(['denied', 'denied', 'denied']);
    expect([400, 409, 413, 415, 429, 500, 503].map(outcomeOf)).toEqual(Array(7).fill('failed'));
  });
});

describe('describeRequest', () => {
  it('records who, what, on what, when and from where', () => {
    expect(describeRequest(request(), 'aud_1', 1234)).toEqual({
      id: 'aud_1', at: 1234, actor: { kind: 'user', id: 'usr_ann', username: 'ann', role: 'analyst' }, action: 'incident.ack', method: 'POST',
      route: '/api/v1/incidents/:id/ack', target: { id: 'inc_1' }, status: 200, outcome: 'success', ip: '203.0.113.9', requestId: 'req-1', details: {},
    });
    expect(describeRequest(request({ principal: { kind: 'admin_token' } }), 'a', 1)?.actor).toEqual({ kind: 'admin_token' });
    expect(describeRequest(request({ principal: null, status: 401 }), 'a', 1)).toMatchObject({ actor: { kind: 'anonymous' }, outcome: 'denied' });
    expect(describeRequest(request({ method: 'GET' }), 'a', 1)).toBeNull();
  });

  it('keeps the username of a login and never its password', () => {
    const entry = describeRequest(request({ url: '/api/v1/login', route: '/api/v1/login', params: {}, body: { username: 'ann', password: 'hai-ba-bon-nam-sau' }, status: 401, principal: null }), 'a', 1);
    expect(entry).toMatchObject({ action: 'login', outcome: 'denied', details: { username: 'ann' }, target: {} });
    expect(JSON.stringify(entry)).not.toContain('hai-ba-bon-nam-sau');
  });

  it('never keeps passwords, tokens, API keys, webhook secrets or free text, whatever the route', () => {
    const secrets = ['pw-SECRET-1', 'canh_ut_SECRET2', 'canh_SECRET3', 'whsec-SECRET4', 'comment-SECRET5', 'note-SECRET6', 'SECRET7'];
    const body = {
      username: 'binh', role: 'admin', locality: '00', password: secrets[0], token: secrets[1], api_key: secrets[2],
      contacts: [{ webhook: 'https://hooks.example/x', secret: secrets[3] }], text: secrets[4], note: secrets[5], secret: secrets[6],
      authorization: `Bearer ${secrets[1]}`, name: { nested: secrets[6] },
    };
    for (const route of ['/api/v1/users', '/api/v1/localities/:code/contacts', '/api/v1/incidents/:id/comment', '/api/v1/whatever']) {
      const json = JSON.stringify(describeRequest(request({ route, body }), 'a', 1));
      for (const s of secrets) expect(json).not.toContain(s);
    }
    expect(safeDetails(body)).toEqual({ username: 'binh', role: 'admin', locality: '00' });
  });

  it('keeps whitelisted scalars only, strings cut to 200 characters without control characters', () => {
    expect(safeDetails({ resolution: 'false_positive', to_level: 2, enabled: false, assignee: null, kind: ['access'], format: { x: 1 } }))
      .toEqual({ resolution: 'false_positive', to_level: 2, enabled: false, assignee: null });
    const long = safeDetails({ name: `a\nb${'x'.repeat(500)}` }).name as string;
    expect(long).toHaveLength(200);
    expect(long.startsWith('a b')).toBe(true);
    expect(safeDetails('code=1&password=x')).toEqual({});
    expect(safeDetails([{ username: 'x' }])).toEqual({});
    expect(safeDetails(Object.create({ username: 'inherited' }))).toEqual({});
  });

  it('records an unmatched path by method only: no target, no details, no path that could carry a secret', () => {
    const entry = describeRequest(request({ url: '/api/v1/x/canh_ut_SECRET?token=SECRET', route: undefined, params: { '*': 'canh_ut_SECRET' }, status: 404 }), 'a', 1);
    expect(entry).toMatchObject({ action: 'POST (unmatched)', route: '(unmatched)', target: {}, details: {}, outcome: 'denied' });
    expect(JSON.stringify(entry)).not.toContain('SECRET');
  });
});
