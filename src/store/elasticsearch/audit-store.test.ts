import { auditEntry, auditStoreContract } from '../../../test/contract/audit-store.contract';
import { fakeStateCluster } from '../../../test/support/fake-elasticsearch-state';
import { ElasticsearchAuditStore } from './audit-store';

auditStoreContract('elasticsearch (in-process fake cluster)', async () => {
  const cluster = fakeStateCluster();
  const open = async () => {
    const store = new ElasticsearchAuditStore(cluster.client, {});
    await store.init();
    return store;
  };
  return { store: await open(), reopen: open };
}, true);

describe('ElasticsearchAuditStore requests', () => {
  it('appends with bulk create by id (a stored id is skipped) and lists newest first with search_after', async () => {
    const cluster = fakeStateCluster();
    const store = new ElasticsearchAuditStore(cluster.client, { indexPrefix: 't-', refresh: true });
    await store.init();
    await store.append([auditEntry('aud_a')]);
    await store.append([auditEntry('aud_a', { status: 500 }), auditEntry('aud_b', { at: 1 })]);
    const bulk = cluster.requests.filter((r) => r.path === '/_bulk');
    expect(bulk[1].body).toEqual([
      { create: { _index: 't-canh-audit', _id: 'aud_a' } }, expect.objectContaining({ id: 'aud_a', actor: 'ann', target: ['inc_1'] }),
      { create: { _index: 't-canh-audit', _id: 'aud_b' } }, expect.objectContaining({ id: 'aud_b' }),
    ]);
    expect(bulk[1].params.refresh).toBe('true');
    const page = await store.list({ size: 1, actor: 'ann', outcome: 'success' });
    expect(page.entries.map((e) => [e.id, e.status])).toEqual([['aud_a', 200]]);
    await store.list({ size: 1, cursor: page.nextCursor as string });
    const searches = cluster.requests.filter((r) => r.path === '/t-canh-audit/_search');
    expect(searches[0].body).toMatchObject({
      size: 2, sort: [{ at: 'desc' }, { id: 'desc' }],
      query: { bool: { filter: [{ term: { actor: 'ann' } }, { term: { outcome: 'success' } }] } },
    });
    expect(searches[1].body).toMatchObject({ search_after: [auditEntry('aud_a').at, 'aud_a'] });
  });

  it('throws kind unavailable when an entry is refused for another reason than its id', async () => {
    const cluster = fakeStateCluster();
    const store = new ElasticsearchAuditStore(cluster.client, {});
    await store.init();
    cluster.interject((r) => r.path === '/_bulk', { status: 200, body: { errors: true, items: [{ create: { _id: 'aud_a', status: 429, error: { type: 'es_rejected_execution_exception' } } }] } });
    await expect(store.append([auditEntry('aud_a')])).rejects.toMatchObject({ kind: 'unavailable' });
  });
});
