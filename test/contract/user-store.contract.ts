import type { UserStore } from '../../src/store/user-store';
import { ALL_SCOPE, localityScope } from '../../src/store/scope';
import type { ApiTokenRecord, UserRecord } from '../../src/users/types';

const T = Date.UTC(2026, 10, 23);
const user = (id: string, username: string, locality: string, province: string | null, over: Partial<UserRecord> = {}): UserRecord => ({
  id, username, displayName: `Name of ${username}`, role: 'analyst', locality, province, disabled: false, createdAt: T,
  passwordHash: `scrypt$16384$8$1$salt-${id}$hash-${id}`, ...over,
});
const token = (id: string, userId: string, tokenHash: string, createdAt = T, over: Partial<ApiTokenRecord> = {}): ApiTokenRecord => ({
  id, userId, name: 'api', createdAt, expiresAt: null, revokedAt: null, tokenHash, ...over,
});
const withoutHash = <T extends { tokenHash?: string; passwordHash?: string }>(r: T) => {
  const { tokenHash: _t, passwordHash: _p, ...rest } = r;
  return rest;
};

/** The UserStore contract: every adapter passes it. */
export function userStoreContract(name: string, make: () => Promise<{ store: UserStore; reopen?: () => Promise<UserStore> }>, persistent: boolean) {
  describe(`UserStore contract: ${name}`, () => {
    let store: UserStore;
    let reopen: (() => Promise<UserStore>) | undefined;
    const an = user('usr_an', 'an', '00004', '01');
    const binh = user('usr_binh', 'binh', '26734', '79', { role: 'locality_admin' });
    const chi = user('usr_chi', 'chi', 'VN', null, { role: 'admin', displayName: 'Trần Thị Chi' });

    beforeEach(async () => {
      ({ store, reopen } = await make());
      await store.createUser(binh);
      await store.createUser(an);
      await store.createUser(chi);
    });
    afterEach(async () => store.close());

    it('round-trips a user with its password hash, by id and by username', async () => {
      expect(await store.getUser('usr_an')).toEqual(an);
      expect(await store.getUserByUsername('chi')).toEqual(chi);
      expect(await store.getUser('usr_nobody')).toBeNull();
      expect(await store.getUserByUsername('nobody')).toBeNull();
    });

    it('refuses a duplicate username or id with a conflict', async () => {
      await expect(store.createUser(user('usr_other', 'an', '00004', '01'))).rejects.toMatchObject({ kind: 'conflict' });
      await expect(store.createUser(user('usr_an', 'an2', '00004', '01'))).rejects.toMatchObject({ kind: 'conflict' });
    });

    it('lists users in scope, ordered by username, without password hashes', async () => {
      expect(await store.listUsers(ALL_SCOPE)).toEqual([an, binh, chi].map(withoutHash));
      expect((await store.listUsers(localityScope(['01']))).map((u) => u.username)).toEqual(['an']);
      expect((await store.listUsers(localityScope(['26734']))).map((u) => u.username)).toEqual(['binh']);
      expect(await store.listUsers(localityScope([]))).toEqual([]);
    });

    it('disables and re-enables a user; null for an unknown one', async () => {
      expect(await store.setUserDisabled('usr_an', true)).toEqual({ ...withoutHash(an), disabled: true });
      expect((await store.getUser('usr_an'))?.disabled).toBe(true);
      expect((await store.setUserDisabled('usr_an', false))?.disabled).toBe(false);
      expect(await store.setUserDisabled('usr_nobody', true)).toBeNull();
    });

    it('finds tokens by hash, lists a user\'s tokens by creation and refuses a duplicate hash', async () => {
      await store.createToken(token('tok_b', 'usr_an', 'hash-b', T + 2, { expiresAt: T + 1000, name: 'login' }));
      await store.createToken(token('tok_a', 'usr_an', 'hash-a', T + 1));
      await store.createToken(token('tok_c', 'usr_binh', 'hash-c'));
      expect(await store.findTokenByHash('hash-b')).toEqual(withoutHash(token('tok_b', 'usr_an', 'hash-b', T + 2, { expiresAt: T + 1000, name: 'login' })));
      expect(await store.findTokenByHash('hash-zzz')).toBeNull();
      expect((await store.listTokens('usr_an')).map((t) => t.id)).toEqual(['tok_a', 'tok_b']);
      expect(await store.listTokens('usr_chi')).toEqual([]);
      await expect(store.createToken(token('tok_d', 'usr_an', 'hash-a'))).rejects.toMatchObject({ kind: 'conflict' });
    });

    it('revokes a token of the user once (the first time is kept), and not another user\'s token', async () => {
      await store.createToken(token('tok_a', 'usr_an', 'hash-a'));
      expect(await store.revokeToken('usr_binh', 'tok_a', T + 5)).toBeNull();
      expect((await store.findTokenByHash('hash-a'))?.revokedAt).toBeNull();
      expect((await store.revokeToken('usr_an', 'tok_a', T + 5))?.revokedAt).toBe(T + 5);
      expect((await store.revokeToken('usr_an', 'tok_a', T + 9))?.revokedAt).toBe(T + 5);
      expect((await store.findTokenByHash('hash-a'))?.revokedAt).toBe(T + 5);
      expect(await store.revokeToken('usr_an', 'tok_nope', T)).toBeNull();
    });

    if (persistent) {
      it('keeps users and tokens across a reopen', async () => {
        await store.createToken(token('tok_a', 'usr_an', 'hash-a'));
        await store.revokeToken('usr_an', 'tok_a', T + 5);
        await store.close();
        store = await (reopen as () => Promise<UserStore>)();
        expect(await store.getUserByUsername('an')).toEqual(an);
        expect((await store.findTokenByHash('hash-a'))?.revokedAt).toBe(T + 5);
      });
    }

    it('exports every token with its hash, revoked and of every user, for canh migrate', async () => {
      await store.createToken(token('tok_2', 'usr_binh', 'hash-export-2', T + 2, { expiresAt: T + 99 }));
      await store.createToken(token('tok_1', 'usr_an', 'hash-export-1', T + 1));
      await store.revokeToken('usr_an', 'tok_1', T + 7);
      const exported = await (store.exportTokens as NonNullable<UserStore['exportTokens']>)();
      expect(exported.filter((t) => t.id === 'tok_1' || t.id === 'tok_2')).toEqual([
        token('tok_1', 'usr_an', 'hash-export-1', T + 1, { revokedAt: T + 7 }),
        token('tok_2', 'usr_binh', 'hash-export-2', T + 2, { expiresAt: T + 99 }),
      ]);
    });
  });
}
