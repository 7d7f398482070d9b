/**
 * Audit log glossary (docs/audit.md).
 * - Audit entry: one change requested over the API (any /api/v1 request other than GET, HEAD and
 *   OPTIONS, shipper ingest excepted), whatever its outcome: who, what, on what, when, from where.
 * - Actor: who made the request, as authentication saw it (`request.principal`); `anonymous` when
 *   nobody was authenticated (a login, a refused token).
 * - Action: a stable name for what was asked (`incident.ack`, `user.create`, `login`), or
 *   `<METHOD> <route pattern>` for a route the table does not name yet.
 * - Details: a few safe fields of the request body (see SAFE_DETAIL_FIELDS); never secrets, never whole bodies.
 */
import type { UserRole } from '../users/types';

export type AuditActor =
  | { readonly kind: 'admin_token' }
  | { readonly kind: 'user'; readonly id: string; readonly username: string; readonly role: UserRole }
  | { readonly kind: 'anonymous' };

export const AUDIT_OUTCOMES = ['success', 'denied', 'failed'] as const;
/** `success` for 2xx/3xx, `denied` for 401/403/404, `failed` for anything else. */
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export type AuditDetailValue = string | number | boolean | null;

export interface AuditEntry {
  /** Unique; with `at`, the order of a listing (newest first). */
  readonly id: string;
  /** When the answer was sent, epoch ms. */
  readonly at: number;
  readonly actor: AuditActor;
  /** e.g. `incident.ack`, `source.rotate_key`, `login`, or `POST /api/v1/new/:id` for an unnamed route. */
  readonly action: string;
  readonly method: string;
  /** The Fastify route pattern (`/api/v1/incidents/:id/ack`), or `(unmatched)` when no route matched. */
  readonly route: string;
  /** The route parameters, e.g. `{ id: 'inc_…' }` or `{ code: '00004' }`. */
  readonly target: Readonly<Record<string, string>>;
  /** HTTP status code of the answer. */
  readonly status: number;
  readonly outcome: AuditOutcome;
  /** Client address as Fastify sees it (`request.ip`). */
  readonly ip: string;
  readonly requestId: string;
  /** Whitelisted scalar body fields, strings at most 200 characters. */
  readonly details: Readonly<Record<string, AuditDetailValue>>;
}
