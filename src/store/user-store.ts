import type { ApiToken, ApiTokenRecord, User, UserRecord } from '../users/types';
import type { Scope } from './scope';

/**
 * Users and their API tokens. Implementations: DuckDbUserStore (users.duckdb), MemoryUserStore; both
 * pass test/contract/user-store.contract.ts. Lists take a Scope (on the user's locality and province).
 */
export interface UserStore {
  init(): Promise<void>;
  close(): Promise<void>;
  /** Throws kind `unavailable` when the store cannot answer. */
  ping(): Promise<void>;
  /** Inserts a user. Throws kind `conflict` when the id or the username exists. */
  createUser(user: UserRecord): Promise<void>;
  /** The user with its password hash, or null. */
  getUser(id: string): Promise<UserRecord | null>;
  /** The user with this username, or null. */
  getUserByUsername(username: string): Promise<UserRecord | null>;
  /** Users in scope, ordered by username (without password hashes). */
  listUsers(scope: Scope): Promise<readonly User[]>;
  /** Sets the disabled flag; returns the updated user, or null when unknown. */
  setUserDisabled(id: string, disabled: boolean): Promise<User | null>;
  /** Inserts a token. Throws kind `conflict` when the id or the hash exists. */
  createToken(token: ApiTokenRecord): Promise<void>;
  /** The token whose secret hashes to `tokenHash` (revoked and expired ones too), or null. */
  findTokenByHash(tokenHash: string): Promise<ApiToken | null>;
  /** Tokens of a user, ordered by creation then id. */
  listTokens(userId: string): Promise<readonly ApiToken[]>;
  /**
   * Revokes a token of the user at `at` (a revoked token keeps its first revocation time).
   * Returns the token, or null when the user has no such token.
   */
  revokeToken(userId: string, tokenId: string, at: number): Promise<ApiToken | null>;
  /**
   * Every token of every user with its hash, ordered by creation then id: what `canh migrate`
   * copies so that tokens keep working. Optional in the type (an adapter under construction still
   * compiles); every adapter of this repository implements it and the contract suite requires it.
   */
  exportTokens?(): Promise<readonly ApiTokenRecord[]>;
}
