import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { errors } from '../errors';
import { ALL_SCOPE, type Scope } from '../store/scope';
import { userErrors } from '../users/errors';
import { USER_TOKEN_PREFIX, type UserRole } from '../users/types';
import type { AuthenticatedUser } from '../users/user-service';

/**
 * Who made a request: the bootstrap admin token, or a user (by one of their `canh_ut_` tokens).
 */
export type Principal =
  | { readonly kind: 'admin_token' }
  | { readonly kind: 'user'; readonly id: string; readonly username: string; readonly role: UserRole };

declare module 'fastify' {
  interface FastifyRequest {
    /** Localities the caller may see and change; set by authentication. */
    scope: Scope;
    /** Who the caller is; set by authentication (null before it, or with a test's fake authentication). */
    principal: Principal | null;
  }
}

/** Authenticates user tokens (UserService.authenticate). */
export interface UserAuthenticator {
  authenticate(secret: string): Promise<AuthenticatedUser>;
}

/** Roles that may only read (GET and HEAD). */
const READ_ONLY_ROLES: readonly UserRole[] = ['central_reviewer'];

/**
 * Authenticates `Authorization: Bearer <token>`: the bootstrap `CANH_ADMIN_TOKEN` (full scope,
 * compared by digest in constant time), or a user token `canh_ut_…` when `users` is given (the
 * user's locality subtree; refused when unknown, revoked, expired or the user is disabled). A
 * read-only role's non-GET/HEAD request is refused with 403.
 */
export function makeAdminAuth(adminToken: string, users?: UserAuthenticator) {
  const expected = createHash('sha256').update(adminToken).digest();
  return async function adminAuth(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) throw errors.missingCredentials('Authorization: Bearer <token>');
    if (users && m[1].startsWith(USER_TOKEN_PREFIX)) {
      const { user, scope } = await users.authenticate(m[1]);
      if (READ_ONLY_ROLES.includes(user.role) && request.method !== 'GET' && request.method !== 'HEAD') throw userErrors.readOnlyRole(user.role);
      request.scope = scope;
      request.principal = { kind: 'user', id: user.id, username: user.username, role: user.role };
      return;
    }
    const given = createHash('sha256').update(m[1]).digest();
    if (!timingSafeEqual(given, expected)) throw errors.badAdminToken();
    request.scope = ALL_SCOPE;
    request.principal = { kind: 'admin_token' };
  };
}

/** True for the bootstrap admin token and users with the `admin` role. */
export function isAdmin(request: FastifyRequest): boolean {
  const p = request.principal;
  return p?.kind === 'admin_token' || (p?.kind === 'user' && p.role === 'admin');
}

/** A preHandler (after authentication) that lets only admins through. */
export async function requireAdmin(request: FastifyRequest): Promise<void> {
  if (!isAdmin(request)) throw userErrors.adminOnly();
}

/** A preHandler (after authentication) for changes to sources and contacts: admins and locality admins (in their scope). */
export async function requireManager(request: FastifyRequest): Promise<void> {
  const p = request.principal;
  if (isAdmin(request) || (p?.kind === 'user' && p.role === 'locality_admin')) return;
  throw userErrors.managersOnly();
}
