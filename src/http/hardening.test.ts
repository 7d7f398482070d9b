import { DirectoryService } from '../directory/directory-service';
import { EventSearchService } from '../events/search-service';
import { IngestService } from '../ingest/ingest-service';
import { FakeClock } from '../lib/clock';
import { Metrics } from '../lib/metrics';
import { MemoryIngestQueue } from '../queue/memory-ingest-queue';
import { MemoryDirectoryStore } from '../store/memory/directory-store';
import { MemoryEventStore } from '../store/memory/event-store';
import { ALL_SCOPE } from '../store/scope';
import { buildApp } from './build-app';
import { findTooDeep } from './json-depth';
import { addressBucket, credentialId, MemoryRateCounter, RateLimiter, type RateCounter } from './rate-limit';
import { firstInvalidUtf8 } from './utf8';
import { validateUserInput } from '../users/validate';

const TOKEN = 'unit-test-admin-token-123';
const ADMIN = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function setup(options: { rateLimiter?: RateLimiter; maxJsonDepth?: number } = {}) {
  const clock = new FakeClock();
  const store = new MemoryDirectoryStore();
  const directory = new DirectoryService(store, clock);
  const queue = new MemoryIngestQueue();
  const app = await buildApp({
    adminToken: TOKEN, maxBodyBytes: 64 * 1024, version: '0.0.0-test', metrics: new Metrics(),
    directory, ingest: new IngestService(directory, queue, clock),
    search: new EventSearchService(new MemoryEventStore(), directory, clock),
    readiness: async () => ({ redis: null }),
    ...options,
  });
  await directory.createLocality({ code: '01', name: 'Hà Nội', level: 'province' });
  const { apiKey } = await directory.createSource({ name: 'portal', locality: '01', kind: 'access', format: 'json' }, ALL_SCOPE);
  return { app, queue, directory, apiKey };
}

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('security headers', () => {
  const expected = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
  };

  it('are on answers, errors, 404s and Elasticsearch-compatible answers, without HSTS over plain HTTP or a banner', async () => {
    const { app, apiKey } = await setup();
    const answers = await Promise.all([
      app.inject({ method: 'GET', url: '/healthz' }),
      app.inject({ method: 'GET', url: '/api/v1/sources' }),
      app.inject({ method: 'GET', url: '/no/such/route' }),
      app.inject({ method: 'GET', url: '/', headers: { authorization: `ApiKey ${apiKey}` } }),
      app.inject({ method: 'POST', url: '/api/v1/localities', headers: ADMIN, payload: '{"code":' }),
    ]);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 401, 404, 200, 400]);
    for (const res of answers) {
      expect(res.headers).toMatchObject(expected);
      expect(res.headers).not.toHaveProperty('strict-transport-security');
      expect(res.headers).not.toHaveProperty('x-powered-by');
      expect(res.headers).not.toHaveProperty('server');
    }
  });

  it('add Strict-Transport-Security only to requests that came over TLS', async () => {
    const { app } = await setup();
    app.addHook('onRequest', async (req) => {
      if (req.headers['x-test-tls']) Object.defineProperty(req.raw.socket, 'encrypted', { value: true });
    });
    const tls = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-test-tls': '1' } });
    expect(tls.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });
});

