import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { errors } from '../errors';
import { ALL_SCOPE, type Scope } from '../store/scope';

declare module 'fastify' {
  interface FastifyRequest {
    /** Localities the caller may see and change; set by authentication. */
    scope: Scope;
  }
}

/**
 * Authenticates `Authorization: Bearer <CANH_ADMIN_TOKEN>` (the bootstrap token, full scope).
 * Compares digests in constant time; the token itself is kept only as its digest.
 */
export function makeAdminAuth(adminToken: string) {
  const expected = createHash('sha256').update(adminToken).digest();
  return async function adminAuth(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) throw errors.missingCredentials('Authorization: Bearer <token>');
    const given = createHash('sha256').update(m[1]).digest();
    if (!timingSafeEqual(given, expected)) throw errors.badAdminToken();
    request.scope = ALL_SCOPE;
  };
}
