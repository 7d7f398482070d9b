import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Source } from '../../directory/types';
import type { IngestService } from '../../ingest/ingest-service';
import { systemClock, type Clock } from '../../lib/clock';
import { parseBulk, type BulkDocItem } from './bulk-parse';
import { eventId } from '../../ingest/event-id';
import { buildBulkResponse } from './bulk-response';
import * as info from './cluster-info';
import { noRequestsError, toEsError } from './es-errors';
import { applyFilterPath } from './filter-path';

/**
 * Elasticsearch-compatible ingest: the endpoints Vector, Fluent Bit, Filebeat, Logstash and rsyslog
 * call when told Canh is an Elasticsearch cluster (docs/shippers.md). `_bulk` documents are queued
 * as one batch for the ingest worker; the start-up calls get the answers of a healthy Elasticsearch 8.
 * Every route requires a source key (as Elasticsearch with security on does), every answer carries
 * `X-Elastic-Product: Elasticsearch`, and errors have Elasticsearch's shape.
 */

export interface EsCompatOptions {
  /** Authenticates source keys and queues batches. */
  readonly ingest: Pick<IngestService, 'authenticate' | 'acceptItems'>;
  /** Canh's version, shown in the build fields of `GET /`. */
  readonly version: string;
  /** Largest request body accepted, after decompression. */
  readonly maxBodyBytes: number;
  /** Elasticsearch version presented to clients. @defaultValue `8.17.0` */
  readonly esVersion?: string;
  /** @defaultValue the system clock */
  readonly clock?: Clock;
  /** `_id` of a document sent without one. @defaultValue 20 random base64url characters, like Elasticsearch */
  readonly newDocId?: () => string;
}

/** `_index` reported for documents whose action and URL name no index (the index is ignored anyway). */
const FALLBACK_INDEX = 'canh';
const TAG = 'elasticsearch-compatible';
const ANY_QUERY = { type: 'object', additionalProperties: true } as const;
const ANY_OBJECT = { description: 'As Elasticsearch 8 answers', type: 'object', additionalProperties: true } as const;

const sources = new WeakMap<FastifyRequest, Source>();

/** 15 random bytes in base64url: the 20-character shape of Elasticsearch's generated ids. */
export function randomDocId(): string {
  return randomBytes(15).toString('base64url');
}

export const esCompatRoutes: FastifyPluginAsync<EsCompatOptions> = async (app, options) => {
  const clock = options.clock ?? systemClock;
  // Every body is read as text: `_bulk` is parsed here, the start-up PUTs are acknowledged unread.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: options.maxBodyBytes }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err, request, reply) => {
    const es = toEsError(err, request.url, request.id, options.maxBodyBytes);
    if (es.status >= 500) request.log.error({ err }, 'elasticsearch-compatible request failed');
    for (const [name, value] of Object.entries(es.headers)) reply.header(name, value);
    return sendJson(request, reply, es.status, es.body);
  });
  // Authenticate before the body is read: an unknown key never gets to upload a large body.
  app.addHook('onRequest', async (request) => {
    sources.set(request, await options.ingest.authenticate(request.headers.authorization));
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('X-Elastic-Product', 'Elasticsearch');
  });
  registerInfoRoutes(app, options);
  registerSetupRoutes(app, clock);
  registerBulkRoutes(app, options, clock);
};

function registerInfoRoutes(app: FastifyInstance, options: EsCompatOptions): void {
  const esVersion = options.esVersion ?? info.DEFAULT_ES_VERSION;
  const get = (url: string, summary: string, body: () => unknown) =>
    app.get(url, { exposeHeadRoute: true, schema: { tags: [TAG], summary, querystring: ANY_QUERY, response: { 200: ANY_OBJECT } } },
      async (request, reply) => sendJson(request, reply, 200, body()));
  get('/', 'Cluster information (version 8.x); HEAD / answers the same without a body', () => info.mainInfo({ canhVersion: options.version, esVersion }));
  get('/_license', 'An active basic license', info.licenseInfo);
  get('/_xpack', 'X-Pack features', () => info.xpackInfo(options.version));
  get('/_cluster/health', 'Cluster health: green', info.clusterHealth);
  get('/_cluster/health/:index', 'Index health: green', info.clusterHealth);
  get('/_nodes', 'No nodes to sniff', info.nodesInfo);
  get('/_nodes/*', 'No nodes to sniff', info.nodesInfo);
}

