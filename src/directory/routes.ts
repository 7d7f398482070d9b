import type { FastifyPluginAsync, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { EventSearchService } from '../events/search-service';
import { errors } from '../errors';
import { requireAdmin, requireManager } from '../http/admin-auth';
import type { SyslogSettingsService } from '../syslog/syslog-settings';
import type { DirectoryService } from './directory-service';
import { publicBaseUrl, shipperConfigs } from './shipper-configs';
import { sourceStatus } from './source-status';
import type { Contact, Locality, Source } from './types';

export interface DirectoryRoutesOptions {
  readonly directory: DirectoryService;
  readonly search: EventSearchService;
  readonly authenticate: preHandlerAsyncHookHandler;
  /** Syslog matching settings of sources (create and PATCH take `syslog`); without it they are refused. */
  readonly syslogSettings?: SyslogSettingsService;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const localityJson = (l: Locality) => ({
  code: l.code, name: l.name, level: l.level, parent_code: l.parentCode, province_code: l.provinceCode, created_at: iso(l.createdAt),
});
export const sourceJson = (s: Source) => ({
  id: s.id, name: s.name, locality: s.locality, province: s.province, kind: s.kind, format: s.format,
  enabled: s.enabled, revoked: s.revoked === true, key_prefix: s.keyPrefix, created_at: iso(s.createdAt),
  ...(s.syslog ? { syslog: { senders: [...s.syslog.senders], token: s.syslog.token } } : {}),
});
/** A contact as the API shows it: the input's shape, with `secret_set` instead of the secret. */
export const contactJson = (c: Contact) => (c.kind === 'email'
  ? { email: c.address, language: c.language }
  : { webhook: c.url, secret_set: c.secret !== null });

const nullableString = { type: ['string', 'null'] } as const;
const localitySchema = {
  type: 'object',
  properties: { code: { type: 'string' }, name: { type: 'string' }, level: { type: 'string' }, parent_code: nullableString, province_code: nullableString, created_at: { type: 'string' } },
} as const;
const sourceProps = {
  id: { type: 'string' }, name: { type: 'string' }, locality: { type: 'string' }, province: nullableString, kind: { type: 'string' },
  format: { type: 'string' }, enabled: { type: 'boolean' }, revoked: { type: 'boolean' }, key_prefix: { type: 'string' }, created_at: { type: 'string' },
  syslog: { type: 'object', properties: { senders: { type: 'array', items: { type: 'string' } }, token: nullableString } },
} as const;
const sourceSchema = { type: 'object', properties: sourceProps } as const;
const configsSchema = {
  type: 'object',
  properties: { vector: { type: 'string' }, fluent_bit: { type: 'string' }, filebeat: { type: 'string' }, rsyslog: { type: 'string' }, curl: { type: 'string' } },
} as const;
/** A source with a key shown this once (create, rotate-key) and the configurations holding it. */
const sourceWithKeySchema = { type: 'object', properties: { ...sourceProps, api_key: { type: 'string' }, configs: configsSchema } } as const;
const sourceStatusSchema = {
  type: 'object',
  properties: {
    ...sourceProps, status: { type: 'string', enum: ['waiting', 'receiving', 'silent'] }, events: { type: 'integer' },
    parse_rate: { type: ['number', 'null'] }, last_event_at: nullableString,
  },
} as const;

/** Canh's URL as this request reached it (`<protocol>://<Host>`), for the shipper configurations. */
function baseUrlOf(req: FastifyRequest): string {
  try {
    return publicBaseUrl(req.protocol, req.host);
  } catch {
    throw errors.invalidRequest('The Host header is not a plain host[:port]; configurations need the URL shippers should use', { field: 'host' });
  }
}
const contactsSchema = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    contacts: {
      type: 'array',
      items: { type: 'object', properties: { email: { type: 'string' }, language: { type: 'string' }, webhook: { type: 'string' }, secret_set: { type: 'boolean' } } },
    },
  },
} as const;
/** A node of GET /localities/tree; children nest the same schema. */
const localityNodeSchema = {
  $id: 'CanhLocalityNode',
  type: 'object',
  properties: {
    code: { type: 'string' }, name: { type: 'string' }, level: { type: 'string' }, communes: { type: 'integer' },
    children: { type: 'array', items: { $ref: 'CanhLocalityNode#' } },
  },
} as const;
const localityDetailSchema = { type: 'object', properties: { ...localitySchema.properties, children: { type: 'array', items: { type: 'string' } } } } as const;
/** The largest locality CSV accepted. */
export const LOCALITY_CSV_MAX_BYTES = 8 * 1024 * 1024;
const codeParams = { type: 'object', required: ['code'], properties: { code: { type: 'string', maxLength: 32 } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

/** /api/v1/localities and /api/v1/sources. */
export const directoryRoutes: FastifyPluginAsync<DirectoryRoutesOptions> = async (app, { directory, search, authenticate, syslogSettings }) => {
  const syslog = (): SyslogSettingsService => {
    if (!syslogSettings) throw errors.invalidRequest('This server does not take syslog settings', { field: 'syslog' });
    return syslogSettings;
  };
  app.addHook('preHandler', authenticate);

  app.post('/localities', {
    preHandler: requireAdmin,
    schema: {
      tags: ['directory'], summary: 'Create a locality',
      body: {
        type: 'object', required: ['code', 'name', 'level'], additionalProperties: false,
        properties: { code: { type: 'string' }, name: { type: 'string' }, level: { type: 'string', enum: ['central', 'province', 'commune'] }, parent_code: nullableString },
      },
      response: { 201: localitySchema },
    },
  }, async (req, reply) => reply.status(201).send(localityJson(await directory.createLocality(req.body))));

  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/localities/import', {
    preHandler: requireAdmin,
    // A country's communes (20,000 rows with Vietnamese names) exceed the default 1 MiB.
    bodyLimit: LOCALITY_CSV_MAX_BYTES,
    schema: {
      tags: ['directory'],
      summary: 'Import localities from CSV (code,name,level,parent_code); all rows or none: a 400 lists every bad row in details.problems and details.rows (docs/localities.md)',
      response: { 200: { type: 'object', properties: { created: { type: 'integer' } } } },
    },
  }, async (req) => directory.importLocalities(typeof req.body === 'string' ? req.body : ''));

  app.get('/localities', {
    schema: { tags: ['directory'], summary: 'List localities in scope', response: { 200: { type: 'object', properties: { localities: { type: 'array', items: localitySchema } } } } },
  }, async (req) => ({ localities: (await directory.listLocalities(req.scope)).map(localityJson) }));

  app.addSchema(localityNodeSchema);
  app.get('/localities/tree', {
    schema: {
      tags: ['directory'],
      summary: "The caller's subtree: nested {code, name, level, communes, children}, sorted by code (the whole tree for the central locality)",
      response: { 200: { type: 'object', properties: { roots: { type: 'array', items: { $ref: 'CanhLocalityNode#' } } } } },
    },
  }, async (req) => ({ roots: await directory.localityTree(req.scope) }));

  app.get<{ Params: { code: string } }>('/localities/:code', {
    schema: {
      tags: ['directory'], summary: 'One locality in scope with its parent code and the codes of its children; 404 when unknown or outside the scope',
      params: codeParams, response: { 200: localityDetailSchema },
    },
  }, async (req) => {
    const { locality, children } = await directory.getLocality(req.params.code, req.scope);
    return { ...localityJson(locality), children };
  });

  app.put<{ Params: { code: string } }>('/localities/:code/contacts', {
    preHandler: requireManager,
    schema: {
      tags: ['directory'],
      summary: 'Replace the contacts of a locality: {"contacts":[{"email","language":"vi|en"} | {"webhook","secret"}]} (at most 50; see docs/contacts.md)',
      params: codeParams,
      // Checked by the service, which names every problem with its position (contacts[2].language: ...).
      body: { type: 'object' },
      response: { 200: contactsSchema },
    },
  }, async (req) => ({ code: req.params.code, contacts: (await directory.setContacts(req.params.code, req.body, req.scope)).map(contactJson) }));

  app.get<{ Params: { code: string } }>('/localities/:code/contacts', {
    schema: { tags: ['directory'], summary: 'The contacts of a locality (webhook secrets are never shown: secret_set)', params: codeParams, response: { 200: contactsSchema } },
  }, async (req) => ({ code: req.params.code, contacts: (await directory.getContacts(req.params.code, req.scope)).map(contactJson) }));

  app.post('/sources', {
    preHandler: requireManager,
    schema: {
      tags: ['directory'], summary: 'Create a log source; the answer holds its API key, shown this once, and shipper configurations filled with it',
      body: {
        type: 'object', required: ['name', 'locality', 'kind'], additionalProperties: false,
        properties: {
          name: { type: 'string' }, locality: { type: 'string' }, kind: { type: 'string', enum: ['access', 'otp', 'probe'] },
          format: { type: 'string', enum: ['nginx_combined', 'apache_common', 'apache_combined', 'json', 'syslog'] },
          syslog: { type: 'object', description: 'format syslog: {"senders": ["192.0.2.10", "10.0.0.0/24"], "token": "..."} (docs/syslog.md)' },
        },
      },
      response: { 201: sourceWithKeySchema },
    },
  }, async (req, reply) => {
    const baseUrl = baseUrlOf(req);
    const settings = (req.body as { syslog?: unknown }).syslog;
    if (settings !== undefined) await syslog().checkTokenFree(settings);
    let { source, apiKey } = await directory.createSource(req.body, req.scope);
    if (settings !== undefined) source = await syslog().set(source.id, settings, req.scope);
    return reply.status(201).send({ ...sourceJson(source), api_key: apiKey, configs: shipperConfigs(source, baseUrl, apiKey) });
  });

  app.get('/sources', {
    schema: { tags: ['directory'], summary: 'List sources in scope', response: { 200: { type: 'object', properties: { sources: { type: 'array', items: sourceSchema } } } } },
  }, async (req) => ({ sources: (await directory.listSources(req.scope)).map(sourceJson) }));

  app.get<{ Params: { id: string } }>('/sources/:id', {
    schema: {
      tags: ['directory'],
      summary: 'One source with its status: waiting (for a first event), receiving (a batch in the last 15 minutes) or silent; events stored, parse_rate, last_event_at',
      params: idParams, response: { 200: sourceStatusSchema },
    },
  }, async (req) => {
    const source = await directory.getSource(req.params.id, req.scope);
    const st = sourceStatus(await search.sourceStats(source.id, req.scope), directory.now());
    return { ...sourceJson(source), status: st.status, events: st.events, parse_rate: st.parseRate, last_event_at: iso(st.lastEventAt) };
  });

  app.post<{ Params: { id: string } }>('/sources/:id/rotate-key', {
    preHandler: requireManager,
    schema: {
      tags: ['directory'],
      summary: 'Give a source a new API key (shown this once, with configurations); the old key is refused at once. Also re-keys a revoked source',
      params: idParams, response: { 200: sourceWithKeySchema },
    },
  }, async (req) => {
    const baseUrl = baseUrlOf(req);
    const { source, apiKey } = await directory.rotateKey(req.params.id, req.scope);
    return { ...sourceJson(source), api_key: apiKey, configs: shipperConfigs(source, baseUrl, apiKey) };
  });

  app.post<{ Params: { id: string } }>('/sources/:id/revoke', {
    preHandler: requireManager,
    schema: {
      tags: ['directory'], summary: 'Revoke the API key of a source: refused (401) at once, until rotate-key gives it a new one',
      params: idParams, response: { 200: sourceSchema },
    },
  }, async (req) => sourceJson(await directory.revokeKey(req.params.id, req.scope)));

  app.get<{ Params: { id: string } }>('/sources/:id/shipper-configs', {
    schema: {
      tags: ['directory'], summary: 'Shipper configurations for a source, with <YOUR_KEY> where the key goes (the key is shown only at creation and rotation)',
      params: idParams,
      response: { 200: { type: 'object', properties: { source_id: { type: 'string' }, url: { type: 'string' }, configs: configsSchema } } },
    },
  }, async (req) => {
    const source = await directory.getSource(req.params.id, req.scope);
    const url = baseUrlOf(req);
    return { source_id: source.id, url, configs: shipperConfigs(source, url) };
  });

  app.patch<{ Params: { id: string }; Body: { enabled?: boolean; syslog?: unknown } }>('/sources/:id', {
    preHandler: requireManager,
    schema: {
      tags: ['directory'], summary: 'Enable or disable a source (a disabled source is refused with 403); set or clear (null) its syslog settings',
      params: idParams,
      body: {
        type: 'object', minProperties: 1, additionalProperties: false,
        properties: { enabled: { type: 'boolean' }, syslog: { type: ['object', 'null'], description: '{"senders": [...], "token": "..."} or null (docs/syslog.md)' } },
      },
      response: { 200: sourceSchema },
    },
  }, async (req) => {
    let source = req.body.syslog !== undefined ? await syslog().set(req.params.id, req.body.syslog, req.scope) : null;
    if (req.body.enabled !== undefined) source = await directory.setSourceEnabled(req.params.id, req.body.enabled, req.scope);
    return sourceJson(source as Source);
  });

  app.get<{ Params: { id: string } }>('/sources/:id/stats', {
    schema: {
      tags: ['directory'], summary: 'Counters of a source: received = stored + dead_lettered for processed batches',
      params: idParams,
      response: {
        200: {
          type: 'object',
          properties: {
            source_id: { type: 'string' }, received: { type: 'integer' }, stored: { type: 'integer' }, dead_lettered: { type: 'integer' },
            last_event_at: nullableString, last_batch_at: nullableString,
          },
        },
      },
    },
  }, async (req) => {
    const s = await search.sourceStats(req.params.id, req.scope);
    return { source_id: req.params.id, received: s.received, stored: s.stored, dead_lettered: s.deadLettered, last_event_at: iso(s.lastEventAt), last_batch_at: iso(s.lastBatchAt) };
  });
};
