import { userStoreContract } from '../../../test/contract/user-store.contract';
import { fakeStateCluster } from '../../../test/support/fake-elasticsearch-state';
import type { UserRecord } from '../../users/types';
import { localityScope } from '../scope';
import { ElasticsearchUserStore } from './user-store';

userStoreContract('elasticsearch (in-process fake cluster)', async () => {
  const cluster = fakeStateCluster();
  const open = async () => {
    const store = new ElasticsearchUserStore(cluster.client, {});
    await store.init();
    return store;
  };
  return { store: await open(), reopen: open };
}, true);

const T = Date.UTC(2026, 10, 23);
const user = (id: string, username: string): UserRecord => ({
  id, username, displayName: username, role: 'analyst', locality: '00004', province: '01', disabled: false, createdAt: T, passwordHash: 'scrypt$x',
});

async function setup() {
  const cluster = fakeStateCluster();
  const store = new ElasticsearchUserStore(cluster.client, { indexPrefix: 't-', refresh: true });
  await store.init();
  return { cluster, store };
}

describe('ElasticsearchUserStore requests', () => {
  it('finds a token by a term query on its hash and never returns the hash', async () => {
    const { cluster, store } = await setup();
    await store.createToken({ id: 'tok_a', userId: 'usr_an', name: 'api', createdAt: T, expiresAt: null, revokedAt: null, tokenHash: 'h'.repeat(64) });
    const found = await store.findTokenByHash('h'.repeat(64));
    expect(cluster.requests.pop()).toMatchObject({ path: '/t-canh-user-tokens/_search', body: { query: { term: { tokenHash: 'h'.repeat(64) } }, size: 1 } });
    expect(found).toEqual({ id: 'tok_a', userId: 'usr_an', name: 'api', createdAt: T, expiresAt: null, revokedAt: null });
  });

  it('makes usernames unique with op_type create under an id made from the username', async () => {
    const { cluster, store } = await setup();
    await store.createUser(user('usr_an', 'an'));
    await expect(store.createUser(user('usr_other', 'an'))).rejects.toMatchObject({ kind: 'conflict' });
    const creates = cluster.requests.filter((r) => r.method === 'PUT' && r.path === '/t-canh-users/_doc/username%3Aan');
    expect(creates.map((r) => r.params.op_type)).toEqual(['create', 'create']);
  });

  it('applies the scope in the listing query', async () => {
    const { cluster, store } = await setup();
    await store.listUsers(localityScope(['01']));
    expect(cluster.requests.pop()?.body).toMatchObject({
      sort: [{ username: 'asc' }],
      query: { bool: { filter: [{ bool: { should: [{ terms: { locality: ['01'] } }, { terms: { province: ['01'] } }], minimum_should_match: 1 } }] } },
    });
  });
});
