import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { PACKAGE_ROOT } from '../app/version';

/** Where `npm run build:console` (console/build.js) writes the console. */
export const DEFAULT_CONSOLE_DIR = join(PACKAGE_ROOT, 'dist', 'console');

/**
 * The console's pages (History API routes): each answers index.html, the app routes in the browser.
 * A page added to console/src/app.tsx's route table is added here too. `/` is the
 * Elasticsearch-compatible cluster information (shippers read it): a browser asking it for HTML
 * gets the console instead (registerConsole).
 */
export const CONSOLE_PAGES: readonly string[] = [
  '/login', '/incidents', '/incidents/:id', '/search', '/rules', '/rules/:id',
  '/sources', '/sources/new', '/sources/:id', '/localities/:code/contacts', '/stats', '/stats/*',
];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
/** Asset names as the build writes them (name-HASH.ext): nothing that could climb out of assets/. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Hashed names change with their content: browsers may keep them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const COMPRESSIBLE = new Set(['.js', '.css', '.map', '.json', '.svg', '.txt']);

export interface ConsoleRoutesOptions {
  /** The built console (index.html and assets/). @defaultValue DEFAULT_CONSOLE_DIR */
  readonly dir?: string;
}

interface CachedFile {
  readonly mtimeMs: number;
  readonly raw: Buffer;
  readonly gzip: Buffer | null;
}

/**
 * Registers the console on the root app: its pages and assets (consoleRoutes), and `GET /` for
 * browsers. `/` belongs to the Elasticsearch-compatible API (cluster information as JSON, read by
 * shippers); a request for `/` whose Accept header names text/html (a browser's address bar) gets
 * the console's page instead. Shippers send `application/json` or nothing, and keep their JSON.
 */
export async function registerConsole(app: FastifyInstance, options: ConsoleRoutesOptions = {}): Promise<void> {
  const files = consoleFiles(options.dir ?? DEFAULT_CONSOLE_DIR);
  app.addHook('onRequest', async (request, reply) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || request.url.split('?')[0] !== '/') return;
    if (!/\btext\/html\b/.test(String(request.headers.accept ?? ''))) return;
    return files.page(request, reply);
  });
  await app.register(consoleRoutes, { ...options, files });
}

/** The console's files on disk, read on request and kept in memory until they change. */
function consoleFiles(dir: string) {
  const cache = new Map<string, CachedFile>();
  const load = async (path: string, compress: boolean): Promise<CachedFile | null> => {
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return null;
    const hit = cache.get(path);
    if (hit && hit.mtimeMs === info.mtimeMs) return hit;
    const raw = await readFile(path);
    const file = { mtimeMs: info.mtimeMs, raw, gzip: compress && raw.length > 1024 ? gzipSync(raw) : null };
    cache.set(path, file);
    return file;
  };
  const send = (request: FastifyRequest, reply: FastifyReply, file: CachedFile, type: string) => {
    reply.header('content-type', type).header('vary', 'accept-encoding');
    if (file.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      return reply.header('content-encoding', 'gzip').send(file.gzip);
    }
    return reply.send(file.raw);
  };
  return {
    /** index.html (the app routes in the browser), or 503 saying how to build the console. */
    async page(request: FastifyRequest, reply: FastifyReply) {
      const index = await load(join(dir, 'index.html'), false);
      if (!index) return reply.code(503).header('content-type', 'text/html; charset=utf-8').send(NOT_BUILT);
      return send(request, reply, index, 'text/html; charset=utf-8');
    },
    /** A hashed file of assets/, or null when the name is not one the build writes or is absent. */
    async asset(request: FastifyRequest, reply: FastifyReply, name: string) {
      const ext = extname(name);
      const type = CONTENT_TYPES[ext];
      const file = ASSET_NAME.test(name) && type ? await load(join(dir, 'assets', name), COMPRESSIBLE.has(ext)) : null;
      return file ? send(request, reply, file, type) : null;
    },
  };
}

/**
 * Serves the web console: index.html (no-store) for every console page, so a reload or a shared
 * link of /incidents/inc_… opens the app there; hashed files under /assets/ with a one-year cache,
 * gzip-compressed when the browser accepts it. Files are read from disk on request (kept in memory
 * until they change), so a console built after the start is served without a restart; until it is
 * built, pages answer 503 saying how to build it.
 */
export const consoleRoutes: FastifyPluginAsync<ConsoleRoutesOptions & { files?: ReturnType<typeof consoleFiles> }> = async (app, options) => {
  const files = options.files ?? consoleFiles(options.dir ?? DEFAULT_CONSOLE_DIR);
  // The root app's security headers say no-store for every answer; hashed assets may be cached.
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/assets/') && reply.statusCode === 200) reply.header('cache-control', IMMUTABLE);
  });
  for (const url of CONSOLE_PAGES) app.get(url, { schema: { hide: true } }, (request, reply) => files.page(request, reply));
  app.get<{ Params: { file: string } }>('/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const sent = await files.asset(request, reply, request.params.file);
    if (sent) return sent;
    return reply.code(404).send({ statusCode: 404, code: 'CANH_ROUTE_NOT_FOUND', error: 'Not Found', message: `No console asset ${request.params.file}`, requestId: request.id });
  });
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Canh: console not built</title></head>
<body><h1>The Canh console is not built</h1>
<p>The API is running, but the web console's files are missing. Build them with <code>npm run build:console</code>
(<code>npm run build</code> builds the server and the console), then reload this page.</p>
<p>Bảng điều khiển web chưa được build: chạy <code>npm run build:console</code> rồi tải lại trang.</p>
</body></html>
`;
