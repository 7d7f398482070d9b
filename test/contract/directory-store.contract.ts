import type { Locality } from '../../src/directory/types';
import type { DirectoryStore, SourceRecord } from '../../src/store/directory-store';
import { ALL_SCOPE, localityScope } from '../../src/store/scope';

const T = Date.UTC(2026, 10, 23);
const loc = (code: string, level: Locality['level'], parentCode: string | null, provinceCode: string | null): Locality => ({
  code, name: `Locality ${code}`, level, parentCode, provinceCode, createdAt: T,
});
const src = (id: string, locality: string, province: string | null, keyHash: string, createdAt = T): SourceRecord => ({
  id, name: `Source ${id}`, locality, province, kind: 'access', format: 'nginx_combined', enabled: true, keyPrefix: 'canh_abcdefg', keyHash, createdAt,
});

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

    (persistent ? it : it.skip)('keeps everything across a reopen', async () => {
      await store.close();
      store = await (reopen as () => Promise<DirectoryStore>)();
      expect((await store.listSources(ALL_SCOPE)).length).toBe(3);
      expect(await store.getLocality('79', ALL_SCOPE)).toEqual(loc('79', 'province', 'VN', '79'));
    });
  });
}
