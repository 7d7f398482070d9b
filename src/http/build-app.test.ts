import { DirectoryService } from '../directory/directory-service';
import { EventSearchService } from '../events/search-service';
import { IngestService } from '../ingest/ingest-service';
import { FakeClock } from '../lib/clock';
import { Metrics } from '../lib/metrics';
import { MemoryIngestQueue } from '../queue/memory-ingest-queue';
import { MemoryDirectoryStore } from '../store/memory/directory-store';
import { MemoryEventStore } from '../store/memory/event-store';
import { ALL_SCOPE } from '../store/scope';
import { errors } from '../errors';
import { buildApp } from './build-app';

const TOKEN = 'unit-test-admin-token-123';

async function setup() {
  const clock = new FakeClock();
  const directory = new DirectoryService(new MemoryDirectoryStore(), clock);
  const queue = new MemoryIngestQueue();
  const app = await buildApp({
    adminToken: TOKEN, maxBodyBytes: 64 * 1024, version: '0.0.0-test', metrics: new Metrics(),
    directory, ingest: new IngestService(directory, queue, clock),
    search: new EventSearchService(new MemoryEventStore(), directory, clock),
    readiness: async () => ({ redis: null, store: 'store: down for the test' }),
  });
  await directory.createLocality({ code: '01', name: 'Hà Nội', level: 'province' });
  const { source, apiKey } = await directory.createSource({ name: 'portal', locality: '01', kind: 'access', format: 'nginx_combined' }, ALL_SCOPE);
  return { app, queue, source, apiKey };
}

describe('the HTTP app', () => {
  it('answers 503 and accepts nothing when the queue is down', async () => {
    const { app, queue, apiKey } = await setup();
    // What BullMqIngestQueue throws when Redis does not answer.
    queue.fail = errors.queueUnavailable(new Error('ECONNREFUSED'));
    const res = await app.inject({ method: 'POST', url: '/api/v1/ingest', headers: { authorization: `ApiKey ${apiKey}`, 'content-type': 'text/plain' }, payload: 'a line\n' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'CANH_QUEUE_UNAVAILABLE', requestId: expect.any(String) });
    expect(queue.jobs).toHaveLength(0);
  });

  it('queues an accepted batch whole, with the source snapshot from the key', async () => {
    const { app, queue, apiKey, source } = await setup();
    const res = await app.inject({ method: 'POST', url: '/api/v1/ingest', headers: { authorization: `ApiKey ${apiKey}`, 'content-type': 'text/plain' }, payload: 'one\n\ntwo\r\n' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 2, batch_id: queue.jobs[0].batchId });
    expect(queue.jobs[0]).toMatchObject({ transport: 'text', count: 2, body: 'one\n\ntwo\r\n', source: { id: source.id, locality: '01', province: '01', format: 'nginx_combined' } });
  });

  it('requires the admin token on admin routes and never shows a key or its hash', async () => {
    const { app } = await setup();
    expect((await app.inject({ method: 'GET', url: '/api/v1/sources' })).statusCode).toBe(401);
    const wrong = await app.inject({ method: 'GET', url: '/api/v1/sources', headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.json()).toMatchObject({ statusCode: 401, code: 'CANH_AUTH_BAD_TOKEN' });
    const ok = await app.inject({ method: 'GET', url: '/api/v1/sources', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.json().sources[0]).not.toHaveProperty('keyHash');
    expect(ok.json().sources[0]).not.toHaveProperty('api_key');
  });

  it('says which dependency is not ready', async () => {
    const { app } = await setup();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not_ready', checks: { redis: 'ok', store: 'store: down for the test' } });
  });

  it('serves the OpenAPI document of the /api/v1 routes', async () => {
    const { app } = await setup();
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/ingest', '/api/v1/events', '/api/v1/events/histogram', '/api/v1/sources/{id}/stats', '/_bulk']));
  });
});