describe('JSON request bodies', () => {
  it('refuses a body nested deeper than the limit before parsing it, naming the position', async () => {
    const { app, directory } = await setup({ maxJsonDepth: 4 });
    const body = `{"code":"02","name":"x","level":"province","extra":${nested(4)}}`;
    // The body's own object is level 1: the innermost `{` of `extra` opens level 5.
    const at = body.indexOf('{"a":1}');
    const res = await app.inject({ method: 'POST', url: '/api/v1/localities', headers: ADMIN, payload: body });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CANH_REQUEST_TOO_DEEP', message: `The JSON body is nested deeper than 4 levels (at character ${at}); flatten it`, details: { position: at, max_depth: 4 } });
    expect(await directory.listLocalities(ALL_SCOPE)).toHaveLength(1);
  });

  it('refuses a megabyte of brackets quickly with the default limit of 32', async () => {
    const { app } = await setup();
    const started = Date.now();
    const res = await app.inject({ method: 'POST', url: '/api/v1/localities', headers: ADMIN, payload: '['.repeat(60_000) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CANH_REQUEST_TOO_DEEP', details: { position: 32, max_depth: 32 } });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('still refuses prototype poisoning', async () => {
    const { app } = await setup();
    for (const payload of ['{"code":"02","__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}']) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/localities', headers: ADMIN, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('CANH_REQUEST_INVALID');
    }
  });

  it('refuses a body that is not UTF-8 with the offset of the first bad byte, and stores nothing', async () => {
    const { app, directory } = await setup();
    const payload = Buffer.concat([Buffer.from('{"code":"02","name":"H'), Buffer.from([0xe0, 0x80]), Buffer.from('","level":"province"}')]);
    const res = await app.inject({ method: 'POST', url: '/api/v1/localities', headers: ADMIN, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CANH_REQUEST_INVALID_UTF8', message: expect.stringContaining('offset 22'), details: { offset: 22 } });
    expect(await directory.listLocalities(ALL_SCOPE)).toHaveLength(1);
  });

  it('accepts ordinary UTF-8 JSON', async () => {
    const { app } = await setup();
    const res = await app.inject({ method: 'POST', url: '/api/v1/localities', headers: ADMIN, payload: { code: '02', name: 'Hà Giang', level: 'province' } });
    expect(res.statusCode).toBe(201);
  });
});

describe('rate limits', () => {
  const limiter = (perAddress: number, perCredential: number, counter: RateCounter = new MemoryRateCounter()) =>
    new RateLimiter(counter, { perAddress, perCredential });

  it('answers 429 CANH_RATE_LIMITED with Retry-After past the per-address limit, before authentication', async () => {
    const { app } = await setup({ rateLimiter: limiter(3, 0) });
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'GET', url: '/api/v1/sources' })).statusCode);
    const over = await app.inject({ method: 'GET', url: '/api/v1/sources', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(codes).toEqual([401, 401, 401]);
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ code: 'CANH_RATE_LIMITED', message: expect.stringContaining('from this address (limit 3 a minute)') });
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(over.headers['x-frame-options']).toBe('DENY');
    // Probes are never limited.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('counts each credential on its own, including source keys on ingest', async () => {
    const { app, apiKey, queue } = await setup({ rateLimiter: limiter(0, 2) });
    const send = (key: string) => app.inject({ method: 'POST', url: '/api/v1/ingest', headers: { authorization: `ApiKey ${key}`, 'content-type': 'text/plain' }, payload: 'a line\n' });
    expect((await send(apiKey)).statusCode).toBe(202);
    expect((await send(apiKey)).statusCode).toBe(202);
    const over = await send(apiKey);
    expect(over.statusCode).toBe(429);
    expect(over.json().message).toContain('from this key or token (limit 2 a minute)');
    expect(queue.jobs).toHaveLength(2);
    expect((await app.inject({ method: 'GET', url: '/api/v1/sources', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
  });

  it('lets requests through and logs once when the counters are unreachable', async () => {
    const warnings: string[] = [];
    const down: RateCounter = { hit: async () => { throw new Error('ECONNREFUSED'); } };
    const rl = new RateLimiter(down, { perAddress: 1, perCredential: 1 }, { warn: (_o, msg) => warnings.push(msg) });
    const { app } = await setup({ rateLimiter: rl });
    for (let i = 0; i < 3; i++) expect((await app.inject({ method: 'GET', url: '/api/v1/sources', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    expect(warnings).toEqual([expect.stringContaining('unreachable')]);
  });

  it('lets requests through when the counter is slower than its timeout', async () => {
    const slow: RateCounter = { hit: () => new Promise(() => undefined) };
    const rl = new RateLimiter(slow, { perAddress: 1, perCredential: 0, timeoutMs: 20 });
    expect(await rl.check({ address: '192.0.2.1', credential: null }, 0)).toEqual({ allowed: true });
  });

  it('starts a fresh count each window and says how long to wait', async () => {
    const rl = limiter(1, 0);
    const who = { address: '192.0.2.1', credential: null };
    expect(await rl.check(who, 60_000)).toEqual({ allowed: true });
    expect(await rl.check(who, 110_500)).toEqual({ allowed: false, limit: 1, per: 'address', retryAfterSeconds: 10 });
    expect(await rl.check(who, 120_000)).toEqual({ allowed: true });
  });

  it('identifies credentials by a hash and IPv6 clients by their /64', () => {
    expect(credentialId('ApiKey canh_secret')).toMatch(/^[0-9a-f]{32}$/);
    expect(credentialId('ApiKey canh_secret')).not.toContain('secret');
    expect(addressBucket('2001:db8:0:12:aaaa::1')).toBe('2001:db8:0:12::/64');
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressBucket('192.0.2.7')).toBe('192.0.2.7');
  });
});

describe('findTooDeep', () => {
  it('counts containers, not brackets inside strings or after escapes', () => {
    expect(findTooDeep('[[1]]', 2)).toBeNull();
    expect(findTooDeep('[[[1]]]', 2)).toEqual({ position: 2, maxDepth: 2 });
    expect(findTooDeep('{"a":"[[[[\\"[[["}', 1)).toBeNull();
    expect(findTooDeep('[1],[2],[3]', 1)).toBeNull();
  });
});

describe('firstInvalidUtf8', () => {
  it('finds the first byte that is not well-formed UTF-8', () => {
    expect(firstInvalidUtf8(Buffer.from('Hà Nội 🌏'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xff]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong "/"
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // a surrogate
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe2, 0x82]))).toBe(2); // cut short
  });
});

describe('input rules', () => {
  it('refuses control characters in names, naming the field and position', async () => {
    const { app, directory } = await setup();
    const res = await app.inject({ method: 'POST', url: '/api/v1/localities', headers: ADMIN, payload: { code: '02', name: 'Hà\u0000Giang', level: 'province' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CANH_REQUEST_INVALID', message: 'Invalid locality: name: must not contain control characters (U+0000 at position 2)' });
    const source = await app.inject({ method: 'POST', url: '/api/v1/sources', headers: ADMIN, payload: { name: 'portal\r\nX-Evil: 1', locality: '01', kind: 'access', format: 'json' } });
    expect(source.statusCode).toBe(400);
    expect(source.json().message).toContain('name: must not contain control characters (U+000D at position 6)');
    expect(await directory.listLocalities(ALL_SCOPE)).toHaveLength(1);
  });

  it('refuses CR/LF in an email contact with its position and leaves the contacts as they were', async () => {
    const { app } = await setup();
    const url = '/api/v1/localities/01/contacts';
    expect((await app.inject({ method: 'PUT', url, headers: ADMIN, payload: { contacts: [{ email: 'soc@hanoi.gov.vn' }] } })).statusCode).toBe(200);
    for (const email of ['soc@hanoi.gov.vn\r\nBcc: all@example.com', 'soc@hanoi.gov.vn\n', 'a\u0000@hanoi.gov.vn']) {
      const res = await app.inject({ method: 'PUT', url, headers: ADMIN, payload: { contacts: [{ email }] } });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/^Invalid contacts: contacts\[0\]\.email: must not contain control characters/);
    }
    const webhook = await app.inject({ method: 'PUT', url, headers: ADMIN, payload: { contacts: [{ email: 'b@hanoi.gov.vn' }, { webhook: 'https://hooks.example.vn/a\nb' }] } });
    expect(webhook.json().message).toContain('contacts[1].webhook: must not contain control characters (U+000A at position 26)');
    const after = await app.inject({ method: 'GET', url, headers: ADMIN });
    expect(after.json().contacts).toEqual([{ email: 'soc@hanoi.gov.vn', language: 'vi' }]);
  });

  it('refuses control characters in usernames and display names', () => {
    const base = { username: 'lan.nguyen', password: 'a long enough password', role: 'analyst', locality: '01' };
    expect(() => validateUserInput({ ...base, display_name: 'Lan\u001b[31m' })).toThrow('display_name: must not contain control characters (U+001B at position 3)');
    expect(() => validateUserInput({ ...base, username: 'lan\u0000' })).toThrow('username: must not contain control characters (U+0000 at position 3)');
  });
});
