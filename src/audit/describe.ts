import type { Principal } from '../http/admin-auth';
import type { AuditActor, AuditDetailValue, AuditEntry, AuditOutcome } from './types';

/**
 * Pure mapping of a finished request to an audit entry: which requests are audited, the action
 * name, the outcome and the safe details. No I/O; the plugin (plugin.ts) feeds it.
 */

/** Names of the known routes, by `<METHOD> <route pattern>`. Others get that key as their action. */
export const AUDIT_ACTIONS: Readonly<Record<string, string>> = {
  'POST /api/v1/login': 'login',
  // Console sign-in and sign-out (session cookie): the route tells them from /login.
  'POST /api/v1/session': 'login',
  'DELETE /api/v1/session': 'logout',
  'POST /api/v1/users/me/tokens': 'user.token_create',
  'DELETE /api/v1/users/me/tokens/:tokenId': 'user.token_revoke',
  'POST /api/v1/users': 'user.create',
  'POST /api/v1/users/:id/disable': 'user.disable',
  'POST /api/v1/users/:id/tokens': 'user.token_create',
  'DELETE /api/v1/users/:id/tokens/:tokenId': 'user.token_revoke',
  'POST /api/v1/localities': 'locality.create',
  'POST /api/v1/localities/import': 'locality.import',
  'PUT /api/v1/localities/:code/contacts': 'locality.set_contacts',
  'POST /api/v1/sources': 'source.create',
  'PATCH /api/v1/sources/:id': 'source.set_enabled',
  'POST /api/v1/sources/:id/rotate-key': 'source.rotate_key',
  'POST /api/v1/sources/:id/revoke': 'source.revoke',
  'POST /api/v1/sources/:id/import': 'source.import',
  'POST /api/v1/rules/test': 'rule.test',
  'POST /api/v1/incidents/:id/ack': 'incident.ack',
  'POST /api/v1/incidents/:id/assign': 'incident.assign',
  'POST /api/v1/incidents/:id/comment': 'incident.comment',
  'POST /api/v1/incidents/:id/resolve': 'incident.resolve',
  'POST /api/v1/incidents/:id/reopen': 'incident.reopen',
  'POST /api/v1/incidents/:id/escalate': 'incident.escalate',
  'POST /api/v1/monitors': 'monitor.create',
  'PUT /api/v1/monitors/:id': 'monitor.update',
  'DELETE /api/v1/monitors/:id': 'monitor.delete',
};

/**
 * Body fields that may be kept, all scalar and harmless. Passwords, tokens, API keys, webhook
 * secrets, free text (comments, notes) and nested values never are: this is a whitelist, so a new
 * field stays out until someone adds it here.
 */
export const SAFE_DETAIL_FIELDS: readonly string[] = [
  'username', 'role', 'locality', 'name', 'kind', 'format', 'enabled', 'resolution', 'assignee', 'to_level', 'code', 'parent_code', 'level',
  'rule_id', 'expires_in_days',
];

/** Longest string kept in details and target values. */
export const MAX_TEXT = 200;
/** Route pattern recorded when no route matched (a 404 for an unknown path). */
export const UNMATCHED_ROUTE = '(unmatched)';

const API_PREFIX = '/api/v1/';
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Shipper traffic: high volume, not changes. The Elasticsearch-compatible routes live outside /api/v1. */
const NOT_AUDITED_ROUTES = new Set(['/api/v1/ingest']);

/** What the plugin knows of a finished request. */
export interface FinishedRequest {
  readonly method: string;
  /** The raw URL (path and query). */
  readonly url: string;
  /** The matched route pattern, undefined when none matched. */
  readonly route: string | undefined;
  readonly params: unknown;
  readonly body: unknown;
  readonly status: number;
  readonly ip: string;
  readonly requestId: string;
  readonly principal: Principal | null;
}

/** True for a request that changes (or tries to change) something under /api/v1, shipper ingest excepted. */
export function isAudited(method: string, url: string, route: string | undefined): boolean {
  if (READ_METHODS.has(method.toUpperCase())) return false;
  const path = url.split('?', 1)[0];
  const underApi = (p: string | undefined) => p !== undefined && (p.startsWith(API_PREFIX) || p === API_PREFIX.slice(0, -1));
  if (!underApi(path) && !underApi(route)) return false;
  return !NOT_AUDITED_ROUTES.has(route ?? path.replace(/\/+$/, ''));
}

/** The action name of a route: from AUDIT_ACTIONS, else `<METHOD> <pattern>`. */
export function actionOf(method: string, route: string | undefined): string {
  const key = `${method.toUpperCase()} ${route ?? UNMATCHED_ROUTE}`;
  return AUDIT_ACTIONS[key] ?? key;
}

export function outcomeOf(status: number): AuditOutcome {
  if (status >= 200 && status < 400) return 'success';
  if (status === 401 || status === 403 || status === 404) return 'denied';
  return 'failed';
}

/** Request input is untrusted: control characters out, at most MAX_TEXT characters. */
export function safeText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_TEXT);
}

/** The whitelisted scalar fields of a JSON body; nothing for any other body. */
export function safeDetails(body: unknown): Record<string, AuditDetailValue> {
  const out: Record<string, AuditDetailValue> = {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return out;
  for (const field of SAFE_DETAIL_FIELDS) {
    if (!Object.prototype.hasOwnProperty.call(body, field)) continue;
    const v = (body as Record<string, unknown>)[field];
    if (typeof v === 'string') out[field] = safeText(v);
    else if (typeof v === 'boolean' || v === null || (typeof v === 'number' && Number.isFinite(v))) out[field] = v;
  }
  return out;
}

/** The route parameters as strings (at most 10 of them). */
export function targetOf(params: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (params === null || typeof params !== 'object') return out;
  for (const [k, v] of Object.entries(params as Record<string, unknown>).slice(0, 10)) {
    if (typeof v === 'string' || typeof v === 'number') out[safeText(k)] = safeText(String(v));
  }
  return out;
}

export function actorOf(principal: Principal | null): AuditActor {
  if (principal?.kind === 'user') return { kind: 'user', id: principal.id, username: principal.username, role: principal.role };
  if (principal?.kind === 'admin_token') return { kind: 'admin_token' };
  return { kind: 'anonymous' };
}

/** The audit entry of a finished request, or null when it is not audited. */
export function describeRequest(r: FinishedRequest, id: string, at: number): AuditEntry | null {
  if (!isAudited(r.method, r.url, r.route)) return null;
  const method = r.method.toUpperCase();
  return {
    id, at, actor: actorOf(r.principal), action: actionOf(method, r.route), method, route: r.route ?? UNMATCHED_ROUTE,
    target: r.route ? targetOf(r.params) : {}, status: r.status, outcome: outcomeOf(r.status), ip: safeText(r.ip),
    requestId: safeText(r.requestId), details: r.route ? safeDetails(r.body) : {},
  };
}
