import { AppError, errors } from '../errors';

/** Error codes of users and tokens (docs/users.md lists them). */
export const userErrors = {
  loginFailed: () => new AppError('CANH_AUTH_LOGIN_FAILED', 'unauthenticated', 'Invalid username or password'),
  badUserToken: () => new AppError('CANH_AUTH_BAD_TOKEN', 'unauthenticated', 'Invalid, expired or revoked token'),
  readOnlyRole: (role: string) =>
    new AppError('CANH_AUTH_READ_ONLY', 'forbidden', `The ${role} role may only read: GET and HEAD requests are allowed, nothing can be changed`),
  adminOnly: () => new AppError('CANH_AUTH_ADMIN_ONLY', 'forbidden', 'Only an admin (or the bootstrap admin token) may do this'),
  managersOnly: () => new AppError('CANH_AUTH_FORBIDDEN', 'forbidden', 'Only a locality admin or an admin may change sources and contacts'),
  badCsrf: () =>
    new AppError('CANH_AUTH_CSRF', 'forbidden', 'A change made with the console session must carry the X-CSRF-Token header of GET /api/v1/session'),
  crossOrigin: (origin: string) =>
    new AppError('CANH_AUTH_CSRF', 'forbidden', `A change made with the console session must come from this server's origin, not ${origin.slice(0, 200)}`),
  noSession: () => new AppError('CANH_AUTH_NO_SESSION', 'unauthenticated', 'No console session: sign in with POST /api/v1/session'),
  notAUser: () =>
    new AppError('CANH_AUTH_NOT_A_USER', 'invalid', 'The bootstrap admin token is not a user: /users/me routes need a user token or a console session'),
  notYours: () => new AppError('CANH_AUTH_FORBIDDEN', 'forbidden', "Only an admin or the user themself may manage a user's tokens"),
} as const;

/** Thrown by a login while the username is locked out: 429 with Retry-After. */
export const loginLocked = (retryAfterSeconds: number) =>
  errors.rateLimited('CANH_AUTH_LOCKED', `Too many failed logins for this username: try again in ${Math.ceil(retryAfterSeconds / 60)} minutes`, retryAfterSeconds);
