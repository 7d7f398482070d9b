import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { baseApp } from './build-app';
import { registerConsole } from './console-routes';
import { registerHardening } from './hardening';

const JS = `console.log(${JSON.stringify('x'.repeat(4000))});`;

async function appWith(dir: string): Promise<FastifyInstance> {
  const app = baseApp({ maxBodyBytes: 1024 });
  registerHardening(app);
  await registerConsole(app, { dir });
  // As in buildApp: the Elasticsearch-compatible cluster information owns GET /, in a plugin registered after the console.
  await app.register(async (es) => {
    es.get('/', async () => ({ name: 'canh', version: { number: '8.15.0' } }));
  });
  return app;
}

describe('console routes', () => {
  let dir: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'canh-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Canh</title><script type="module" src="/assets/main-ABC123.js"></script>');
    writeFileSync(join(dir, 'assets', 'main-ABC123.js'), JS);
    writeFileSync(join(dir, 'assets', 'main-ABC123.css'), 'body{color:red}');
    writeFileSync(join(dir, 'secret.txt'), 'not an asset');
    app = await appWith(dir);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/login', '/incidents', '/incidents/inc_123', '/stats/backlog'])('%s answers index.html, not cached', async (url) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.body).toContain('/assets/main-ABC123.js');
  });

  it('hashed assets have their content type and a one-year cache, gzip when accepted', async () => {
    const js = await app.inject({ url: '/assets/main-ABC123.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(js.rawPayload).toString()).toBe(JS);
    const plain = await app.inject({ url: '/assets/main-ABC123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(JS);
    const css = await app.inject({ url: '/assets/main-ABC123.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers 404 for unknown assets and for names that climb out of assets/', async () => {
    for (const url of ['/assets/nope-1.js', '/assets/..%2Fsecret.txt', '/assets/%2e%2e%2fsecret.txt', '/assets/main-ABC123.exe']) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).not.toContain('not an asset');
    }
  });

  it('GET / is the console for a browser and the cluster information for a shipper', async () => {
    const browser = await app.inject({ url: '/', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(browser.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(browser.body).toContain('<title>Canh</title>');
    const shipper = await app.inject({ url: '/', headers: { accept: 'application/json' } });
    expect(shipper.json()).toMatchObject({ version: { number: '8.15.0' } });
    expect((await app.inject({ url: '/' })).json()).toMatchObject({ name: 'canh' });
  });

  it('answers 503 naming the build command while the console is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'canh-console-empty-'));
    const bare = await appWith(join(empty, 'missing'));
    try {
      for (const res of [await bare.inject({ url: '/incidents' }), await bare.inject({ url: '/', headers: { accept: 'text/html' } })]) {
        expect(res.statusCode).toBe(503);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.body).toContain('npm run build:console');
      }
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
