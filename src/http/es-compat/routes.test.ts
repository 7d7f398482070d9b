import { gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Source } from '../../directory/types';
import { errors } from '../../errors';
import type { IngestItem } from '../../ingest/ingest-service';
import { FakeClock } from '../../lib/clock';
import { registerDecompression } from '../decompress';
import { extractApiKey } from './credentials';
import { esCompatRoutes, randomDocId, type EsCompatOptions } from './routes';

const KEY = 'canh_testkey_0123456789';
const DISABLED_KEY = 'canh_disabled_key';
const SOURCE: Source = {
  id: 'src_test', name: 'portal', locality: '01001', province: '01', kind: 'access', format: 'json',
  enabled: true, keyPrefix: 'canh_tes', createdAt: 0,
};

/** An IngestService double: real key extraction, recorded batches, and a switch to fail the queue. */
class FakeIngest {
  readonly batches: Array<{ source: Source; items: IngestItem[]; transport: string }> = [];
  readonly seen: Array<string | undefined> = [];
  queueDown = false;

  async authenticate(authorization: string | undefined): Promise<Source> {
    this.seen.push(authorization);
    const key = extractApiKey(authorization);
    if (!key) throw errors.missingCredentials('Authorization: ApiKey <source key>');
    if (key === DISABLED_KEY) throw errors.sourceDisabled(SOURCE.id);
    if (key !== KEY) throw errors.unknownKey();
    return SOURCE;
  }

  async acceptItems(source: Source, items: readonly IngestItem[], transport: 'bulk' | 'json' | 'ndjson' | 'text') {
    if (this.queueDown) throw errors.queueUnavailable(new Error('redis down'));
    this.batches.push({ source, items: [...items], transport });
    return { accepted: items.length, batchId: 'b0001' };
  }
}

const AUTH = { authorization: `ApiKey ${KEY}` };
const NDJSON = { ...AUTH, 'content-type': 'application/x-ndjson' };
const SHARDS = '"_shards":{"total":1,"successful":1,"failed":0}';
const MAIN_INFO =
  '{"name":"canh","cluster_name":"canh","cluster_uuid":"URu5pKhEL_JnQ7hQELvW20","version":{"number":"8.17.0","build_flavor":"default",' +
  '"build_type":"canh","build_hash":"canh-0.1.0","build_date":"2024-12-11T00:00:00.000Z","build_snapshot":false,"lucene_version":"9.12.0",' +
  '"minimum_wire_compatibility_version":"7.17.0","minimum_index_compatibility_version":"7.0.0"},"tagline":"You Know, for Search"}';

let ingest: FakeIngest;
let app: FastifyInstance;

async function makeApp(extra: Partial<EsCompatOptions> = {}): Promise<FastifyInstance> {
  const instance = Fastify();
  let n = 0;
  await instance.register(esCompatRoutes, {
    ingest, version: '0.1.0', maxBodyBytes: 4096, clock: new FakeClock(Date.UTC(2026, 10, 23, 2, 0, 0)),
    newDocId: () => `generated-id-${String(++n).padStart(7, '0')}`, ...extra,
  });
  return instance;
}

beforeEach(async () => {
  ingest = new FakeIngest();
  app = await makeApp();
});
afterEach(async () => app.close());

