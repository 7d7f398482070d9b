import type { FastifyPluginAsync, preHandlerAsyncHookHandler } from 'fastify';
import type { DirectoryService } from '../directory/directory-service';
import type { Source } from '../directory/types';
import { errors } from '../errors';
import type { IngestItem, IngestService } from './ingest-service';
import { requireManager } from '../http/admin-auth';
import { hardeningErrors } from '../http/hardening';
import { findTooDeep } from '../http/json-depth';
import { MAX_JSON_DEPTH } from './parsers/json-doc';

declare module 'fastify' {
  interface FastifyRequest {
    /** The source whose key authenticated an ingest request. */
    source?: Source;
  }
}

export interface IngestRoutesOptions {
  readonly ingest: IngestService;
  readonly maxBodyBytes: number;
}

export const ACCEPTED_TYPES = ['text/plain', 'application/x-ndjson', 'application/json'];

/** POST /api/v1/ingest: raw lines, NDJSON or JSON from a source key; answers once durably queued. */
export const ingestRoutes: FastifyPluginAsync<IngestRoutesOptions> = async (app, { ingest, maxBodyBytes }) => {
  app.removeAllContentTypeParsers();
  for (const type of ['text/plain', 'application/x-ndjson', 'application/json']) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));
  }
  app.addContentTypeParser('*', (req, _payload, done) => done(errors.unsupportedMediaType(String(req.headers['content-type'] ?? 'none'), ACCEPTED_TYPES), undefined));

  // Authenticate before the body is read: an unknown key never gets to upload 32 MiB.
  app.addHook('onRequest', async (req) => {
    req.source = await ingest.authenticate(req.headers.authorization);
  });

  app.post('/ingest', {
    bodyLimit: maxBodyBytes,
    schema: {
      tags: ['ingest'],
      summary: 'Send log lines (text/plain), NDJSON or JSON (object or array); gzip accepted',
      response: { 202: { type: 'object', properties: { accepted: { type: 'integer' }, batch_id: { type: 'string' } } } },
    },
  }, async (req, reply) => {
    const source = req.source as Source;
    const body = typeof req.body === 'string' ? req.body : '';
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!body.trim()) throw errors.emptyBody();
    const result = type === 'application/json'
      ? await ingest.acceptItems(source, jsonItems(body), 'json')
      : await ingest.acceptBody(source, body, type === 'text/plain' ? 'text' : 'ndjson');
    return reply.status(202).send({ accepted: result.accepted, batch_id: result.batchId });
  });
};

/**
 * A JSON body is one document or an array of them; each becomes one item. A document nested deeper
 * than the worker accepts (the array around documents not counted) refuses the whole body before it
 * is parsed: re-serializing it could exhaust the stack.
 */
function jsonItems(body: string): IngestItem[] {
  const wrapper = /^\s*\[/.test(body) ? 1 : 0;
  const deep = findTooDeep(body, MAX_JSON_DEPTH + wrapper);
  if (deep) throw hardeningErrors.tooDeep(deep.position, MAX_JSON_DEPTH);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw errors.invalidRequest(`The body is not valid JSON: ${(err as Error).message}. Send one JSON document per line as application/x-ndjson to have bad lines kept as dead letters instead`);
  }
  const docs = Array.isArray(value) ? value : [value];
  return docs.map((doc) => ({ raw: JSON.stringify(doc) }));
}

export interface SourceImportRoutesOptions {
  readonly ingest: IngestService;
  readonly directory: DirectoryService;
  readonly authenticate: preHandlerAsyncHookHandler;
  readonly maxBodyBytes: number;
}

/** POST /api/v1/sources/{id}/import: an admin backfills raw lines for a source (`canh import`). */
export const sourceImportRoutes: FastifyPluginAsync<SourceImportRoutesOptions> = async (app, { ingest, directory, authenticate, maxBodyBytes }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['text/plain', 'application/x-ndjson'], { parseAs: 'string', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('*', (req, _payload, done) => done(errors.unsupportedMediaType(String(req.headers['content-type'] ?? 'none'), ['text/plain', 'application/x-ndjson']), undefined));
  app.addHook('onRequest', authenticate);

  app.post<{ Params: { id: string } }>('/sources/:id/import', {
    bodyLimit: maxBodyBytes,
    preHandler: requireManager,
    schema: {
      tags: ['ingest'],
      summary: 'Backfill lines for a source (admin); same pipeline as /ingest',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
      response: { 202: { type: 'object', properties: { accepted: { type: 'integer' }, batch_id: { type: 'string' } } } },
    },
  }, async (req, reply) => {
    const source = await directory.getSource(req.params.id, req.scope);
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const result = await ingest.acceptBody(source, typeof req.body === 'string' ? req.body : '', type === 'text/plain' ? 'text' : 'ndjson');
    return reply.status(202).send({ accepted: result.accepted, batch_id: result.batchId });
  });
};
