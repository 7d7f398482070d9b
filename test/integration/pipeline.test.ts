import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { sampleAccessLogPath } from '../support/shared-data';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

const LINES = [
  '203.0.113.7 - - [23/Nov/2026:09:00:01 +0700] "GET /dvc/thu-tuc?id=1 HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0"',
  '203.0.113.7 - - [23/Nov/2026:09:00:02 +0700] "POST /dvc/dang-nhap HTTP/1.1" 401 312 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0"',
  '198.51.100.23 - - [23/Nov/2026:09:00:03 +0700] "GET /wp-login.php HTTP/1.1" 404 153 "-" "sqlmap/1.7"',
  '2001:db8::1 - - [23/Nov/2026:09:00:04 +0700] "GET /dvc/ HTTP/2.0" 502 0 "-" "curl/8.5.0"',
  'this is not an access log line',
];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (res: Response): Promise<any> => res.json();
const DAY = { from: '2026-11-23T00:00:00+07:00', to: '2026-11-24T00:00:00+07:00' };

describe('HTTP → queue (real Redis) → worker → DuckDB file → search', () => {
  let svc: TestService;
  let source: { id: string; api_key: string };
  let other: { id: string; api_key: string };

  beforeAll(async () => {
    svc = await startTestService({ CANH_MAX_BODY_BYTES: String(4 * 1024 * 1024) });
    expect((await svc.admin('/api/v1/localities', { body: { code: '01', name: 'Hà Nội', level: 'province' } })).status).toBe(201);
    await svc.admin('/api/v1/localities', { body: { code: '00004', name: 'Ba Đình', level: 'commune', parent_code: '01' } });
    await svc.admin('/api/v1/localities', { body: { code: '00007', name: 'Phúc Xá', level: 'commune', parent_code: '01' } });
    source = (await svc.admin('/api/v1/sources', { body: { name: 'Cổng DVC', locality: '00004', kind: 'access', format: 'nginx_combined' } })).body;
    other = (await svc.admin('/api/v1/sources', { body: { name: 'Portal', locality: '00007', kind: 'access', format: 'json' } })).body;
  });
  afterAll(async () => svc?.stop());

  const ingest = (key: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'text/plain' }) =>
    fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${key}`, ...headers }, body });
  const stats = async (id: string) => (await svc.admin(`/api/v1/sources/${id}/stats`)).body;
  const search = async (q: string, extra = '') =>
    (await svc.admin(`/api/v1/events?q=${encodeURIComponent(q)}&from=${encodeURIComponent(DAY.from)}&to=${encodeURIComponent(DAY.to)}${extra}`)).body;

  it('accepts lines, stores the good ones, dead-letters the bad one, and finds them', async () => {
    const res = await ingest(source.api_key, LINES.join('\n') + '\n');
    expect(res.status).toBe(202);
    const answer = await json(res);
    expect(answer).toEqual({ accepted: 5, batch_id: expect.any(String) });

    const s = await waitFor('the batch to be processed', async () => ((await stats(source.id)).received === 5 ? stats(source.id) : undefined));
    expect(s).toMatchObject({ received: 5, stored: 4, dead_lettered: 1 });
    expect(s.received).toBe(s.stored + s.dead_lettered);
    expect(Date.parse(s.last_event_at)).toBe(Date.parse('2026-11-23T09:00:04+07:00'));

    const errorsPage = await search('http.response.status_code:>=400');
    expect(errorsPage.total).toBe(3);
    expect(errorsPage.events.map((e: any) => e.http.response.status_code)).toEqual([502, 404, 401]);
    expect(errorsPage.events[0]).toMatchObject({ organization: { id: '00004' }, canh: { province: '01', source_id: source.id }, source: { ip: '2001:db8::1' } });

    const dead = (await svc.admin(`/api/v1/dead-letters?source=${source.id}`)).body.dead_letters;
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ raw: 'this is not an access log line', line: 5, source_id: source.id });
    expect(dead[0].reason.length).toBeGreaterThan(10);
  });

  it('counts events per time bucket, empty buckets included', async () => {
    const h = (await svc.admin(`/api/v1/events/histogram?from=${encodeURIComponent('2026-11-23T09:00:00+07:00')}&to=${encodeURIComponent('2026-11-23T09:00:06+07:00')}&interval=2s`)).body;
    expect(h.interval_ms).toBe(2000);
    expect(h.buckets).toEqual([
      { start: '2026-11-23T02:00:00.000Z', count: 1 },
      { start: '2026-11-23T02:00:02.000Z', count: 2 },
      { start: '2026-11-23T02:00:04.000Z', count: 1 },
    ]);
  });

  it('answers a bad query with 400 naming the position', async () => {
    const res = await svc.admin(`/api/v1/events?q=${encodeURIComponent('http.response.status_code:>=abc')}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'CANH_QUERY_INVALID' });
    expect(res.body.message).toMatch(/position \d+/);
  });

  it('takes the locality from the key, whatever the line claims', async () => {
    const doc = { '@timestamp': '2026-11-23T10:00:00+07:00', organization: { id: '00004' }, source: { ip: '192.0.2.9' }, http: { request: { method: 'GET' }, response: { status_code: 200 } }, url: { original: '/claims-00004' } };
    const res = await ingest(other.api_key, JSON.stringify(doc) + '\n', { 'content-type': 'application/x-ndjson' });
    expect(res.status).toBe(202);
    await waitFor('the ndjson batch', async () => (await stats(other.id)).received === 1);
    const page = await search('url.original:"/claims-00004"');
    expect(page.total).toBe(1);
    expect(page.events[0].organization.id).toBe('00007');
    expect((await search('url.original:"/claims-00004"', '&locality=00004')).total).toBe(0);
  });

  it('answers _bulk like Elasticsearch, with the _id each document is stored under', async () => {
    const line = (path: string) => `192.0.2.44 - - [23/Nov/2026:11:00:00 +0700] "GET ${path} HTTP/1.1" 200 10 "-" "Filebeat-test"`;
    const body = [
      JSON.stringify({ create: { _index: 'logs-canh' } }), JSON.stringify({ message: line('/bulk-a') }),
      JSON.stringify({ create: { _index: 'logs-canh', _id: 'shipper-id-1' } }), JSON.stringify({ message: line('/bulk-b') }),
    ].join('\n') + '\n';
    const res = await fetch(`${svc.url}/_bulk`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'application/x-ndjson' }, body });
    expect(res.status).toBe(200);
    const answer = await json(res);
    expect(answer.errors).toBe(false);
    expect(answer.items.map((i: any) => i.create.status)).toEqual([201, 201]);
    expect(answer.items[1].create._id).toBe('shipper-id-1');
    const stored = await waitFor('the bulk documents', async () => {
      const page = await search('user_agent.original:"Filebeat-test"');
      return page.total === 2 ? page.events : undefined;
    });
    const byPath = Object.fromEntries(stored.map((e: any) => [e.url.path, e.event.id]));
    expect(byPath['/bulk-a']).toBe(answer.items[0].create._id);
    expect(byPath['/bulk-b']).toMatch(/^[A-Za-z0-9_-]{27}$/);
  });

  it('accepts gzip and processes all 10,000 lines of the real Apache log', async () => {
    const text = readFileSync(sampleAccessLogPath());
    const key = (await svc.admin('/api/v1/sources', { body: { name: 'apache', locality: '00004', kind: 'access', format: 'apache_combined' } })).body;
    const res = await ingest(key.api_key, gzipSync(text), { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    expect(res.status).toBe(202);
    expect((await json(res)).accepted).toBe(10000);
    const s = await waitFor('10,000 lines processed', async () => ((await stats(key.id)).received === 10000 ? stats(key.id) : undefined), 60_000, 200);
    expect(s).toMatchObject({ received: 10000, stored: 10000, dead_lettered: 0 });
  });

  describe('clear errors', () => {
    it('401 for an unknown or missing key', async () => {
      const unknown = await ingest('canh_not-a-real-key', 'x');
      expect(unknown.status).toBe(401);
      expect(await json(unknown)).toMatchObject({ code: 'CANH_AUTH_UNKNOWN_KEY' });
      const missing = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
      expect(missing.status).toBe(401);
    });

    it('403 for a disabled source, and accepted again once enabled', async () => {
      const s = (await svc.admin('/api/v1/sources', { body: { name: 'to disable', locality: '00004', kind: 'access', format: 'nginx_combined' } })).body;
      expect((await svc.admin(`/api/v1/sources/${s.id}`, { method: 'PATCH', body: { enabled: false } })).status).toBe(200);
      const res = await ingest(s.api_key, LINES[0]);
      expect(res.status).toBe(403);
      expect(await json(res)).toMatchObject({ code: 'CANH_INGEST_SOURCE_DISABLED' });
      await svc.admin(`/api/v1/sources/${s.id}`, { method: 'PATCH', body: { enabled: true } });
      expect((await ingest(s.api_key, LINES[0])).status).toBe(202);
    });

    it('413 with the limit in the message, also for a gzip body that expands past it', async () => {
      const big = 'a'.repeat(5 * 1024 * 1024);
      for (const [body, headers] of [
        [big, { 'content-type': 'text/plain' }],
        [gzipSync(big), { 'content-type': 'text/plain', 'content-encoding': 'gzip' }],
      ] as const) {
        const res = await ingest(source.api_key, body as string | Buffer, headers as Record<string, string>);
        expect(res.status).toBe(413);
        const err = await json(res);
        expect(err.code).toBe('CANH_INGEST_TOO_LARGE');
        expect(err.message).toContain(String(4 * 1024 * 1024));
      }
    });

    it('415 for an unknown content type, 400 for an empty body or invalid JSON', async () => {
      const xml = await ingest(source.api_key, '<a/>', { 'content-type': 'application/xml' });
      expect(xml.status).toBe(415);
      expect((await json(xml)).message).toContain('text/plain');
      const empty = await ingest(source.api_key, '\n\n', { 'content-type': 'text/plain' });
      expect(empty.status).toBe(400);
      expect((await json(empty)).code).toBe('CANH_INGEST_EMPTY_BODY');
      const badJson = await ingest(other.api_key, '{"a":', { 'content-type': 'application/json' });
      expect(badJson.status).toBe(400);
      expect((await json(badJson)).message).toContain('not valid JSON');
    });
  });

  it('reports readiness and Prometheus metrics', async () => {
    const ready = await fetch(`${svc.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await json(ready)).toEqual({ status: 'ready', checks: { redis: 'ok', store: 'ok', directory: 'ok', users: 'ok', audit: 'ok' } });
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/canh_ingest_stored_total\{dataset="web.access"\} \d+/);
    expect(metrics).toMatch(/canh_ingest_dead_lettered_total\{dataset="web.access"\} [1-9]/);
    expect(metrics).toMatch(/canh_queue_depth\{queue="ingest"\} \d+/);
    expect(metrics).toContain('canh_ingest_batch_latency_seconds_bucket');
  });
});
