import { errors } from '../../errors';
import type { ApiToken, ApiTokenRecord, User, UserRecord } from '../../users/types';
import { inScope, type Scope } from '../scope';
import type { UserStore } from '../user-store';

const publicUser = ({ passwordHash: _hash, ...user }: UserRecord): User => user;
const publicToken = ({ tokenHash: _hash, ...token }: ApiTokenRecord): ApiToken => token;

/** In-memory UserStore for unit tests; kept honest by the user-store contract suite. */
export class MemoryUserStore implements UserStore {
  private readonly users = new Map<string, UserRecord>();
  private readonly tokens = new Map<string, ApiTokenRecord>();

  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async ping(): Promise<void> {}

  async createUser(user: UserRecord): Promise<void> {
    if (this.users.has(user.id) || [...this.users.values()].some((u) => u.username === user.username)) {
      throw errors.conflict(`User ${user.username} already exists`, { username: user.username });
    }
    this.users.set(user.id, { ...user });
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const u = this.users.get(id);
    return u ? { ...u } : null;
  }

  async getUserByUsername(username: string): Promise<UserRecord | null> {
    const u = [...this.users.values()].find((x) => x.username === username);
    return u ? { ...u } : null;
  }

  async listUsers(scope: Scope): Promise<readonly User[]> {
    return [...this.users.values()]
      .filter((u) => inScope(scope, u.locality, u.province))
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
      .map(publicUser);
  }

  async setUserDisabled(id: string, disabled: boolean): Promise<User | null> {
    const u = this.users.get(id);
    if (!u) return null;
    const next = { ...u, disabled };
    this.users.set(id, next);
    return publicUser(next);
  }

  async createToken(token: ApiTokenRecord): Promise<void> {
    if (this.tokens.has(token.id) || [...this.tokens.values()].some((t) => t.tokenHash === token.tokenHash)) {
      throw errors.conflict(`Token ${token.id} already exists`);
    }
    this.tokens.set(token.id, { ...token });
  }

  async findTokenByHash(tokenHash: string): Promise<ApiToken | null> {
    const t = [...this.tokens.values()].find((x) => x.tokenHash === tokenHash);
    return t ? publicToken(t) : null;
  }

  async listTokens(userId: string): Promise<readonly ApiToken[]> {
    return [...this.tokens.values()]
      .filter((t) => t.userId === userId)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(publicToken);
  }

  async revokeToken(userId: string, tokenId: string, at: number): Promise<ApiToken | null> {
    const t = this.tokens.get(tokenId);
    if (!t || t.userId !== userId) return null;
    const next = t.revokedAt === null ? { ...t, revokedAt: at } : t;
    this.tokens.set(tokenId, next);
    return publicToken(next);
  }

  async exportTokens(): Promise<readonly ApiTokenRecord[]> {
    return [...this.tokens.values()]
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((t) => ({ ...t }));
  }
}
