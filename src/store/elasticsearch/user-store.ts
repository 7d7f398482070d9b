import type { Client } from '@elastic/elasticsearch';
import { errors } from '../../errors';
import type { ApiToken, ApiTokenRecord, User, UserRecord } from '../../users/types';
import type { Scope } from '../scope';
import type { UserStore } from '../user-store';
import { unavailable } from './errors';
import {
  StateIndices, allOf, call, docId, isConflict, scopeFilter, searchAll, sources, toAppError, type StateStoreOptions,
} from './state-index';

/**
 * UserStore on Elasticsearch: users (`_id` = `username:<username>`) and API tokens (`_id` = token
 * id, the hash a keyword), each in its own index (mappings.ts).
 *
 * - A username is unique because its user is created with op_type `create` under an id made from
 *   it (409 → conflict). User ids are random (`usr_…`): a second user with an existing id is
 *   refused by a search first, which two creates of the same new id at the same moment would
 *   both pass (they never share a random id).
 * - A token is found by a term query on its hash (a keyword). Token hashes are SHA-256 of random
 *   secrets; a duplicate hash is refused by a search before the create, as for user ids.
 * - Changes (disable, revoke) are compare-and-sets (`if_seq_no` + `if_primary_term`), retried
 *   when another change came first.
 */

const CAS_ATTEMPTS = 5;

type UserDoc = UserRecord;
type TokenDoc = ApiTokenRecord;

const publicUser = ({ passwordHash: _hash, ...user }: UserRecord): User => user;
const publicToken = ({ tokenHash: _hash, ...token }: ApiTokenRecord): ApiToken => token;

export class ElasticsearchUserStore implements UserStore {
  private readonly indices: StateIndices;

  constructor(private readonly client: Client, options: StateStoreOptions = {}) {
    this.indices = new StateIndices(client, options);
  }

  async init(): Promise<void> {
    await this.indices.ensure(['users', 'tokens']);
  }

  /** The client belongs to the caller, who closes it. */
  async close(): Promise<void> {}

  async ping(): Promise<void> {
    const ok = await call('answering a ping', () => this.client.ping());
    if (!ok) throw unavailable('answering a ping', 'no answer');
  }

  async createUser(user: UserRecord): Promise<void> {
    const taken = () => errors.conflict(`User ${user.username} already exists`, { username: user.username });
    if (await this.findUser({ term: { id: user.id } })) throw taken();
    try {
      await this.client.index({
        index: this.indices.name('users'), id: userDocId(user.username), op_type: 'create', document: userDoc(user),
        refresh: this.indices.refresh,
      });
    } catch (err) {
      throw isConflict(err) ? taken() : toAppError(err, `creating user ${user.username}`);
    }
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const found = await this.findUser({ term: { id } });
    return found ? toUser(found.doc) : null;
  }

  async getUserByUsername(username: string): Promise<UserRecord | null> {
    const res = await call(`reading user ${username}`, () => this.client.get<UserDoc>(
      { index: this.indices.name('users'), id: userDocId(username) }, { ignore: [404] },
    ));
    return res.found && res._source ? toUser(res._source) : null;
  }

  async listUsers(scope: Scope): Promise<readonly User[]> {
    const docs = await call('listing users', () => searchAll<UserDoc>(
      this.client, this.indices.name('users'), allOf([scopeFilter(scope, 'locality', 'province')]), [{ username: 'asc' }],
    ));
    return docs.map((d) => publicUser(toUser(d)));
  }

  async setUserDisabled(id: string, disabled: boolean): Promise<User | null> {
    for (let attempt = 1; ; attempt++) {
      const found = await this.findUser({ term: { id } });
      if (!found) return null;
      const next: UserDoc = { ...toUser(found.doc), disabled };
      if (await this.compareAndSet('users', found, next)) return publicUser(next);
      if (attempt >= CAS_ATTEMPTS) throw errors.conflict(`User ${id} is being changed by others; retry`, { id });
    }
  }

  async createToken(token: ApiTokenRecord): Promise<void> {
    const taken = () => errors.conflict(`Token ${token.id} already exists`);
    if (await this.findToken(token.tokenHash)) throw taken();
    try {
      await this.client.index({
        index: this.indices.name('tokens'), id: docId(token.id), op_type: 'create', document: tokenDoc(token), refresh: this.indices.refresh,
      });
    } catch (err) {
      throw isConflict(err) ? taken() : toAppError(err, `creating token ${token.id}`);
    }
  }

