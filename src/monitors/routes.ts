import type { FastifyPluginAsync, preHandlerAsyncHookHandler } from 'fastify';
import { requireManager } from '../http/admin-auth';
import { formatDuration } from '../rules/yaml-fields';
import type { Monitor } from './monitor';
import type { MonitorService } from './monitor-service';

export interface MonitorRoutesOptions {
  readonly monitors: MonitorService;
  readonly authenticate: preHandlerAsyncHookHandler;
}

/** A monitor as the API shows it (the YAML keys; durations in seconds). */
export function monitorJson(m: Monitor) {
  const check = m.check.type === 'http'
    ? {
        url: m.check.url, method: m.check.method, expected_status: m.check.expectedStatus, body_keyword: m.check.bodyKeyword,
        follow_redirects: m.check.followRedirects, tls_expiry_warning_days: m.check.tlsExpiryWarningDays,
      }
    : { host: m.check.host, port: m.check.port };
  return {
    id: m.id, name: m.name, locality: m.locality, service: m.service, type: m.check.type, interval: formatDuration(m.intervalMs),
    timeout: formatDuration(m.timeoutMs), enabled: m.enabled, ...check,
    origin: m.origin.kind, file: m.origin.kind === 'yaml' ? `${m.origin.file}:${m.origin.line}` : null, read_only: m.origin.kind === 'yaml',
  };
}

const nullableString = { type: ['string', 'null'] } as const;
const monitorSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, locality: { type: 'string' }, service: { type: 'string' }, type: { type: 'string' },
    interval: { type: 'string' }, timeout: { type: 'string' }, enabled: { type: 'boolean' }, url: { type: 'string' }, method: { type: 'string' },
    expected_status: { type: 'array', items: { type: 'integer' } }, body_keyword: nullableString, follow_redirects: { type: 'boolean' },
    tls_expiry_warning_days: { type: 'integer' }, host: { type: 'string' }, port: { type: 'integer' },
    origin: { type: 'string', enum: ['yaml', 'api'] }, file: nullableString, read_only: { type: 'boolean' },
  },
} as const;
/** The body: the keys of a YAML monitor (docs/monitors.md); the service validates them all at once. */
const bodySchema = { type: 'object', description: 'A monitor: the keys of a YAML monitor (docs/monitors.md)', additionalProperties: true } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

/** /api/v1/monitors: everyone reads in scope; admins and locality admins change API monitors (YAML ones are read-only). */
export const monitorRoutes: FastifyPluginAsync<MonitorRoutesOptions> = async (app, { monitors, authenticate }) => {
  app.addHook('preHandler', authenticate);

  app.get('/monitors', {
    schema: { tags: ['monitors'], summary: 'Monitors in scope (YAML and API)', response: { 200: { type: 'object', properties: { monitors: { type: 'array', items: monitorSchema } } } } },
  }, async (req) => ({ monitors: (await monitors.list(req.scope)).map(monitorJson) }));

  app.get<{ Params: { id: string } }>('/monitors/:id', {
    schema: { tags: ['monitors'], summary: 'One monitor; 404 when unknown or outside the scope', params: idParams, response: { 200: monitorSchema } },
  }, async (req) => monitorJson(await monitors.get(req.params.id, req.scope)));

  app.post('/monitors', {
    preHandler: requireManager,
    schema: { tags: ['monitors'], summary: 'Create a monitor in a locality of the scope', body: bodySchema, response: { 201: monitorSchema } },
  }, async (req, reply) => reply.code(201).send(monitorJson(await monitors.create(req.body, req.scope))));

  app.put<{ Params: { id: string } }>('/monitors/:id', {
    preHandler: requireManager,
    schema: { tags: ['monitors'], summary: 'Replace an API monitor; 409 for a YAML monitor', params: idParams, body: bodySchema, response: { 200: monitorSchema } },
  }, async (req) => monitorJson(await monitors.update(req.params.id, req.body, req.scope)));

  app.delete<{ Params: { id: string } }>('/monitors/:id', {
    preHandler: requireManager,
    schema: { tags: ['monitors'], summary: 'Delete an API monitor; 409 for a YAML monitor', params: idParams, response: { 204: { type: 'null' } } },
  }, async (req, reply) => {
    await monitors.delete(req.params.id, req.scope);
    return reply.code(204).send();
  });
};