/** Template, ILM, pipeline and data stream set-up calls: answered as done, nothing is stored. */
function registerSetupRoutes(app: FastifyInstance, clock: Clock): void {
  app.get('/_cat/health', {
    exposeHeadRoute: true,
    schema: { tags: [TAG], summary: 'Cluster health as one text line (rsyslog checks it)', response: { 200: { type: 'string' } } },
  }, async (_request, reply) => reply.type('text/plain; charset=UTF-8').send(info.catHealth(clock.now())));
  const pairs: Array<[string, string, (name: string) => unknown]> = [
    ['/_index_template/:name', 'Composable index template', info.indexTemplate],
    ['/_template/:name', 'Legacy index template', info.legacyTemplate],
    ['/_ilm/policy/:name', 'ILM policy', info.ilmPolicy],
    ['/_data_stream/:name', 'Data stream', info.dataStream],
    ['/_ingest/pipeline/:name', 'Ingest pipeline (never run)', info.ingestPipeline],
  ];
  const params = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } as const;
  for (const [url, what, body] of pairs) {
    app.get<{ Params: { name: string } }>(url, {
      exposeHeadRoute: true,
      schema: { tags: [TAG], summary: `${what}: reported as existing`, params, querystring: ANY_QUERY, response: { 200: ANY_OBJECT } },
    }, async (request, reply) => sendJson(request, reply, 200, body(request.params.name)));
    app.put(url, {
      schema: { tags: [TAG], summary: `${what}: acknowledged, not stored`, params, querystring: ANY_QUERY, response: { 200: ANY_OBJECT } },
    }, async (request, reply) => sendJson(request, reply, 200, info.acknowledged()));
  }
  app.get('/_ilm/policy', {
    exposeHeadRoute: true,
    schema: { tags: [TAG], summary: 'ILM policies: none', querystring: ANY_QUERY, response: { 200: ANY_OBJECT } },
  }, async (request, reply) => sendJson(request, reply, 200, {}));
}

function registerBulkRoutes(app: FastifyInstance, options: EsCompatOptions, clock: Clock): void {
  const newId = options.newDocId ?? randomDocId;
  const handler = async (request: FastifyRequest<{ Params: { index?: string } }>, reply: FastifyReply) => {
    const started = clock.now();
    const source = sources.get(request) as Source;
    const { items } = parseBulk(typeof request.body === 'string' ? request.body : '', request.params.index);
    if (items.length === 0) throw noRequestsError();
    const docs = items.filter((item): item is BulkDocItem => item.kind === 'doc');
    const ids: string[] = [];
    if (docs.length > 0) {
      const { batchId } = await options.ingest.acceptItems(source, docs.map(toIngestItem), 'bulk');
      // Documents without an _id get the event.id they will be stored under (line = position in the batch).
      docs.forEach((doc, i) => {
        if (!doc.id) ids.push(options.newDocId ? options.newDocId() : eventId({ sourceId: source.id, batchId, line: i + 1 }));
      });
    }
    const nextId = () => ids.shift() ?? newId();
    return sendJson(request, reply, 200, buildBulkResponse(items, { took: clock.now() - started, newId: nextId, fallbackIndex: FALLBACK_INDEX }));
  };
  const schema = {
    tags: [TAG],
    summary: 'Bulk API: index/create documents (NDJSON); answered once durably queued',
    querystring: ANY_QUERY,
    response: { 200: ANY_OBJECT, 400: ANY_OBJECT, 401: ANY_OBJECT },
  };
  for (const url of bulkUrls(app)) {
    const params = url.includes(':index') ? { type: 'object', properties: { index: { type: 'string' } } } : undefined;
    const variant = { ...(params ? { params } : {}), ...(url.endsWith('/') ? { hide: true } : {}) };
    app.route({ method: ['POST', 'PUT'], url, bodyLimit: options.maxBodyBytes, schema: { ...schema, ...variant }, handler });
  }
}

/** `/_bulk` and `/{index}/_bulk`, plus the trailing-slash forms (older Fluent Bit) unless the router ignores them. */
function bulkUrls(app: FastifyInstance): string[] {
  const config = app.initialConfig as { ignoreTrailingSlash?: boolean; routerOptions?: { ignoreTrailingSlash?: boolean } };
  const urls = ['/_bulk', '/:index/_bulk'];
  const ignored = config.ignoreTrailingSlash === true || config.routerOptions?.ignoreTrailingSlash === true;
  return ignored ? urls : [...urls, ...urls.map((u) => `${u}/`)];
}

function toIngestItem(item: BulkDocItem): { raw: string; id?: string } {
  return item.id === undefined ? { raw: item.source } : { raw: item.source, id: item.id };
}

/**
 * Sends a JSON body serialized here, not by Fastify, so key order and bytes are exactly these.
 * Honours Elasticsearch's `filter_path` and `pretty` query parameters and compatibility media type.
 */
function sendJson(request: FastifyRequest, reply: FastifyReply, status: number, body: unknown): FastifyReply {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const filtered = applyFilterPath(body, typeof query.filter_path === 'string' ? query.filter_path : undefined);
  const pretty = query.pretty !== undefined && query.pretty !== 'false';
  const accept = String(request.headers.accept ?? '');
  // The charset is spelled out so Fastify leaves the media type as written (it would quote `8`).
  const type = accept.includes('application/vnd.elasticsearch+json')
    ? 'application/vnd.elasticsearch+json;compatible-with=8;charset=utf-8'
    : 'application/json; charset=utf-8';
  return reply.code(status).header('content-type', type).send(pretty ? `${JSON.stringify(filtered, null, 2)}\n` : JSON.stringify(filtered));
}

