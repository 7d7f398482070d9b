import { errors } from '../errors';
import type { Clock } from '../lib/clock';
import { hashApiKey, newId } from '../lib/ids';
import { randomBytes } from 'node:crypto';
import type { DirectoryStore } from '../store/directory-store';
import { ALL_SCOPE, localityScope, type Scope } from '../store/scope';
import type { UserStore } from '../store/user-store';
import { loginLocked, userErrors } from './errors';
import { LoginThrottle, type LoginGuard } from './login-throttle';
import { hashPassword, verifyDummyPassword, verifyPassword } from './password';
import { CENTRAL_ROLES, USER_TOKEN_PREFIX, type ApiToken, type User, type UserRole } from './types';
import { validateTokenInput, validateUserInput, type TokenInput } from './validate';

/** Lifetime of the token a login answers. */
export const LOGIN_TOKEN_MS = 12 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** Who a user token authenticates: the principal and the scope of its locality's subtree. */
export interface AuthenticatedUser {
  readonly user: User;
  readonly scope: Scope;
}

/** A token as created: its secret is in `secret`, shown only in this answer. */
export interface CreatedToken {
  readonly token: ApiToken;
  readonly secret: string;
}

const publicUser = <T extends User>({ id, username, displayName, role, locality, province, disabled, createdAt }: T): User =>
  ({ id, username, displayName, role, locality, province, disabled, createdAt });

/** The subtree a user sees: everything for the central locality (no province), else its own subtree. */
export const scopeOfUser = (user: Pick<User, 'locality' | 'province'>): Scope => (user.province === null ? ALL_SCOPE : localityScope([user.locality]));

export function newUserToken(): string {
  return `${USER_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Users, passwords, API tokens and logins. */
export class UserService {
  constructor(
    private readonly store: UserStore,
    private readonly localities: Pick<DirectoryStore, 'getLocality'>,
    private readonly clock: Clock,
    private readonly throttle: LoginGuard = new LoginThrottle(),
  ) {}

  /** Creates a user. Throws `invalid` (bad fields, unknown locality, a central role elsewhere), `conflict` (username taken). */
  async createUser(input: unknown): Promise<User> {
    const value = validateUserInput(input);
    const locality = await this.localities.getLocality(value.locality, ALL_SCOPE);
    if (!locality) throw errors.invalidRequest(`Locality ${value.locality} does not exist; create it first`, { field: 'locality', problems: [`locality: ${value.locality} does not exist`] });
    if (CENTRAL_ROLES.includes(value.role) && locality.level !== 'central') {
      throw errors.invalidRequest(`The ${value.role} role must be bound to the central locality, not the ${locality.level} ${locality.code}`, { field: 'locality', problems: [`locality: ${value.role} needs the central locality`] });
    }
    if (await this.store.getUserByUsername(value.username)) throw errors.conflict(`User ${value.username} already exists`, { username: value.username });
    const record = {
      id: newId('usr'), username: value.username, displayName: value.displayName, role: value.role,
      locality: locality.code, province: locality.level === 'central' ? null : locality.provinceCode ?? locality.code,
      disabled: false, createdAt: this.clock.now(), passwordHash: await hashPassword(value.password),
    };
    await this.store.createUser(record);
    return publicUser(record);
  }

  listUsers(scope: Scope): Promise<readonly User[]> {
    return this.store.listUsers(scope);
  }

  async getUser(id: string): Promise<User> {
    const user = await this.store.getUser(id);
    if (!user) throw errors.notFound('User', id);
    return publicUser(user);
  }

  async findByUsername(username: string): Promise<User | null> {
    const user = await this.store.getUserByUsername(username);
    return user ? publicUser(user) : null;
  }

  /** Disables a user: their tokens stop working at once (checked on every request). */
  async setDisabled(id: string, disabled: boolean): Promise<User> {
    const user = await this.store.setUserDisabled(id, disabled);
    if (!user) throw errors.notFound('User', id);
    return user;
  }

  /** Creates an API token for a user (the body: `name`, `expires_in_days`). */
  async createToken(userId: string, input: unknown): Promise<CreatedToken> {
    const user = await this.getUser(userId);
    if (user.disabled) throw errors.invalidRequest(`User ${user.username} is disabled`, { field: 'user' });
    return this.issue(user.id, validateTokenInput(input));
  }

  async listTokens(userId: string): Promise<readonly ApiToken[]> {
    await this.getUser(userId);
    return this.store.listTokens(userId);
  }

  /** Revokes a token at once. Throws `not_found` when the user has no such token. */
  async revokeToken(userId: string, tokenId: string): Promise<ApiToken> {
    const token = await this.store.revokeToken(userId, tokenId, this.clock.now());
    if (!token) throw errors.notFound('Token', tokenId);
    return token;
  }

  /**
   * Checks a username and password and answers a `login` token valid for 12 hours. Unknown users
   * cost one scrypt too; after 5 failures within 15 minutes the username is locked for 15 minutes
   * (429 `CANH_AUTH_LOCKED`). Every failure is the same `CANH_AUTH_LOGIN_FAILED`.
   */
  async login(input: unknown, tokenName: 'login' | 'session' = 'login'): Promise<CreatedToken & { readonly user: User }> {
    const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.trim().toLowerCase().slice(0, 64) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
    if (!username || !password) throw errors.invalidRequest('username and password are required', { problems: ['username: required', 'password: required'] });
    const now = this.clock.now();
    const locked = await this.throttle.lockedFor(username, now);
    if (locked > 0) throw loginLocked(locked / 1000);
    const user = await this.store.getUserByUsername(username);
    const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyDummyPassword(password);
    if (!user || !ok || user.disabled) {
      await this.throttle.fail(username, this.clock.now());
      throw userErrors.loginFailed();
    }
    await this.throttle.succeed(username);
    const created = await this.issue(user.id, { name: tokenName, expiresInDays: null }, this.clock.now() + LOGIN_TOKEN_MS);
    return { ...created, user: publicUser(user) };
  }

  /** Revokes the token of a secret (a console logout); unknown or already revoked secrets change nothing. */
  async revokeSecret(secret: string): Promise<void> {
    const token = await this.store.findTokenByHash(hashApiKey(secret));
    if (token && token.revokedAt === null) await this.store.revokeToken(token.userId, token.id, this.clock.now());
  }

  /** The user and scope of a `canh_ut_` token; throws 401 for unknown, revoked or expired tokens and disabled users. */
  async authenticate(secret: string): Promise<AuthenticatedUser> {
    const token = await this.store.findTokenByHash(hashApiKey(secret));
    if (!token || token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt <= this.clock.now())) throw userErrors.badUserToken();
    const user = await this.store.getUser(token.userId);
    if (!user || user.disabled) throw userErrors.badUserToken();
    return { user: publicUser(user), scope: scopeOfUser(user) };
  }

  private async issue(userId: string, input: TokenInput, expiresAt?: number): Promise<CreatedToken> {
    const now = this.clock.now();
    const secret = newUserToken();
    const token: ApiToken = {
      id: newId('tok'), userId, name: input.name, createdAt: now, revokedAt: null,
      expiresAt: expiresAt ?? (input.expiresInDays === null ? null : now + input.expiresInDays * DAY_MS),
    };
    await this.store.createToken({ ...token, tokenHash: hashApiKey(secret) });
    return { token, secret };
  }
}

export type { UserRole };
