import type { FastifyPluginAsync, preHandlerAsyncHookHandler } from 'fastify';
import { requireAdmin } from '../http/admin-auth';
import { systemClock, type Clock } from '../lib/clock';
import { parseTime } from '../lib/time';
import { DEFAULT_AUDIT_PAGE_SIZE, type AuditQuery } from '../store/audit-store';
import { MAX_PAGE_SIZE } from '../store/cursor';
import type { AuditService } from './audit-service';
import { AUDIT_OUTCOMES, type AuditEntry, type AuditOutcome } from './types';

export interface AuditRoutesOptions {
  readonly audit: AuditService;
  readonly authenticate: preHandlerAsyncHookHandler;
  /** Reads `from`/`to` such as `now-7d`. @defaultValue systemClock */
  readonly clock?: Clock;
}

export const auditEntryJson = (e: AuditEntry) => ({
  id: e.id, at: new Date(e.at).toISOString(), actor: e.actor, action: e.action, method: e.method, route: e.route, target: e.target,
  status: e.status, outcome: e.outcome, ip: e.ip, request_id: e.requestId, details: e.details,
});

const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, at: { type: 'string', format: 'date-time' },
    actor: {
      type: 'object', description: 'kind admin_token, user (with id, username, role) or anonymous',
      properties: { kind: { type: 'string', enum: ['admin_token', 'user', 'anonymous'] }, id: { type: 'string' }, username: { type: 'string' }, role: { type: 'string' } },
    },
    action: { type: 'string', description: 'e.g. incident.ack, user.create, login; `<METHOD> <route>` for a route without a name' },
    method: { type: 'string' }, route: { type: 'string', description: 'Route pattern, e.g. /api/v1/incidents/:id/ack' },
    target: { type: 'object', additionalProperties: { type: 'string' }, description: 'Route parameters' },
    status: { type: 'integer' }, outcome: { type: 'string', enum: AUDIT_OUTCOMES }, ip: { type: 'string' }, request_id: { type: 'string' },
    details: { type: 'object', additionalProperties: true, description: 'Whitelisted scalar body fields (never secrets)' },
  },
} as const;

interface ListQuery { from?: string; to?: string; actor?: string; action?: string; target?: string; outcome?: string; size?: number; cursor?: string }

/** GET /api/v1/audit: the audit log, admins only (docs/audit.md). */
export const auditRoutes: FastifyPluginAsync<AuditRoutesOptions> = async (app, { audit, authenticate, clock = systemClock }) => {
  app.get<{ Querystring: ListQuery }>('/audit', {
    preHandler: [authenticate, requireAdmin],
    schema: {
      tags: ['audit'], summary: 'The audit log, newest first (admin only)', security: [{ admin: [] }],
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          from: { type: 'string', maxLength: 64, description: 'at >= from (ISO 8601, epoch ms, now or now-<duration>)' },
          to: { type: 'string', maxLength: 64, description: 'at < to' },
          actor: { type: 'string', minLength: 1, maxLength: 64, description: 'Username of a user' },
          action: { type: 'string', minLength: 1, maxLength: 200, description: 'e.g. incident.ack, login' },
          target: { type: 'string', minLength: 1, maxLength: 200, description: 'An id or code the request named in its path' },
          outcome: { type: 'string', enum: AUDIT_OUTCOMES },
          size: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_AUDIT_PAGE_SIZE },
          cursor: { type: 'string', maxLength: 4096, description: 'next_cursor of the previous page' },
        },
      },
      response: { 200: { type: 'object', properties: { entries: { type: 'array', items: entrySchema }, next_cursor: { type: ['string', 'null'] } } } },
    },
  }, async (req) => {
    const page = await audit.list(auditQuery(req.query, clock.now()));
    return { entries: page.entries.map(auditEntryJson), next_cursor: page.nextCursor };
  });
};

/** The store query of GET /audit; throws `invalid` naming a bad time. */
export function auditQuery(q: ListQuery, now: number): AuditQuery {
  return {
    ...(q.from !== undefined ? { from: parseTime(q.from, 'from', now) } : {}),
    ...(q.to !== undefined ? { to: parseTime(q.to, 'to', now) } : {}),
    ...(q.actor !== undefined ? { actor: q.actor } : {}),
    ...(q.action !== undefined ? { action: q.action } : {}),
    ...(q.target !== undefined ? { target: q.target } : {}),
    ...(q.outcome !== undefined ? { outcome: q.outcome as AuditOutcome } : {}),
    size: q.size ?? DEFAULT_AUDIT_PAGE_SIZE,
    ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
  };
}
