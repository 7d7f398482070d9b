import type { ApiToken, ApiTokenRecord, User, UserRecord, UserRole } from '../../users/types';
import type { Scope } from '../scope';
import type { UserStore } from '../user-store';
import { SmallDuckDbStore, type Row } from './small-db';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS users (
     id VARCHAR PRIMARY KEY, username VARCHAR NOT NULL UNIQUE, display_name VARCHAR NOT NULL, role VARCHAR NOT NULL,
     locality VARCHAR NOT NULL, province VARCHAR, disabled BOOLEAN NOT NULL, password_hash VARCHAR NOT NULL,
     created_at BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS api_tokens (
     id VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, name VARCHAR NOT NULL, token_hash VARCHAR NOT NULL UNIQUE,
     created_at BIGINT NOT NULL, expires_at BIGINT, revoked_at BIGINT)`,
];

const USER_COLUMNS = 'id, username, display_name, role, locality, province, disabled, created_at';
const TOKEN_COLUMNS = 'id, user_id, name, created_at, expires_at, revoked_at';

/** UserStore on a DuckDB file of its own (users.duckdb under the data directory). */
export class DuckDbUserStore extends SmallDuckDbStore implements UserStore {
  constructor(options: { readonly path: string }) {
    super(options.path, SCHEMA);
  }

  async createUser(u: UserRecord): Promise<void> {
    await this.db.serial(() => this.db.exec(
      'INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [u.id, u.username, u.displayName, u.role, u.locality, u.province, u.disabled, u.passwordHash, u.createdAt],
      `User ${u.username} already exists`,
    ));
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const rows = await this.db.serial(() => this.db.query(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE id = ?`, [id]));
    return rows.length ? toUserRecord(rows[0]) : null;
  }

  async getUserByUsername(username: string): Promise<UserRecord | null> {
    const rows = await this.db.serial(() => this.db.query(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE username = ?`, [username]));
    return rows.length ? toUserRecord(rows[0]) : null;
  }

  async listUsers(scope: Scope): Promise<readonly User[]> {
    const where = scopeSql(scope);
    const rows = await this.db.serial(() => this.db.query(`SELECT ${USER_COLUMNS} FROM users WHERE ${where.sql} ORDER BY username`, where.params));
    return rows.map(toUser);
  }

  async setUserDisabled(id: string, disabled: boolean): Promise<User | null> {
    const rows = await this.db.serial(() => this.db.query(`UPDATE users SET disabled = ? WHERE id = ? RETURNING ${USER_COLUMNS}`, [disabled, id]));
    return rows.length ? toUser(rows[0]) : null;
  }

  async createToken(t: ApiTokenRecord): Promise<void> {
    await this.db.serial(() => this.db.exec(
      'INSERT INTO api_tokens VALUES (?, ?, ?, ?, ?, ?, ?)',
      [t.id, t.userId, t.name, t.tokenHash, t.createdAt, t.expiresAt, t.revokedAt],
      `Token ${t.id} already exists`,
    ));
  }

  async findTokenByHash(tokenHash: string): Promise<ApiToken | null> {
    const rows = await this.db.serial(() => this.db.query(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = ?`, [tokenHash]));
    return rows.length ? toToken(rows[0]) : null;
  }

  async listTokens(userId: string): Promise<readonly ApiToken[]> {
    const rows = await this.db.serial(() => this.db.query(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE user_id = ? ORDER BY created_at, id`, [userId]));
    return rows.map(toToken);
  }

  async revokeToken(userId: string, tokenId: string, at: number): Promise<ApiToken | null> {
    const rows = await this.db.serial(() => this.db.query(
      `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? AND user_id = ? RETURNING ${TOKEN_COLUMNS}`,
      [at, tokenId, userId],
    ));
    return rows.length ? toToken(rows[0]) : null;
  }

  async exportTokens(): Promise<readonly ApiTokenRecord[]> {
    const rows = await this.db.serial(() => this.db.query(`SELECT ${TOKEN_COLUMNS}, token_hash FROM api_tokens ORDER BY created_at, id`));
    return rows.map((r) => ({ ...toToken(r), tokenHash: String(r.token_hash) }));
  }
}

function scopeSql(scope: Scope): { sql: string; params: unknown[] } {
  if (scope.kind === 'all') return { sql: 'TRUE', params: [] };
  if (scope.codes.length === 0) return { sql: 'FALSE', params: [] };
  const marks = scope.codes.map(() => '?').join(', ');
  return { sql: `(locality IN (${marks}) OR province IN (${marks}))`, params: [...scope.codes, ...scope.codes] };
}

const nullableNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toUser(r: Row): User {
  return {
    id: String(r.id),
    username: String(r.username),
    displayName: String(r.display_name),
    role: r.role as UserRole,
    locality: String(r.locality),
    province: (r.province as string | null) ?? null,
    disabled: Boolean(r.disabled),
    createdAt: Number(r.created_at),
  };
}

function toUserRecord(r: Row): UserRecord {
  return { ...toUser(r), passwordHash: String(r.password_hash) };
}

function toToken(r: Row): ApiToken {
  return {
    id: String(r.id),
    userId: String(r.user_id),
    name: String(r.name),
    createdAt: Number(r.created_at),
    expiresAt: nullableNumber(r.expires_at),
    revokedAt: nullableNumber(r.revoked_at),
  };
}
