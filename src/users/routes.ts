import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { csrfTokenOf, isAdmin, readCookie, requireAdmin, SESSION_COOKIE } from '../http/admin-auth';
import { LOGIN_TOKEN_MS } from './user-service';
import { userErrors } from './errors';
import type { ApiToken, User } from './types';
import type { UserService } from './user-service';
import { USER_ROLES } from './types';

export interface UserRoutesOptions {
  readonly users: UserService;
  readonly authenticate: preHandlerAsyncHookHandler;
  /** Mark the session cookie Secure even on plain HTTP (Canh behind a TLS proxy); it is always Secure over HTTPS. */
  readonly secureCookies?: boolean;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const userJson = (u: User) => ({
  id: u.id, username: u.username, display_name: u.displayName, role: u.role, locality: u.locality, province: u.province,
  disabled: u.disabled, created_at: iso(u.createdAt),
});
export const tokenJson = (t: ApiToken) => ({
  id: t.id, user_id: t.userId, name: t.name, created_at: iso(t.createdAt), expires_at: iso(t.expiresAt), revoked_at: iso(t.revokedAt),
});

const nullableString = { type: ['string', 'null'] } as const;
const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, username: { type: 'string' }, display_name: { type: 'string' }, role: { type: 'string', enum: USER_ROLES },
    locality: { type: 'string' }, province: nullableString, disabled: { type: 'boolean' }, created_at: { type: 'string' },
  },
} as const;
const tokenProps = {
  id: { type: 'string' }, user_id: { type: 'string' }, name: { type: 'string' }, created_at: { type: 'string' }, expires_at: nullableString, revoked_at: nullableString,
} as const;
const tokenSchema = { type: 'object', properties: tokenProps } as const;
const createdTokenSchema = {
  type: 'object',
  properties: { ...tokenProps, token: { type: 'string', description: 'The secret, shown only in this answer: send it as `Authorization: Bearer <token>`' } },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
const security = [{ admin: [] }];

/** Admins, or the user the path names managing their own tokens. */
function requireAdminOrSelf(request: FastifyRequest<{ Params: { id: string } }>): void {
  if (isAdmin(request)) return;
  const p = request.principal;
  if (p?.kind === 'user' && p.id === request.params.id) return;
  throw userErrors.notYours();
}

/** The user id of `/users/me/...`: the caller's, when the caller is a user. */
function meOf(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.kind !== 'user') throw userErrors.notAUser();
  return p.id;
}

function sessionCookie(request: FastifyRequest, value: string, maxAgeSeconds: number, secure: boolean): string {
  const attrs = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  if (secure || request.protocol === 'https') attrs.push('Secure');
  return attrs.join('; ');
}

const sessionSchema = {
  type: 'object',
  properties: {
    user: userSchema, expires_at: { type: 'string' },
    csrf_token: { type: 'string', description: 'Send it as X-CSRF-Token with every change made with the session cookie' },
  },
} as const;
const tokenBody = { type: ['object', 'null'], properties: { name: { type: 'string' }, expires_in_days: { type: ['integer', 'null'], description: '1 to 366 (default 90); null: never expires' } } } as const;

