import { monitorStoreContract } from '../../../test/contract/monitor-store.contract';
import { fakeStateCluster } from '../../../test/support/fake-elasticsearch-state';
import type { StoredMonitor } from '../../monitors/monitor';
import { ALL_SCOPE, localityScope } from '../scope';
import { ElasticsearchMonitorStore } from './monitor-store';

monitorStoreContract('elasticsearch (in-process fake cluster)', async () => {
  const cluster = fakeStateCluster();
  const open = async () => {
    const store = new ElasticsearchMonitorStore(cluster.client, {});
    await store.init();
    return store;
  };
  return { store: await open(), reopen: open };
});

const T = Date.UTC(2026, 10, 23);
const monitor = (id: string, locality: string, province: string | null): StoredMonitor => ({
  id, name: `Portal ${id}`, locality, province, service: 'portal', check: { type: 'tcp', host: `${id}.example.vn`, port: 443 },
  intervalMs: 30_000, timeoutMs: 5_000, enabled: true, origin: { kind: 'api' }, createdAt: T, updatedAt: T,
});

async function setup() {
  const cluster = fakeStateCluster();
  const store = new ElasticsearchMonitorStore(cluster.client, { indexPrefix: 't-', refresh: true });
  await store.init();
  return { cluster, store };
}

const conflict = { status: 409, body: { error: { type: 'version_conflict_engine_exception', reason: 'stale' }, status: 409 } };

describe('ElasticsearchMonitorStore requests', () => {
  it('creates with op_type create under the monitor id in the prefixed index, and lists with the scope filter by id', async () => {
    const { cluster, store } = await setup();
    await store.createMonitor(monitor('portal', '26734', '79'));
    const create = cluster.requests.find((r) => r.method === 'PUT' && r.path === '/t-canh-monitors/_doc/portal');
    expect(create?.params).toMatchObject({ op_type: 'create', refresh: 'true' });
    expect(create?.body).toMatchObject({ id: 'portal', locality: '26734', province: '79', definition: expect.any(String) });
    await store.listMonitors(localityScope(['79']));
    const search = cluster.requests.filter((r) => r.path === '/t-canh-monitors/_search').pop();
    expect(search?.body).toMatchObject({
      sort: [{ id: 'asc' }],
      query: { bool: { filter: [{ bool: { should: [{ terms: { locality: ['79'] } }, { terms: { province: ['79'] } }], minimum_should_match: 1 } }] } },
    });
  });

  it('does not update a monitor moved out of the scope between its read and its write', async () => {
    const { cluster, store } = await setup();
    const portal = monitor('portal', '26734', '79');
    await store.createMonitor(portal);
    // Another writer moves it to province 01 just before our compare-and-set: the write is stale (409), the re-read is out of scope.
    cluster.interject((r) => r.method === 'PUT' && r.path === '/t-canh-monitors/_doc/portal' && r.params.if_seq_no !== undefined, () => {
      const moved = monitor('portal', '00004', '01');
      cluster.put('t-canh-monitors', 'portal', { id: 'portal', locality: '00004', province: '01', createdAt: T, updatedAt: T, definition: JSON.stringify(moved) });
      return conflict;
    });
    expect(await store.updateMonitor({ ...portal, name: 'Mine' }, localityScope(['79']))).toBeNull();
    expect(await store.getMonitor('portal', ALL_SCOPE)).toMatchObject({ locality: '00004', name: 'Portal portal' });
  });

  it('deletes with if_seq_no of its read, and answers false when the monitor was deleted meanwhile', async () => {
    const { cluster, store } = await setup();
    await store.createMonitor(monitor('portal', '26734', '79'));
    cluster.interject((r) => r.method === 'DELETE' && r.path === '/t-canh-monitors/_doc/portal', { status: 404, body: { result: 'not_found' } });
    expect(await store.deleteMonitor('portal', ALL_SCOPE)).toBe(false);
    expect(await store.deleteMonitor('portal', ALL_SCOPE)).toBe(true);
    const deletes = cluster.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.params.if_seq_no)).toEqual([expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)]);
  });

  it('throws kind unavailable when the cluster answers 503', async () => {
    const { cluster, store } = await setup();
    cluster.interject((r) => r.path === '/t-canh-monitors/_search', { status: 503, body: { error: { type: 'unavailable_shards_exception' }, status: 503 } });
    await expect(store.listMonitors(ALL_SCOPE)).rejects.toMatchObject({ kind: 'unavailable' });
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
