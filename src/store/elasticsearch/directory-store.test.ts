import { directoryStoreContract } from '../../../test/contract/directory-store.contract';
import { fakeStateCluster } from '../../../test/support/fake-elasticsearch-state';
import type { Locality } from '../../directory/types';
import type { SourceRecord } from '../directory-store';
import { ALL_SCOPE, localityScope } from '../scope';
import { ElasticsearchDirectoryStore } from './directory-store';

directoryStoreContract('elasticsearch (in-process fake cluster)', async () => {
  const cluster = fakeStateCluster();
  const open = async () => {
    const store = new ElasticsearchDirectoryStore(cluster.client, {});
    await store.init();
    return store;
  };
  return { store: await open(), reopen: open };
}, true);

const T = Date.UTC(2026, 10, 23);
const loc = (code: string, provinceCode: string | null): Locality => ({
  code, name: `Locality ${code}`, level: provinceCode === code ? 'province' : 'commune', parentCode: provinceCode, provinceCode, createdAt: T,
});
const src = (id: string, locality: string, province: string | null, keyHash: string): SourceRecord => ({
  id, name: id, locality, province, kind: 'access', format: 'nginx_combined', enabled: true, keyPrefix: 'canh_abcdefg', keyHash, createdAt: T,
});

async function setup() {
  const cluster = fakeStateCluster();
  const store = new ElasticsearchDirectoryStore(cluster.client, { indexPrefix: 't-', refresh: true });
  await store.init();
  return { cluster, store };
}

describe('ElasticsearchDirectoryStore requests', () => {
  it('creates an import\'s localities with op_type create and deletes the ones it created when one fails', async () => {
    const { cluster, store } = await setup();
    await store.createLocality(loc('00007', '01'));
    await expect(store.createLocalities([loc('01', '01'), loc('00004', '01'), loc('00007', '01')])).rejects.toMatchObject({
      kind: 'conflict', details: { code: '00007' },
    });
    const bulks = cluster.requests.filter((r) => r.path === '/_bulk').map((r) => r.body as Record<string, unknown>[]);
    expect(bulks[0].filter((_, i) => i % 2 === 0)).toEqual(['01', '00004', '00007'].map((c) => ({ create: { _index: 't-canh-localities', _id: c } })));
    expect(bulks[1]).toEqual(['01', '00004'].map((c) => ({ delete: { _index: 't-canh-localities', _id: c } })));
    expect((await store.listLocalities(ALL_SCOPE)).map((l) => l.code)).toEqual(['00007']);
  });

  it('applies the scope in listing queries, on code or province for localities and locality or province for sources', async () => {
    const { cluster, store } = await setup();
    await store.listLocalities(localityScope(['01']));
    await store.listSources(localityScope(['01']));
    const [localities, sources] = cluster.requests.filter((r) => r.path.endsWith('/_search')).map((r) => r.body);
    expect(localities).toMatchObject({
      sort: [{ code: 'asc' }],
      query: { bool: { filter: [{ bool: { should: [{ terms: { code: ['01'] } }, { terms: { provinceCode: ['01'] } }], minimum_should_match: 1 } }] } },
    });
    expect(sources).toMatchObject({
      sort: [{ createdAt: 'asc' }, { id: 'asc' }],
      query: { bool: { filter: [{ bool: { should: [{ terms: { locality: ['01'] } }, { terms: { province: ['01'] } }], minimum_should_match: 1 } }] } },
    });
  });

  it('finds a source by a term query on its key hash and changes it by compare-and-set', async () => {
    const { cluster, store } = await setup();
    await store.createSource(src('src_a', '00004', '01', 'hash-a'));
    expect(await store.findSourceByKeyHash('hash-a')).toMatchObject({ id: 'src_a' });
    expect(cluster.requests.pop()?.body).toMatchObject({ query: { term: { keyHash: 'hash-a' } }, size: 1 });
    await store.setSourceEnabled('src_a', false, ALL_SCOPE);
    const write = cluster.requests.filter((r) => r.method === 'PUT' && r.path === '/t-canh-sources/_doc/src_a').pop();
    expect(write?.params).toMatchObject({ if_seq_no: expect.stringMatching(/^\d+$/), if_primary_term: '1' });
    expect(write?.body).toMatchObject({ enabled: false, keyHash: 'hash-a' });
  });

  it('replaces contacts by one partial update of the locality; not_found for an unknown one', async () => {
    const { cluster, store } = await setup();
    await store.createLocality(loc('01', '01'));
    await store.setContacts('01', [{ kind: 'email', address: 'soc@example.vn', language: 'vi' }]);
    const update = cluster.requests.find((r) => r.path === '/t-canh-localities/_update/01');
    expect(update?.body).toEqual({ doc: { contacts: JSON.stringify([{ kind: 'email', address: 'soc@example.vn', language: 'vi' }]) } });
    expect(update?.params).toMatchObject({ retry_on_conflict: '5' });
    await expect(store.setContacts('99', [])).rejects.toMatchObject({ kind: 'not_found' });
  });
});
