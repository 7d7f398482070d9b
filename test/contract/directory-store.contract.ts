import type { Contact, Locality } from '../../src/directory/types';
import type { DirectoryStore, SourceRecord } from '../../src/store/directory-store';
import { ALL_SCOPE, localityScope } from '../../src/store/scope';

const T = Date.UTC(2026, 10, 23);
const loc = (code: string, level: Locality['level'], parentCode: string | null, provinceCode: string | null): Locality => ({
  code, name: `Locality ${code}`, level, parentCode, provinceCode, createdAt: T,
});
const src = (id: string, locality: string, province: string | null, keyHash: string, createdAt = T): SourceRecord => ({
  id, name: `Source ${id}`, locality, province, kind: 'access', format: 'nginx_combined', enabled: true, keyPrefix: 'canh_abcdefg', keyHash, createdAt,
});
const email = (address: string, language: 'vi' | 'en' = 'vi'): Contact => ({ kind: 'email', address, language });
const hook = (url: string, secret: string | null = null): Contact => ({ kind: 'webhook', url, secret });

/** The DirectoryStore contract: every adapter passes it. */
export function directoryStoreContract(name: string, make: () => Promise<{ store: DirectoryStore; reopen?: () => Promise<DirectoryStore> }>, persistent: boolean) {
  describe(`DirectoryStore contract: ${name}`, () => {
    let store: DirectoryStore;
    let reopen: (() => Promise<DirectoryStore>) | undefined;

    beforeEach(async () => {
      ({ store, reopen } = await make());
      await store.createLocality(loc('VN', 'central', null, null));
      await store.createLocality(loc('01', 'province', 'VN', '01'));
      await store.createLocality(loc('79', 'province', 'VN', '79'));
      await store.createLocality(loc('00004', 'commune', '01', '01'));
      await store.createLocality(loc('00007', 'commune', '01', '01'));
      await store.createLocality(loc('26734', 'commune', '79', '79'));
      await store.createSource(src('src_a', '00004', '01', 'hash-a', T + 2));
      await store.createSource(src('src_b', '26734', '79', 'hash-b', T + 1));
      await store.createSource(src('src_c', '01', '01', 'hash-c', T + 3));
    });
    afterEach(async () => store.close());

    it('round-trips a locality and rejects a duplicate code with a conflict', async () => {
      expect(await store.getLocality('00004', ALL_SCOPE)).toEqual(loc('00004', 'commune', '01', '01'));
      await expect(store.createLocality(loc('00004', 'commune', '01', '01'))).rejects.toMatchObject({ kind: 'conflict' });
    });

    it('creates localities together or none of them', async () => {
      await store.createLocalities([loc('48', 'province', 'VN', '48'), loc('20194', 'commune', '48', '48')]);
      expect((await store.listLocalities(localityScope(['48']))).map((l) => l.code)).toEqual(['20194', '48']);
      // 00007 exists: nothing of this batch is created.
      await expect(store.createLocalities([loc('20197', 'commune', '48', '48'), loc('00007', 'commune', '01', '01')])).rejects.toMatchObject({ kind: 'conflict' });
      expect(await store.getLocality('20197', ALL_SCOPE)).toBeNull();
      await expect(store.createLocalities([loc('20200', 'commune', '48', '48'), loc('20200', 'commune', '48', '48')])).rejects.toMatchObject({ kind: 'conflict' });
      expect(await store.getLocality('20200', ALL_SCOPE)).toBeNull();
    });

    it('lists localities in scope, ordered by code', async () => {
      expect((await store.listLocalities(ALL_SCOPE)).map((l) => l.code)).toEqual(['00004', '00007', '01', '26734', '79', 'VN']);
      expect((await store.listLocalities(localityScope(['01']))).map((l) => l.code)).toEqual(['00004', '00007', '01']);
      expect((await store.listLocalities(localityScope(['00007']))).map((l) => l.code)).toEqual(['00007']);
      expect(await store.getLocality('26734', localityScope(['01']))).toBeNull();
    });

    it('keeps sources scoped: a commune never sees another commune, a province sees its communes', async () => {
      expect((await store.listSources(ALL_SCOPE)).map((s) => s.id)).toEqual(['src_b', 'src_a', 'src_c']);
      expect((await store.listSources(localityScope(['01']))).map((s) => s.id)).toEqual(['src_a', 'src_c']);
      expect((await store.listSources(localityScope(['00004']))).map((s) => s.id)).toEqual(['src_a']);
      expect(await store.getSource('src_b', localityScope(['00004']))).toBeNull();
      expect(await store.getSource('src_b', localityScope(['79']))).toMatchObject({ id: 'src_b', locality: '26734' });
    });

    it('finds a source by key hash and never returns the hash', async () => {
      const s = await store.findSourceByKeyHash('hash-a');
      expect(s).toMatchObject({ id: 'src_a', locality: '00004', province: '01', kind: 'access', format: 'nginx_combined', enabled: true });
      expect(s).not.toHaveProperty('keyHash');
      expect(await store.findSourceByKeyHash('hash-zzz')).toBeNull();
      await expect(store.createSource(src('src_a', '00004', '01', 'other'))).rejects.toMatchObject({ kind: 'conflict' });
    });

    it('disables and enables a source within scope only', async () => {
      expect(await store.setSourceEnabled('src_a', false, localityScope(['79']))).toBeNull();
      expect(await store.setSourceEnabled('src_a', false, localityScope(['01']))).toMatchObject({ id: 'src_a', enabled: false });
      expect(await store.findSourceByKeyHash('hash-a')).toMatchObject({ enabled: false });
      expect(await store.setSourceEnabled('src_a', true, ALL_SCOPE)).toMatchObject({ enabled: true });
      expect(await store.setSourceEnabled('src_zzz', true, ALL_SCOPE)).toBeNull();
    });

    it('replaces a key within scope only, in one write: the old hash stops matching at once', async () => {
      expect(await store.replaceSourceKey('src_a', { keyHash: 'hash-a2', keyPrefix: 'canh_new1234' }, localityScope(['79']))).toBeNull();
      expect(await store.findSourceByKeyHash('hash-a')).toMatchObject({ id: 'src_a' });
      const updated = await store.replaceSourceKey('src_a', { keyHash: 'hash-a2', keyPrefix: 'canh_new1234' }, localityScope(['01']));
      expect(updated).toMatchObject({ id: 'src_a', keyPrefix: 'canh_new1234', revoked: false, enabled: true, locality: '00004' });
      expect(updated).not.toHaveProperty('keyHash');
      expect(await store.findSourceByKeyHash('hash-a')).toBeNull();
      expect(await store.findSourceByKeyHash('hash-a2')).toMatchObject({ id: 'src_a', keyPrefix: 'canh_new1234' });
      expect(await store.getSource('src_a', ALL_SCOPE)).toMatchObject({ keyPrefix: 'canh_new1234', revoked: false });
      expect(await store.replaceSourceKey('src_zzz', { keyHash: 'hash-z', keyPrefix: 'canh_zzzzzzz' }, ALL_SCOPE)).toBeNull();
      expect(await store.findSourceByKeyHash('hash-b')).toMatchObject({ id: 'src_b' });
    });

    it('revokes a key within scope only (idempotent), and a new key clears the revocation', async () => {
      expect(await store.getSource('src_a', ALL_SCOPE)).toMatchObject({ revoked: false });
      expect(await store.revokeSourceKey('src_a', localityScope(['79']))).toBeNull();
      expect(await store.findSourceByKeyHash('hash-a')).toMatchObject({ id: 'src_a' });
      expect(await store.revokeSourceKey('src_a', localityScope(['00004']))).toMatchObject({ id: 'src_a', revoked: true });
      expect(await store.findSourceByKeyHash('hash-a')).toBeNull();
      expect(await store.revokeSourceKey('src_a', ALL_SCOPE)).toMatchObject({ revoked: true });
      await store.revokeSourceKey('src_b', ALL_SCOPE);
      expect((await store.listSources(ALL_SCOPE)).map((s) => [s.id, s.revoked])).toEqual([['src_b', true], ['src_a', true], ['src_c', false]]);
      expect(await store.findSourceByKeyHash('revoked:src_a')).toMatchObject({ id: 'src_a' }); // never a SHA-256 hex: no key hashes to it
      expect(await store.revokeSourceKey('src_zzz', ALL_SCOPE)).toBeNull();
      expect(await store.replaceSourceKey('src_a', { keyHash: 'hash-a3', keyPrefix: 'canh_a3a3a3a' }, ALL_SCOPE)).toMatchObject({ revoked: false });
      expect(await store.findSourceByKeyHash('hash-a3')).toMatchObject({ id: 'src_a', revoked: false });
    });

    (persistent ? it : it.skip)('keeps a rotated key and a revocation across a reopen', async () => {
      await store.replaceSourceKey('src_a', { keyHash: 'hash-a2', keyPrefix: 'canh_new1234' }, ALL_SCOPE);
      await store.revokeSourceKey('src_b', ALL_SCOPE);
      await store.close();
      store = await (reopen as () => Promise<DirectoryStore>)();
      expect(await store.findSourceByKeyHash('hash-a2')).toMatchObject({ id: 'src_a', keyPrefix: 'canh_new1234', revoked: false });
      expect(await store.findSourceByKeyHash('hash-a')).toBeNull();
      expect(await store.findSourceByKeyHash('hash-b')).toBeNull();
      expect(await store.getSource('src_b', ALL_SCOPE)).toMatchObject({ revoked: true });
    });

    it('has no contacts until they are set, then returns them in order with every field', async () => {
      expect(await store.getContacts('00004')).toEqual([]);
      expect(await store.getContacts('nope')).toEqual([]);
      const list = [hook('https://hooks.example.vn/canh', 'a-secret-of-16+chars'), email('soc@example.vn'), email('Duty.Officer@hanoi.gov.vn', 'en'), hook('http://10.0.0.5:8080/x?y=1')];
      await store.setContacts('00004', list);
      expect(await store.getContacts('00004')).toEqual(list);
      expect(await store.getContacts('00007')).toEqual([]);
    });

    it('replaces the whole list, leaves other localities alone, and clears with an empty list', async () => {
      await store.setContacts('01', [email('a@example.vn'), email('b@example.vn'), email('c@example.vn')]);
      await store.setContacts('79', [email('hcm@example.vn', 'en')]);
      await store.setContacts('01', [email('c@example.vn'), hook('https://x.example.vn/', 'sixteen-chars-ok')]);
      expect(await store.getContacts('01')).toEqual([email('c@example.vn'), hook('https://x.example.vn/', 'sixteen-chars-ok')]);
      expect(await store.getContacts('79')).toEqual([email('hcm@example.vn', 'en')]);
      await store.setContacts('01', []);
      expect(await store.getContacts('01')).toEqual([]);
      expect(await store.getContacts('79')).toEqual([email('hcm@example.vn', 'en')]);
    });

    it('keeps the order of 50 contacts and copes with concurrent replacements (one whole list wins)', async () => {
      const many = Array.from({ length: 50 }, (_, i) => email(`duty${String(49 - i).padStart(2, '0')}@example.vn`, i % 2 ? 'en' : 'vi'));
      await store.setContacts('VN', many);
      expect(await store.getContacts('VN')).toEqual(many);
      const a = [email('a@example.vn'), email('b@example.vn')];
      const b = [hook('https://b.example.vn/')];
      await Promise.all([store.setContacts('VN', a), store.setContacts('VN', b), store.getContacts('VN').then((got) => expect([many, a, b]).toContainEqual(got))]);
      expect([a, b]).toContainEqual(await store.getContacts('VN'));
    });

    it('does not let a caller change the stored list through the arrays it passed or got', async () => {
      const list = [email('soc@example.vn')];
      await store.setContacts('01', list);
      list.push(email('x@example.vn'));
      (await store.getContacts('01') as Contact[]).push(email('y@example.vn'));
      expect(await store.getContacts('01')).toEqual([email('soc@example.vn')]);
    });

    (persistent ? it : it.skip)('keeps contacts across a reopen', async () => {
      await store.setContacts('00004', [email('old@example.vn')]);
      await store.setContacts('00004', [hook('https://hooks.example.vn/a', 'a-secret-of-16+chars'), email('soc@example.vn', 'en')]);
      await store.setContacts('79', [email('gone@example.vn')]);
      await store.setContacts('79', []);
      await store.close();
      store = await (reopen as () => Promise<DirectoryStore>)();
      expect(await store.getContacts('00004')).toEqual([hook('https://hooks.example.vn/a', 'a-secret-of-16+chars'), email('soc@example.vn', 'en')]);
      expect(await store.getContacts('79')).toEqual([]);
    });

    it('exports every source with its current key hash, revoked ones included, for canh migrate', async () => {
      await store.replaceSourceKey('src_b', { keyHash: 'hash-b2', keyPrefix: 'canh_b2b2b2b' }, ALL_SCOPE);
      await store.revokeSourceKey('src_c', ALL_SCOPE);
      const exported = await (store.exportSources as NonNullable<DirectoryStore['exportSources']>)();
      expect(exported).toEqual([
        { ...src('src_b', '26734', '79', 'hash-b2', T + 1), keyPrefix: 'canh_b2b2b2b', revoked: false },
        { ...src('src_a', '00004', '01', 'hash-a', T + 2), revoked: false },
        { ...src('src_c', '01', '01', 'revoked:src_c', T + 3), revoked: true },
      ]);
    });

    it('sets, lists and clears syslog settings within scope only; a token belongs to one source', async () => {
      expect(await store.listSyslogSources()).toEqual([]);
      const settings = { senders: ['192.0.2.10', '10.0.0.0/24'], token: 'tok_0123456789' };
      expect(await store.setSourceSyslog('src_a', settings, localityScope(['79']))).toBeNull();
      expect(await store.setSourceSyslog('src_a', settings, localityScope(['01']))).toMatchObject({ id: 'src_a', syslog: settings });
      await store.createSource({ ...src('src_d', '26734', '79', 'hash-d', T + 4), format: 'syslog', syslog: { senders: [], token: 'tok_other_one' } });
      await expect(store.setSourceSyslog('src_b', { senders: [], token: 'tok_0123456789' }, ALL_SCOPE)).rejects.toMatchObject({ kind: 'conflict' });
      await expect(store.createSource({ ...src('src_e', '26734', '79', 'hash-e'), syslog: { senders: [], token: 'tok_other_one' } })).rejects.toMatchObject({ kind: 'conflict' });
      expect(await store.setSourceSyslog('src_a', { senders: ['192.0.2.11'], token: 'tok_0123456789' }, ALL_SCOPE)).toMatchObject({ syslog: { senders: ['192.0.2.11'] } });
      expect((await store.listSyslogSources()).map((s) => [s.id, s.syslog?.token])).toEqual([['src_a', 'tok_0123456789'], ['src_d', 'tok_other_one']]);
      expect(await store.findSourceByKeyHash('hash-d')).toMatchObject({ format: 'syslog', syslog: { senders: [], token: 'tok_other_one' } });
      const cleared = await store.setSourceSyslog('src_a', null, ALL_SCOPE);
      expect(cleared).not.toHaveProperty('syslog');
      expect((await store.listSyslogSources()).map((s) => s.id)).toEqual(['src_d']);
      expect(await store.getSource('src_b', ALL_SCOPE)).not.toHaveProperty('syslog');
      expect(await store.setSourceSyslog('src_zzz', null, ALL_SCOPE)).toBeNull();
      if (persistent) {
        await store.close();
        store = await (reopen as () => Promise<DirectoryStore>)();
        expect((await store.listSyslogSources()).map((s) => s.syslog)).toEqual([{ senders: [], token: 'tok_other_one' }]);
      }
    });

    (persistent ? it : it.skip)('keeps everything across a reopen', async () => {
      await store.close();
      store = await (reopen as () => Promise<DirectoryStore>)();
      expect((await store.listSources(ALL_SCOPE)).length).toBe(3);
      expect(await store.getLocality('79', ALL_SCOPE)).toEqual(loc('79', 'province', 'VN', '79'));
    });
  });
}
