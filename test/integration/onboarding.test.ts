import { parse as parseYaml } from 'yaml';
import { ADMIN_TOKEN, startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

/** An nginx combined line stamped now (the log's own time), as a fresh server would write it. */
function line(i: number, at = new Date()): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  const t = `${p(at.getUTCDate())}/${months[at.getUTCMonth()]}/${at.getUTCFullYear()}:${p(at.getUTCHours())}:${p(at.getUTCMinutes())}:${p(at.getUTCSeconds())} +0000`;
  return `203.0.113.${i} - - [${t}] "GET /dvc/thu-tuc?id=${i} HTTP/1.1" 200 512 "-" "curl/8.5.0"`;
}

describe('onboarding a source: key and configurations, status, rotation and revocation (real Redis + DuckDB)', () => {
  let svc: TestService;
  let source: { id: string; api_key: string; key_prefix: string; configs: Record<string, string> };

  beforeAll(async () => {
    svc = await startTestService();
    expect((await svc.admin('/api/v1/localities', { body: { code: '01', name: 'Hà Nội', level: 'province' } })).status).toBe(201);
  });
  afterAll(async () => svc?.stop());

  /** What the curl configuration does: POST raw lines to /api/v1/ingest with `Authorization: ApiKey <key>`. */
  const send = (key: string, lines: string[]) => fetch(`${svc.url}/api/v1/ingest`, {
    method: 'POST', headers: { authorization: `ApiKey ${key}`, 'content-type': 'text/plain' }, body: lines.join('\n') + '\n',
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const post = async (path: string): Promise<{ status: number; body: any }> => {
    const res = await fetch(svc.url + path, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return { status: res.status, body: await res.json() };
  };
  const status = async () => (await svc.admin(`/api/v1/sources/${source.id}`)).body;

  it('creates a source and answers its key once, with configurations filled with the URL and the key', async () => {
    const res = await svc.admin('/api/v1/sources', { body: { name: 'Cổng DVC Hà Nội', locality: '01', kind: 'access', format: 'nginx_combined' } });
    expect(res.status).toBe(201);
    source = res.body;
    expect(source.api_key).toMatch(/^canh_/);
    expect(source.key_prefix).toBe(source.api_key.slice(0, 12));
    const port = new URL(svc.url).port;
    for (const [name, text] of Object.entries(source.configs)) {
      expect({ name, key: text.includes(source.api_key), port: text.includes(port) }).toEqual({ name, key: true, port: true });
    }
    expect(source.configs.curl).toContain(`${svc.url}/api/v1/ingest`);
    expect(parseYaml(source.configs.vector).sinks.canh.endpoints).toEqual([svc.url]);
    expect(parseYaml(source.configs.filebeat)['output.elasticsearch']).toMatchObject({ hosts: [svc.url], password: source.api_key });

    const configs = await svc.admin(`/api/v1/sources/${source.id}/shipper-configs`);
    expect(configs.status).toBe(200);
    expect(configs.body.configs.curl).toContain('<YOUR_KEY>');
    expect(JSON.stringify(configs.body)).not.toContain(source.api_key);
  });

  it('is waiting for its first event, then receiving with events, parse rate and last event time', async () => {
    expect(await status()).toMatchObject({ id: source.id, status: 'waiting', events: 0, parse_rate: null, last_event_at: null, revoked: false });
    const before = Date.now();
    const res = await send(source.api_key, [line(1), line(2), line(3)]);
    expect(res.status).toBe(202);
    const s = await waitFor('the source to be receiving', async () => {
      const body = await status();
      return body.status === 'receiving' && body.events === 3 ? body : undefined;
    });
    expect(s).toMatchObject({ status: 'receiving', events: 3, parse_rate: 1 });
    expect(Date.parse(s.last_event_at)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(JSON.stringify(s)).not.toContain(source.api_key);
  });

  it('rotates the key: the old key is refused at once (401), the new one accepted (202)', async () => {
    const old = source.api_key;
    const res = await post(`/api/v1/sources/${source.id}/rotate-key`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: source.id, key_prefix: res.body.api_key.slice(0, 12), revoked: false });
    expect(res.body.api_key).not.toBe(old);
    expect(res.body.configs.fluent_bit).toContain(res.body.api_key);

    const refused = await send(old, [line(4)]);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'CANH_AUTH_UNKNOWN_KEY' });
    // The Elasticsearch-compatible endpoint shippers use refuses it too.
    const bulk = await fetch(`${svc.url}/_bulk`, {
      method: 'POST', headers: { authorization: `ApiKey ${old}`, 'content-type': 'application/x-ndjson' }, body: `{"create":{}}\n{"message":${JSON.stringify(line(5))}}\n`,
    });
    expect(bulk.status).toBe(401);
    expect((await send(res.body.api_key, [line(6)])).status).toBe(202);
    source = { ...source, api_key: res.body.api_key };
    await waitFor('the new key\'s event to be stored', async () => ((await status()).events === 4 ? true : undefined));
  });

  it('revokes the key: refused at once with 401 CANH_AUTH_UNKNOWN_KEY; rotate-key gives a working key again', async () => {
    const res = await post(`/api/v1/sources/${source.id}/revoke`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: source.id, revoked: true });
    const refused = await send(source.api_key, [line(7)]);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'CANH_AUTH_UNKNOWN_KEY' });
    expect(await status()).toMatchObject({ revoked: true, events: 4 });

    const again = await post(`/api/v1/sources/${source.id}/rotate-key`);
    expect(again.body).toMatchObject({ revoked: false });
    expect((await send(again.body.api_key, [line(8)])).status).toBe(202);
    expect((await send(source.api_key, [line(9)])).status).toBe(401);
  });

  it('answers 404 for an unknown source', async () => {
    expect((await post('/api/v1/sources/src_nope/rotate-key')).status).toBe(404);
    expect((await post('/api/v1/sources/src_nope/revoke')).status).toBe(404);
    expect((await svc.admin('/api/v1/sources/src_nope')).status).toBe(404);
  });
});
