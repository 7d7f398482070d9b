import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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
  | { readonly kind: 'user'; readonly id: string; readonly username: string; readonly role: UserRole; readonly via?: 'token' | 'session' };

/** The console's session cookie: it holds a `session` user token (HttpOnly, SameSite=Strict). */
export const SESSION_COOKIE = 'canh_session';
/** The header a cookie-authenticated change must carry: the session's CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The CSRF token of a session: an HMAC of the session secret, so the server keeps nothing more and
 * a page of another origin (which cannot read the cookie or our answers) cannot compute it.
 */
export function csrfTokenOf(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('canh-csrf-v1').digest('base64url');
}

/** The value of one cookie in a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameDigest(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

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
 * user's locality subtree; refused when unknown, revoked, expired or the user is disabled). Without
 * an Authorization header, the console's session cookie authenticates the same way; a change
 * (anything but GET, HEAD, OPTIONS) made with the cookie must carry `X-CSRF-Token`, and an `Origin`
 * header, when sent, must be this server's. A read-only role's change is refused with 403.
 */
export function makeAdminAuth(adminToken: string, users?: UserAuthenticator) {
  const expected = createHash('sha256').update(adminToken).digest();
  return async function adminAuth(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    const session = header ? null : readCookie(request.headers.cookie, SESSION_COOKIE);
    if (users && session) return authenticateSession(request, users, session);
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) throw errors.missingCredentials('Authorization: Bearer <token> (or sign in to the console)');
    if (users && m[1].startsWith(USER_TOKEN_PREFIX)) {
      const { user, scope } = await users.authenticate(m[1]);
      if (READ_ONLY_ROLES.includes(user.role) && !SAFE_METHODS.has(request.method)) throw userErrors.readOnlyRole(user.role);
      request.scope = scope;
      request.principal = { kind: 'user', id: user.id, username: user.username, role: user.role, via: 'token' };
      return;
    }
    const given = createHash('sha256').update(m[1]).digest();
    if (!timingSafeEqual(given, expected)) throw errors.badAdminToken();
    request.scope = ALL_SCOPE;
    request.principal = { kind: 'admin_token' };
  };
}

async function authenticateSession(request: FastifyRequest, users: UserAuthenticator, secret: string): Promise<void> {
  if (!secret.startsWith(USER_TOKEN_PREFIX)) throw userErrors.badUserToken();
  const { user, scope } = await users.authenticate(secret);
  if (!SAFE_METHODS.has(request.method)) {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) throw userErrors.crossOrigin(origin);
    const csrf = request.headers[CSRF_HEADER];
    if (typeof csrf !== 'string' || !sameDigest(csrf, csrfTokenOf(secret))) throw userErrors.badCsrf();
    if (READ_ONLY_ROLES.includes(user.role)) throw userErrors.readOnlyRole(user.role);
  }
  request.scope = scope;
  request.principal = { kind: 'user', id: user.id, username: user.username, role: user.role, via: 'session' };
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