describe('authentication', () => {
  it('answers 401 in Elasticsearch shape, with challenges, when no credentials are sent', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toEqual(['Basic realm="canh", charset="UTF-8"', 'ApiKey']);
    expect(res.headers['x-elastic-product']).toBe('Elasticsearch');
    const header = '"header":{"WWW-Authenticate":["Basic realm=\\"canh\\", charset=\\"UTF-8\\"","ApiKey"]}';
    const cause = `"type":"security_exception","reason":"missing authentication credentials for REST request [/]",${header}`;
    expect(res.body).toBe(`{"error":{"root_cause":[{${cause}}],${cause}},"status":401}`);
  });

  it('answers 401 "unable to authenticate" for an unknown key, naming the URL nowhere', async () => {
    const res = await app.inject({ method: 'POST', url: '/_bulk', headers: { authorization: 'ApiKey canh_wrong', 'content-type': 'application/json' }, payload: '{"index":{}}\n{}\n' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({
      type: 'security_exception',
      reason: 'unable to authenticate with provided credentials and anonymous access is not allowed for this request',
      additional_unsuccessful_credentials: 'Unknown or revoked API key',
    });
    expect(res.headers['www-authenticate']).toEqual(['Basic realm="canh", charset="UTF-8"', 'ApiKey']);
    expect(ingest.batches).toEqual([]);
  });

  it('answers 403 security_exception for a disabled source', async () => {
    const res = await app.inject({ method: 'GET', url: '/_license', headers: { authorization: `ApiKey ${DISABLED_KEY}` } });
    expect(res.statusCode).toBe(403);
    expect(res.body).toBe(
      '{"error":{"root_cause":[{"type":"security_exception","reason":"Source src_test is disabled"}],"type":"security_exception","reason":"Source src_test is disabled"},"status":403}',
    );
  });

  it('accepts the forms shippers send: Basic user:key, ApiKey base64(id:key), ApiKey key', async () => {
    const forms = [
      `Basic ${Buffer.from(`elastic:${KEY}`).toString('base64')}`,
      `ApiKey ${Buffer.from(`canh:${KEY}`).toString('base64')}`,
      `ApiKey ${KEY}`,
    ];
    for (const authorization of forms) {
      const res = await app.inject({ method: 'GET', url: '/_cluster/health', headers: { authorization } });
      expect(res.statusCode).toBe(200);
    }
    expect(ingest.seen).toEqual(forms);
  });
});

describe('start-up calls', () => {
  it('GET / presents an Elasticsearch 8 cluster', async () => {
    const res = await app.inject({ method: 'GET', url: '/', headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-elastic-product']).toBe('Elasticsearch');
    expect(res.body).toBe(MAIN_INFO);
  });

  it('HEAD / answers 200 with the headers and no body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/', headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['x-elastic-product']).toBe('Elasticsearch');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(MAIN_INFO)));
  });

  it('presents another version when configured', async () => {
    const other = await makeApp({ esVersion: '8.19.3' });
    const res = await other.inject({ method: 'GET', url: '/?filter_path=version.number', headers: AUTH });
    expect(res.body).toBe('{"version":{"number":"8.19.3"}}');
    await other.close();
  });

  it('GET /_license is an active basic license', async () => {
    const res = await app.inject({ method: 'GET', url: '/_license', headers: AUTH });
    expect(res.body).toBe(
      '{"license":{"status":"active","uid":"6c616e68-0000-4000-8000-63616e680000","type":"basic","issue_date":"2024-12-11T00:00:00.000Z",' +
        '"issue_date_in_millis":1733875200000,"max_nodes":1000,"max_resource_units":null,"issued_to":"canh","issuer":"elasticsearch","start_date_in_millis":-1}}',
    );
  });

  it('GET /_cluster/health is green, GET /_cat/health is one text line', async () => {
    const health = await app.inject({ method: 'GET', url: '/_cluster/health', headers: AUTH });
    expect(health.json()).toMatchObject({ cluster_name: 'canh', status: 'green', timed_out: false, number_of_nodes: 1 });
    const cat = await app.inject({ method: 'GET', url: '/_cat/health', headers: AUTH });
    expect(cat.statusCode).toBe(200);
    expect(cat.headers['content-type']).toMatch(/^text\/plain/);
    expect(cat.body).toBe('1795399200 02:00:00 canh green 1 1 0 0 0 0 0 0 0 - 100.0%\n');
  });

  it('answers template, ILM, pipeline and data stream set-up calls as done', async () => {
    const json = { ...AUTH, 'content-type': 'application/json' };
    const calls = [
      { method: 'GET', url: '/_xpack' },
      { method: 'GET', url: '/_nodes/http' },
      { method: 'HEAD', url: '/_index_template/filebeat-8.17.0' },
      { method: 'PUT', url: '/_index_template/filebeat-8.17.0', payload: '{"index_patterns":["x"]}' },
      { method: 'HEAD', url: '/_template/logstash' },
      { method: 'PUT', url: '/_template/logstash', payload: '{}' },
      { method: 'GET', url: '/_ilm/policy/filebeat' },
      { method: 'PUT', url: '/_ilm/policy/filebeat', payload: '{"policy":{}}' },
      { method: 'GET', url: '/_ilm/policy' },
      { method: 'HEAD', url: '/_data_stream/logs-generic-default' },
      { method: 'PUT', url: '/_data_stream/logs-generic-default' },
      { method: 'GET', url: '/_ingest/pipeline/filebeat-8.17.0-nginx-access' },
    ] as const;
    for (const call of calls) {
      const res = await app.inject({ ...call, headers: json });
      expect({ call, status: res.statusCode, product: res.headers['x-elastic-product'] }).toEqual({ call, status: 200, product: 'Elasticsearch' });
      if (call.method === 'PUT') expect(res.body).toBe('{"acknowledged":true}');
    }
    expect(ingest.batches).toEqual([]);
  });
});