/** /api/v1/users, /api/v1/login and /api/v1/session (docs/users.md). */
export const userRoutes: FastifyPluginAsync<UserRoutesOptions> = async (app, { users, authenticate, secureCookies = false }) => {
  app.post<{ Body: unknown }>('/users', {
    preHandler: [authenticate, requireAdmin],
    schema: {
      tags: ['users'], summary: 'Create a user (admin only)', security,
      body: {
        type: 'object', required: ['username', 'password', 'role', 'locality'],
        properties: {
          username: { type: 'string', description: '3 to 64 characters among a-z 0-9 . _ -' }, password: { type: 'string', description: 'At least 12 characters' },
          display_name: { type: 'string' }, role: { type: 'string', enum: USER_ROLES }, locality: { type: 'string', description: 'Code of an existing locality; the central one for central_reviewer and admin' },
        },
      },
      response: { 201: userSchema },
    },
  }, async (req, reply) => reply.code(201).send(userJson(await users.createUser(req.body))));

  app.get('/users', {
    preHandler: [authenticate, requireAdmin],
    schema: { tags: ['users'], summary: 'List users (admin only)', security, response: { 200: { type: 'object', properties: { users: { type: 'array', items: userSchema } } } } },
  }, async (req) => ({ users: (await users.listUsers(req.scope)).map(userJson) }));

  app.post<{ Params: { id: string } }>('/users/:id/disable', {
    preHandler: [authenticate, requireAdmin],
    schema: { tags: ['users'], summary: 'Disable a user: their tokens stop working at once (admin only)', security, params: idParams, response: { 200: userSchema } },
  }, async (req) => userJson(await users.setDisabled(req.params.id, true)));

  app.post<{ Params: { id: string }; Body: unknown }>('/users/:id/tokens', {
    preHandler: [authenticate, async (req: FastifyRequest<{ Params: { id: string } }>) => requireAdminOrSelf(req)],
    schema: {
      tags: ['users'], summary: 'Create an API token for a user (admin or the user); the secret is answered once', security, params: idParams,
      body: tokenBody,
      response: { 201: createdTokenSchema },
    },
  }, async (req, reply) => {
    const { token, secret } = await users.createToken(req.params.id, req.body);
    return reply.code(201).send({ ...tokenJson(token), token: secret });
  });

  app.get<{ Params: { id: string } }>('/users/:id/tokens', {
    preHandler: [authenticate, async (req: FastifyRequest<{ Params: { id: string } }>) => requireAdminOrSelf(req)],
    schema: { tags: ['users'], summary: "A user's tokens, without their secrets (admin or the user)", security, params: idParams, response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: tokenSchema } } } } },
  }, async (req) => ({ tokens: (await users.listTokens(req.params.id)).map(tokenJson) }));

  app.delete<{ Params: { id: string; tokenId: string } }>('/users/:id/tokens/:tokenId', {
    preHandler: [authenticate, async (req: FastifyRequest<{ Params: { id: string } }>) => requireAdminOrSelf(req)],
    schema: {
      tags: ['users'], summary: 'Revoke a token at once (admin or the user)', security,
      params: { type: 'object', required: ['id', 'tokenId'], properties: { id: { type: 'string' }, tokenId: { type: 'string' } } },
      response: { 200: tokenSchema },
    },
  }, async (req) => tokenJson(await users.revokeToken(req.params.id, req.params.tokenId)));

  app.get('/users/me', {
    preHandler: authenticate,
    schema: { tags: ['users'], summary: 'The signed-in user', security, response: { 200: userSchema } },
  }, async (req) => userJson(await users.getUser(meOf(req))));

  app.post<{ Body: unknown }>('/users/me/tokens', {
    preHandler: authenticate,
    schema: { tags: ['users'], summary: 'Create a personal API token; the secret is answered once', security, body: tokenBody, response: { 201: createdTokenSchema } },
  }, async (req, reply) => {
    const { token, secret } = await users.createToken(meOf(req), req.body);
    return reply.code(201).send({ ...tokenJson(token), token: secret });
  });

  app.get('/users/me/tokens', {
    preHandler: authenticate,
    schema: { tags: ['users'], summary: 'Your tokens, without their secrets', security, response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: tokenSchema } } } } },
  }, async (req) => ({ tokens: (await users.listTokens(meOf(req))).map(tokenJson) }));

  app.delete<{ Params: { tokenId: string } }>('/users/me/tokens/:tokenId', {
    preHandler: authenticate,
    schema: {
      tags: ['users'], summary: 'Revoke one of your tokens at once', security,
      params: { type: 'object', required: ['tokenId'], properties: { tokenId: { type: 'string', maxLength: 64 } } }, response: { 200: tokenSchema },
    },
  }, async (req) => tokenJson(await users.revokeToken(meOf(req), req.params.tokenId)));

  app.post<{ Body: unknown }>('/session', {
    schema: {
      tags: ['users'],
      summary: 'Console sign-in: sets the HttpOnly, SameSite=Strict session cookie (12 hours) and answers the CSRF token; same lockout as /login',
      body: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } },
      response: { 200: sessionSchema },
    },
  }, async (req, reply) => {
    const { token, secret, user } = await users.login(req.body, 'session');
    reply.header('set-cookie', sessionCookie(req, secret, LOGIN_TOKEN_MS / 1000, secureCookies));
    return { user: userJson(user), expires_at: iso(token.expiresAt), csrf_token: csrfTokenOf(secret) };
  });

  app.get('/session', {
    preHandler: authenticate,
    schema: { tags: ['users'], summary: 'The session of the console: its user and CSRF token (401 when signed out)', response: { 200: sessionSchema } },
  }, async (req) => {
    const secret = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!secret || req.headers.authorization) throw userErrors.noSession();
    return { user: userJson(await users.getUser(meOf(req))), csrf_token: csrfTokenOf(secret) };
  });

  app.delete('/session', {
    preHandler: authenticate,
    schema: { tags: ['users'], summary: 'Console sign-out: the session token is revoked and the cookie cleared', response: { 204: { type: 'null' } } },
  }, async (req, reply: FastifyReply) => {
    const secret = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (secret && !req.headers.authorization) await users.revokeSecret(secret);
    return reply.code(204).header('set-cookie', sessionCookie(req, '', 0, secureCookies)).send();
  });

  app.post<{ Body: unknown }>('/login', {
    schema: {
      tags: ['users'], summary: 'Log in with a username and password: answers a token valid for 12 hours',
      body: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } },
      response: { 200: { type: 'object', properties: { ...createdTokenSchema.properties, user: userSchema } } },
    },
  }, async (req) => {
    const { token, secret, user } = await users.login(req.body);
    return { ...tokenJson(token), token: secret, user: userJson(user) };
  });
};