  async findTokenByHash(tokenHash: string): Promise<ApiToken | null> {
    const doc = await this.findToken(tokenHash);
    return doc ? publicToken(toToken(doc)) : null;
  }

  async listTokens(userId: string): Promise<readonly ApiToken[]> {
    const docs = await call(`listing the tokens of user ${userId}`, () => searchAll<TokenDoc>(
      this.client, this.indices.name('tokens'), { term: { userId } }, [{ createdAt: 'asc' }, { id: 'asc' }],
    ));
    return docs.map((d) => publicToken(toToken(d)));
  }

  async revokeToken(userId: string, tokenId: string, at: number): Promise<ApiToken | null> {
    for (let attempt = 1; ; attempt++) {
      const res = await call(`reading token ${tokenId}`, () => this.client.get<TokenDoc>(
        { index: this.indices.name('tokens'), id: docId(tokenId) }, { ignore: [404] },
      ));
      if (!res.found || !res._source || res._seq_no == null || res._primary_term == null || res._source.userId !== userId) return null;
      const current = toToken(res._source);
      // A revoked token keeps its first revocation time.
      if (current.revokedAt !== null) return publicToken(current);
      const next: TokenDoc = { ...current, revokedAt: at };
      if (await this.compareAndSet('tokens', { id: docId(tokenId), seqNo: res._seq_no, primaryTerm: res._primary_term }, next)) return publicToken(next);
      if (attempt >= CAS_ATTEMPTS) throw errors.conflict(`Token ${tokenId} is being changed by others; retry`, { id: tokenId });
    }
  }

  async exportTokens(): Promise<readonly ApiTokenRecord[]> {
    const docs = await call('exporting tokens', () => searchAll<TokenDoc>(
      this.client, this.indices.name('tokens'), { match_all: {} }, [{ createdAt: 'asc' }, { id: 'asc' }],
    ));
    return docs.map(toToken);
  }

  /** The one user matching the query (by id), with what a compare-and-set needs. */
  private async findUser(query: { term: { id: string } }): Promise<{ id: string; doc: UserDoc; seqNo: number; primaryTerm: number } | null> {
    const res = await call('finding a user', () => this.client.search<UserDoc>({
      index: this.indices.name('users'), query, size: 1, seq_no_primary_term: true, track_total_hits: false,
    }));
    const hit = res.hits.hits[0];
    if (!hit?._source || hit._id == null || hit._seq_no == null || hit._primary_term == null) return null;
    return { id: hit._id, doc: hit._source, seqNo: hit._seq_no, primaryTerm: hit._primary_term };
  }

  private async findToken(tokenHash: string): Promise<TokenDoc | null> {
    const res = await call('finding a token', () => this.client.search<TokenDoc>({
      index: this.indices.name('tokens'), query: { term: { tokenHash } }, size: 1, track_total_hits: false,
    }));
    return sources(res)[0] ?? null;
  }

  private async compareAndSet(
    kind: 'users' | 'tokens', current: { id: string; seqNo: number; primaryTerm: number }, document: UserDoc | TokenDoc,
  ): Promise<boolean> {
    try {
      await this.client.index({
        index: this.indices.name(kind), id: current.id, document, if_seq_no: current.seqNo, if_primary_term: current.primaryTerm,
        refresh: this.indices.refresh,
      });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw toAppError(err, `updating ${kind} ${current.id}`);
    }
  }
}

/** Usernames are 3..64 of a-z 0-9 . _ - (validate.ts), so they always fit in an `_id`. */
const userDocId = (username: string): string => docId(`username:${username}`);

function userDoc(u: UserRecord): UserDoc {
  return {
    id: u.id, username: u.username, displayName: u.displayName, role: u.role, locality: u.locality, province: u.province,
    disabled: u.disabled, createdAt: u.createdAt, passwordHash: u.passwordHash,
  };
}

const toUser = (d: UserDoc): UserRecord => ({ ...userDoc(d), province: d.province ?? null });

function tokenDoc(t: ApiTokenRecord): TokenDoc {
  return {
    id: t.id, userId: t.userId, name: t.name, createdAt: t.createdAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt, tokenHash: t.tokenHash,
  };
}

const toToken = (d: TokenDoc): ApiTokenRecord => ({ ...tokenDoc(d), expiresAt: d.expiresAt ?? null, revokedAt: d.revokedAt ?? null });
