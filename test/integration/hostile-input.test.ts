import { ADMIN_TOKEN, startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const DAY = 'from=2026-11-23T00:00:00%2B07:00&to=2026-11-24T00:00:00%2B07:00';
const at = (s: number) => `2026-11-23T09:00:${String(s).padStart(2, '0')}+07:00`;
const nginx = (s: number, path: string | Buffer): Buffer =>
  Buffer.concat([Buffer.from(`203.0.113.9 - - [23/Nov/2026:09:00:${String(s).padStart(2, '0')} +0700] "GET `), Buffer.from(path), Buffer.from(' HTTP/1.1" 200 12 "-" "curl/8.5.0"')]);
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('hostile input: each gets a clear 4xx (or a dead letter with its reason) and nothing else is stored or changed', () => {
  let svc: TestService;
  let text: { id: string; api_key: string };
  let json: { id: string; api_key: string };

  beforeAll(async () => {
    svc = await startTestService({ CANH_MAX_BODY_BYTES: String(64 * 1024) });
    expect((await svc.admin('/api/v1/localities', { body: { code: '01', name: 'Hà Nội', level: 'province' } })).status).toBe(201);
    await svc.admin('/api/v1/localities', { body: { code: '00004', name: 'Ba Đình', level: 'commune', parent_code: '01' } });
    await svc.admin('/api/v1/localities', { body: { code: '00007', name: 'Phúc Xá', level: 'commune', parent_code: '01' } });
    await svc.admin('/api/v1/localities/00004/contacts', { method: 'PUT', body: { contacts: [{ email: 'soc@badinh.gov.vn' }] } });
    text = (await svc.admin('/api/v1/sources', { body: { name: 'Cổng DVC', locality: '00004', kind: 'access', format: 'nginx_combined' } })).body;
    json = (await svc.admin('/api/v1/sources', { body: { name: 'Portal JSON', locality: '00004', kind: 'access', format: 'json' } })).body;
  });
  afterAll(async () => svc?.stop());

  const ingest = (key: string, body: string | Buffer, type = 'text/plain') =>
    fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${key}`, 'content-type': type }, body });
  const raw = (method: string, path: string, body: string | Buffer) =>
    fetch(svc.url + path, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body });
  const stats = async (id: string): Promise<Json> => (await svc.admin(`/api/v1/sources/${id}/stats`)).body;
  const processed = (id: string, received: number) =>
    waitFor(`${received} lines of ${id} processed`, async () => { const s = await stats(id); return s.received >= received ? s : undefined; });
  const deadLetters = async (id: string): Promise<Json[]> => (await svc.admin(`/api/v1/dead-letters?source=${id}&size=100`)).body.dead_letters;
  const events = async (q: string, locality?: string): Promise<Json[]> =>
    (await svc.admin(`/api/v1/events?q=${encodeURIComponent(q)}&${DAY}${locality ? `&locality=${locality}` : ''}`)).body.events;
  const localityNames = async () => (await svc.admin('/api/v1/localities')).body.localities.map((l: Json) => l.name).sort();

  it('refuses an oversized body with 413 and stores nothing', async () => {
    const before = await stats(text.id);
    const res = await ingest(text.api_key, Buffer.concat(Array.from({ length: 2000 }, (_, i) => Buffer.concat([nginx(1, `/big/${i}`), Buffer.from('\n')]))));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'CANH_INGEST_TOO_LARGE', message: expect.stringContaining('exceeds the limit of 65536 bytes') });
    const api = await raw('POST', '/api/v1/localities', JSON.stringify({ code: '02', name: 'x'.repeat(2 * 1024 * 1024), level: 'province' }));
    expect(api.status).toBe(413);
    expect(await stats(text.id)).toEqual(before);
    expect(await localityNames()).toEqual(['Ba Đình', 'Hà Nội', 'Phúc Xá']);
  });

  it('refuses a deeply nested API body with 400 CANH_REQUEST_TOO_DEEP naming the position, and changes nothing', async () => {
    const body = `{"code":"02","name":"Hà Giang","level":"province","x":${'['.repeat(50_000)}`;
    const res = await raw('POST', '/api/v1/localities', body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'CANH_REQUEST_TOO_DEEP', message: `The JSON body is nested deeper than 32 levels (at character ${body.indexOf('[') + 31}); flatten it` });
    expect(await localityNames()).toEqual(['Ba Đình', 'Hà Nội', 'Phúc Xá']);
  });

  it('keeps a too-deep JSON event line as a dead letter with its reason; a too-deep JSON body is refused whole', async () => {
    const good = JSON.stringify({ '@timestamp': at(10), url: { original: '/shallow' }, http: { response: { status_code: 200 } } });
    const res = await ingest(json.api_key, `${good}\n${nested(40)}\n`, 'application/x-ndjson');
    expect(res.status).toBe(202);
    const s = await processed(json.id, 2);
    expect(s).toMatchObject({ received: 2, stored: 1, dead_lettered: 1 });
    const dead = await deadLetters(json.id);
    expect(dead).toEqual([expect.objectContaining({ line: 2, reason: expect.stringContaining('nested deeper than 32 levels') })]);

    const whole = await ingest(json.api_key, `[${good},${nested(40)}]`, 'application/json');
    expect(whole.status).toBe(400);
    expect(await whole.json()).toMatchObject({ code: 'CANH_REQUEST_TOO_DEEP', message: expect.stringContaining('nested deeper than 32 levels') });
    expect(await stats(json.id)).toMatchObject({ received: 2 });
  });

  it('refuses invalid UTF-8 and NUL bytes in API bodies with 400 naming where, and stores nothing', async () => {
    const bad = Buffer.concat([Buffer.from('{"code":"02","name":"H'), Buffer.from([0xc3, 0x28]), Buffer.from('","level":"province"}')]);
    const utf8 = await raw('POST', '/api/v1/localities', bad);
    expect(utf8.status).toBe(400);
    expect(await utf8.json()).toMatchObject({ code: 'CANH_REQUEST_INVALID_UTF8', message: 'The body is not valid UTF-8 (first invalid byte at offset 22); send UTF-8 text' });
    const nul = await svc.admin('/api/v1/localities', { body: { code: '02', name: 'Hà\u0000Giang', level: 'province' } });
    expect(nul.status).toBe(400);
    expect(nul.body).toMatchObject({ code: 'CANH_REQUEST_INVALID', message: 'Invalid locality: name: must not contain control characters (U+0000 at position 2)' });
    const user = await svc.admin('/api/v1/users', { body: { username: 'lan', password: 'a long enough password', display_name: 'Lan\u0000', role: 'analyst', locality: '00004' } });
    expect(user.status).toBe(400);
    expect(user.body.message).toContain('display_name: must not contain control characters (U+0000 at position 3)');
    expect(await localityNames()).toEqual(['Ba Đình', 'Hà Nội', 'Phúc Xá']);
    expect((await svc.admin('/api/v1/users')).body.users.map((u: Json) => u.username)).not.toContain('lan');
  });

  it('stores ingest lines with invalid UTF-8 or NUL bytes made safe (U+FFFD), never losing or failing them', async () => {
    const before = await stats(text.id);
    const body = Buffer.concat([nginx(20, Buffer.from([0x2f, 0x78, 0xff, 0xfe])), Buffer.from('\n'), nginx(21, Buffer.from('/nul\u0000byte')), Buffer.from('\n')]);
    expect((await ingest(text.api_key, body)).status).toBe(202);
    const s = await processed(text.id, before.received + 2);
    expect(s.received - before.received).toBe((s.stored - before.stored) + (s.dead_lettered - before.dead_lettered));
    const stored = await events('url.path:"/x\uFFFD\uFFFD" or url.path:"/nul\uFFFDbyte"');
    expect(stored.map((e: Json) => e.url.path).sort()).toEqual(['/nul\uFFFDbyte', '/x\uFFFD\uFFFD']);
    expect(JSON.stringify(stored)).not.toContain('\u0000');

    const jsonBefore = await stats(json.id);
    const doc = JSON.stringify({ '@timestamp': at(22), url: { original: '/json\u0000nul' }, http: { response: { status_code: 200 } } });
    const ndjson = Buffer.concat([Buffer.from(doc), Buffer.from('\n'), Buffer.from(`{"@timestamp":"${at(23)}","url":{"original":"/raw`), Buffer.from([0x00, 0xff]), Buffer.from('"}}\n')]);
    expect((await ingest(json.api_key, ndjson, 'application/x-ndjson')).status).toBe(202);
    const j = await processed(json.id, jsonBefore.received + 2);
    expect(j).toMatchObject({ received: jsonBefore.received + 2, stored: jsonBefore.stored + 2, dead_lettered: jsonBefore.dead_lettered });
    const docs = await events('url.path:"/json\uFFFDnul" or url.path:"/raw\uFFFD\uFFFD"');
    expect(docs.map((e: Json) => e.url.path).sort()).toEqual(['/json\uFFFDnul', '/raw\uFFFD\uFFFD']);
    expect(JSON.stringify(docs)).not.toContain('\u0000');
  });

  it('refuses CR/LF in an email contact with 400 naming contacts[0].email, and leaves the contacts unchanged', async () => {
    const res = await svc.admin('/api/v1/localities/00004/contacts', { method: 'PUT', body: { contacts: [{ email: 'soc@badinh.gov.vn\r\nBcc: everyone@example.com' }] } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'CANH_REQUEST_INVALID', message: expect.stringMatching(/^Invalid contacts: contacts\[0\]\.email: must not contain control characters \(U\+000D at position 17\)/) });
    expect((await svc.admin('/api/v1/localities/00004/contacts')).body.contacts).toEqual([{ email: 'soc@badinh.gov.vn', language: 'vi' }]);
  });

  it('never stores a line under another locality than its source\'s, whatever organization.id it claims', async () => {
    const before = await stats(json.id);
    const claim = { '@timestamp': at(30), organization: { id: '00007' }, canh: { province: '99', source_id: 'src_other' }, url: { original: '/claims-00007' }, http: { response: { status_code: 200 } } };
    expect((await ingest(json.api_key, JSON.stringify(claim) + '\n', 'application/x-ndjson')).status).toBe(202);
    await processed(json.id, before.received + 1);
    expect(await events('url.path:"/claims-00007"', '00007')).toEqual([]);
    const mine = await events('url.path:"/claims-00007"', '00004');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ organization: { id: '00004' }, canh: { province: '01', source_id: json.id } });
  });

  it('refuses a revoked key and an unknown key with 401 and stores nothing', async () => {
    const victim = (await svc.admin('/api/v1/sources', { body: { name: 'Revoked', locality: '00007', kind: 'access', format: 'nginx_combined' } })).body;
    expect((await svc.admin(`/api/v1/sources/${victim.id}/revoke`, { method: 'POST', body: {} })).status).toBe(200);
    for (const key of [victim.api_key, 'canh_not_a_key_at_all_0000000000']) {
      const res = await ingest(key, nginx(40, '/after-revoke'));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'CANH_AUTH_UNKNOWN_KEY', message: 'Unknown or revoked API key' });
    }
    expect(await stats(victim.id)).toMatchObject({ received: 0, stored: 0, dead_lettered: 0 });
    expect(await events('url.path:"/after-revoke"')).toEqual([]);
  });
});

describe('rate limits (real Redis): the request over the limit is 429 with Retry-After', () => {
  let svc: TestService;
  let url: string;

  beforeAll(async () => {
    svc = await startTestService({ CANH_RATE_LIMIT_PER_KEY: '3', CANH_RATE_LIMIT_PER_ADDRESS: '0' }, ['api']);
    url = svc.url;
  });
  afterAll(async () => svc?.stop());

  it('counts per key across requests and refuses the fourth within the minute', async () => {
    // Four requests must fall in one fixed window: start away from a minute's end.
    await waitFor('a moment away from the end of a minute', () => Date.now() % 60_000 < 55_000, 10_000, 200);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${url}/api/v1/localities`, { headers: auth })).status);
    const over = await fetch(`${url}/api/v1/localities`, { headers: auth });
    expect(statuses).toEqual([200, 200, 200]);
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({ code: 'CANH_RATE_LIMITED', message: expect.stringContaining('Too many requests from this key or token (limit 3 a minute)') });
    const retry = Number(over.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    // Another credential has its own count; a refused request changed nothing.
    expect((await fetch(`${url}/api/v1/localities`, { headers: { authorization: 'Bearer wrong-token-0000000000' } })).status).toBe(401);
  });
});