describe('POST /_bulk', () => {
  it('queues the documents as one batch, in order, with their ids, and answers like Elasticsearch 8', async () => {
    const body = '{"index":{"_index":"nginx","_id":"doc-1"}}\n{"message":"GET / 200"}\n{"create":{}}\n{"message":"GET /a 404"}\n';
    const res = await app.inject({ method: 'POST', url: '/_bulk', headers: NDJSON, payload: body });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-elastic-product']).toBe('Elasticsearch');
    expect(res.body).toBe(
      '{"errors":false,"took":0,"items":[' +
        `{"index":{"_index":"nginx","_id":"doc-1","_version":1,"result":"created",${SHARDS},"_seq_no":0,"_primary_term":1,"status":201}},` +
        `{"create":{"_index":"canh","_id":"generated-id-0000001","_version":1,"result":"created",${SHARDS},"_seq_no":1,"_primary_term":1,"status":201}}` +
        ']}',
    );
    expect(ingest.batches).toEqual([{
      source: SOURCE,
      transport: 'bulk',
      items: [{ raw: '{"message":"GET / 200"}', id: 'doc-1' }, { raw: '{"message":"GET /a 404"}' }],
    }]);
  });

  it('accepts PUT /{index}/_bulk as application/json with CRLF line ends', async () => {
    const res = await app.inject({
      method: 'PUT', url: '/web-logs/_bulk', headers: { ...AUTH, 'content-type': 'application/json; charset=utf-8' },
      payload: '{"index":{}}\r\n{"log":"line one"}\r\n',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items[0].index._index).toBe('web-logs');
    expect(ingest.batches[0].items).toEqual([{ raw: '{"log":"line one"}' }]);
  });

  it('accepts a body without Content-Type, the trailing-slash path and a gzip body once decompressed upstream', async () => {
    const noType = await app.inject({ method: 'POST', url: '/_bulk/', headers: AUTH, payload: '{"index":{}}\n{"a":1}\n' });
    expect(noType.statusCode).toBe(200);
    expect(ingest.batches).toHaveLength(1);
    // gzip itself is the app's global preParsing hook; the plugin reads the decompressed stream.
    const gz = Fastify();
    registerDecompression(gz);
    await gz.register(esCompatRoutes, { ingest, version: '0.1.0', maxBodyBytes: 4096 });
    const zipped = await gz.inject({ method: 'POST', url: '/_bulk', headers: { ...NDJSON, 'content-encoding': 'gzip' }, payload: gzipSync('{"index":{}}\n{"z":1}\n') });
    expect(zipped.statusCode).toBe(200);
    expect(ingest.batches[1].items).toEqual([{ raw: '{"z":1}' }]);
    const bomb = gzipSync(`{"index":{}}\n{"m":"${'x'.repeat(10_000)}"}\n`);
    expect(bomb.length).toBeLessThan(4096);
    const tooBig = await gz.inject({ method: 'POST', url: '/_bulk', headers: { ...NDJSON, 'content-encoding': 'gzip' }, payload: bomb });
    expect(tooBig.statusCode).toBe(413);
    await gz.close();
  });

  it('keeps a document line that is not JSON (dead-lettered later), so nothing is lost', async () => {
    const res = await app.inject({ method: 'POST', url: '/_bulk', headers: NDJSON, payload: '{"index":{}}\n127.0.0.1 - - "GET /"\n' });
    expect(res.json().errors).toBe(false);
    expect(ingest.batches[0].items).toEqual([{ raw: '127.0.0.1 - - "GET /"' }]);
  });

  it('answers update and delete with per-item errors and still queues the rest', async () => {
    const body = '{"delete":{"_index":"x","_id":"d"}}\n{"index":{}}\n{"a":1}\n{"update":{"_id":"u"}}\n{"doc":{}}\n';
    const res = await app.inject({ method: 'POST', url: '/_bulk', headers: NDJSON, payload: body });
    expect(res.statusCode).toBe(200);
    const out = res.json();
    expect(out.errors).toBe(true);
    expect(out.items.map((i: Record<string, { status: number }>) => Object.entries(i).map(([k, v]) => `${k}:${v.status}`)[0])).toEqual(['delete:400', 'index:201', 'update:400']);
    expect(res.body).toContain('{"delete":{"_index":"x","_id":"d","status":400,"error":{"type":"illegal_argument_exception","reason":"Canh accepts only');
    expect(ingest.batches[0].items).toEqual([{ raw: '{"a":1}' }]);
  });

  it('queues nothing when every action is unsupported', async () => {
    const res = await app.inject({ method: 'POST', url: '/_bulk', headers: NDJSON, payload: '{"delete":{"_id":"1"}}\n' });
    expect(res.statusCode).toBe(200);
    expect(res.json().errors).toBe(true);
    expect(ingest.batches).toEqual([]);
  });

  it('rejects a malformed action line as Elasticsearch does, queueing nothing', async () => {
    const res = await app.inject({ method: 'POST', url: '/_bulk', headers: NDJSON, payload: '{"index":{}}\n{"a":1}\n"index"\n{"b":2}\n' });
    expect(res.statusCode).toBe(400);
    const reason = 'Malformed action/metadata line [3], expected START_OBJECT but found [VALUE_STRING]';
    expect(res.body).toBe(
      `{"error":{"root_cause":[{"type":"illegal_argument_exception","reason":"${reason}"}],"type":"illegal_argument_exception","reason":"${reason}"},"status":400}`,
    );
    expect(ingest.batches).toEqual([]);
  });

  it('rejects an empty body with Elasticsearch\'s validation error', async () => {
    const res = await app.inject({ method: 'POST', url: '/_bulk', headers: NDJSON, payload: '\n' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe(
      '{"error":{"root_cause":[{"type":"action_request_validation_exception","reason":"Validation Failed: 1: no requests added;"}],' +
        '"type":"action_request_validation_exception","reason":"Validation Failed: 1: no requests added;"},"status":400}',
    );
  });

  it('filters the answer with filter_path as Filebeat and Logstash ask', async () => {
    const res = await app.inject({ method: 'POST', url: '/_bulk?filter_path=errors,items.*.error,items.*.status', headers: NDJSON, payload: '{"create":{}}\n{}\n' });
    expect(res.body).toBe('{"errors":false,"items":[{"create":{"status":201}}]}');
  });

  it('answers 413 past the body limit and 503 when the queue is down, both retryable by shippers', async () => {
    const big = await app.inject({ method: 'POST', url: '/_bulk', headers: NDJSON, payload: `{"index":{}}\n{"m":"${'x'.repeat(5000)}"}\n` });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.type).toBe('content_too_long_exception');
    ingest.queueDown = true;
    const down = await app.inject({ method: 'POST', url: '/_bulk', headers: NDJSON, payload: '{"index":{}}\n{}\n' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({
      error: {
        root_cause: [{ type: 'unavailable_shards_exception', reason: 'The ingest queue is unavailable; nothing was accepted, retry later' }],
        type: 'unavailable_shards_exception', reason: 'The ingest queue is unavailable; nothing was accepted, retry later',
      },
      status: 503,
    });
    expect(down.headers['x-elastic-product']).toBe('Elasticsearch');
  });

  it('uses the compatibility media type when the client asks for it', async () => {
    const res = await app.inject({
      method: 'POST', url: '/_bulk',
      headers: { ...AUTH, 'content-type': 'application/vnd.elasticsearch+x-ndjson; compatible-with=8', accept: 'application/vnd.elasticsearch+json; compatible-with=8' },
      payload: '{"index":{}}\n{}\n',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/vnd\.elasticsearch\+json;\s*compatible-with=8/);
  });
});

describe('encapsulation', () => {
  it('leaves JSON parsing and errors of sibling routes alone', async () => {
    const root = Fastify();
    await root.register(esCompatRoutes, { ingest, version: '0.1.0', maxBodyBytes: 4096 });
    root.post('/api/v1/echo', async (req) => ({ got: req.body }));
    const res = await root.inject({ method: 'POST', url: '/api/v1/echo', payload: { a: 1 } });
    expect(res.json()).toEqual({ got: { a: 1 } });
    expect(res.headers['x-elastic-product']).toBeUndefined();
    await root.close();
  });
});

describe('randomDocId', () => {
  it('makes 20-character base64url ids like Elasticsearch', () => {
    const ids = new Set(Array.from({ length: 50 }, randomDocId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
  });
});
