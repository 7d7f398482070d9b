import { incident, incidentStoreContract } from '../../../test/contract/incident-store.contract';
import { fakeStateCluster } from '../../../test/support/fake-elasticsearch-state';
import type { NewTimelineEntry } from '../../incidents/incident';
import { ALL_SCOPE, localityScope } from '../scope';
import { CLAIM_LEASE_MS, ElasticsearchIncidentStore } from './incident-store';

incidentStoreContract('elasticsearch (in-process fake cluster)', async () => {
  const cluster = fakeStateCluster();
  const open = async () => {
    const store = new ElasticsearchIncidentStore(cluster.client, {});
    await store.init();
    return store;
  };
  return { store: await open(), reopen: open };
}, true);

const T = Date.UTC(2026, 10, 23, 2, 0, 0);
const entry = (incidentId: string, action: NewTimelineEntry['action'], at = T): NewTimelineEntry => ({
  incidentId, at, actor: 'rule:r1', action, from: null, to: null, note: null,
});

async function setup() {
  const cluster = fakeStateCluster();
  const store = new ElasticsearchIncidentStore(cluster.client, { indexPrefix: 't-', refresh: true });
  await store.init();
  return { cluster, store };
}

const isIncidentWrite = (id: string) => (r: { method: string; path: string }) => r.method === 'PUT' && r.path === `/t-canh-incidents/_doc/${id}`;

describe('ElasticsearchIncidentStore requests', () => {
  it('updates with if_seq_no and if_primary_term of the document it read', async () => {
    const { cluster, store } = await setup();
    await store.create(incident('inc_a'), entry('inc_a', 'created'));
    const read = cluster.requests.length;
    await store.update({ ...incident('inc_a'), count: 2 }, 1, [entry('inc_a', 'hit_added')]);
    const writes = cluster.requests.slice(read).filter(isIncidentWrite('inc_a'));
    expect(writes).toHaveLength(1);
    expect(writes[0].params).toMatchObject({ if_seq_no: expect.stringMatching(/^\d+$/), if_primary_term: '1', refresh: 'true' });
    expect(writes[0].params.op_type).toBeUndefined();
    expect(writes[0].body).toMatchObject({ id: 'inc_a', count: 2, version: 2, timelineSeq: 2 });
  });

  it('turns a 409 of the compare-and-set into the version conflict of the port when someone else changed the incident', async () => {
    const { cluster, store } = await setup();
    await store.create(incident('inc_a'), entry('inc_a', 'created'));
    cluster.interject((r) => isIncidentWrite('inc_a')(r) && r.params.if_seq_no !== undefined, (r) => {
      cluster.put('t-canh-incidents', 'inc_a', { ...(cluster.doc('t-canh-incidents', 'inc_a') as object), version: 2 });
      return { status: 409, body: { error: { type: 'version_conflict_engine_exception', reason: `[inc_a]: version conflict (${r.params.if_seq_no})` }, status: 409 } };
    });
    await expect(store.update({ ...incident('inc_a'), count: 5 }, 1, [entry('inc_a', 'hit_added')], 'hit-1')).rejects.toMatchObject({
      kind: 'conflict', details: { id: 'inc_a', expected: 1, actual: 2 }, message: expect.stringMatching(/changed by someone else \(version 2, expected 1\)/),
    });
    expect(await store.hasHit('hit-1')).toBe(false);
    expect(await store.timeline('inc_a')).toHaveLength(1);
  });

  it('retries the compare-and-set when only a timeline append came first (same version)', async () => {
    const { cluster, store } = await setup();
    await store.create(incident('inc_a'), entry('inc_a', 'created'));
    cluster.interject((r) => isIncidentWrite('inc_a')(r) && r.params.if_seq_no !== undefined, { status: 409, body: { error: { type: 'version_conflict_engine_exception' }, status: 409 } });
    await expect(store.update({ ...incident('inc_a'), count: 2 }, 1, [entry('inc_a', 'hit_added')])).resolves.toMatchObject({ version: 2, count: 2 });
  });

  it('claims the fingerprint with op_type create: of two racing creates the loser gets activeConflict naming the winner', async () => {
    const { cluster, store } = await setup();
    const [x1, x2] = [incident('inc_x1', { group: { ip: '1' } }), incident('inc_x2', { group: { ip: '1' } })];
    const results = await Promise.allSettled([store.create(x1, entry('inc_x1', 'created')), store.create(x2, entry('inc_x2', 'created'))]);
    const claims = cluster.requests.filter((r) => r.path.startsWith('/t-canh-active-fingerprints/_doc/') && r.method === 'PUT');
    expect(claims.slice(0, 2).map((r) => r.params.op_type)).toEqual(['create', 'create']);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const winner = results[0].status === 'fulfilled' ? 'inc_x1' : 'inc_x2';
    expect(rejected?.reason).toMatchObject({ kind: 'conflict', details: { activeId: winner, fingerprint: x1.fingerprint } });
    expect((await store.list({}, ALL_SCOPE)).incidents.map((i) => i.id)).toEqual([winner]);
  });

  it('takes over a claim left by a failed change once its lease is over, never before', async () => {
    const { cluster, store } = await setup();
    const a = incident('inc_a');
    cluster.put('t-canh-active-fingerprints', a.fingerprint, { fingerprint: a.fingerprint, incidentId: 'inc_lost', claimedAt: Date.now() });
    await expect(store.create(a, entry('inc_a', 'created'))).rejects.toMatchObject({ kind: 'conflict', details: { activeId: 'inc_lost' } });
    cluster.put('t-canh-active-fingerprints', a.fingerprint, { fingerprint: a.fingerprint, incidentId: 'inc_lost', claimedAt: Date.now() - CLAIM_LEASE_MS - 1 });
    await store.create(a, entry('inc_a', 'created'));
    expect(await store.findActiveByFingerprint(a.fingerprint)).toEqual(a);
  });

  it('commits the timeline and hit id with the incident: after a failure past the commit, reads and the retry complete it', async () => {
    const { cluster, store } = await setup();
    await store.create(incident('inc_a'), entry('inc_a', 'created'), 'hit-1');
    // The bulk after the commit (the one writing hit-2) fails.
    cluster.interject((r) => r.path === '/_bulk' && JSON.stringify(r.body).includes('hit-2'), { status: 503, body: { error: { type: 'unavailable_shards_exception' }, status: 503 } });
    await expect(store.update({ ...incident('inc_a'), count: 2 }, 1, [entry('inc_a', 'hit_added')], 'hit-2')).rejects.toMatchObject({ kind: 'unavailable' });
    expect((await store.timeline('inc_a')).map((e) => [e.seq, e.action])).toEqual([[1, 'created'], [2, 'hit_added']]);
    expect(await store.hasHit('hit-2')).toBe(false);
    // The incident service retries the hit from a fresh read: version 2 holds it, so it is refused as processed.
    await expect(store.update({ ...incident('inc_a'), count: 3 }, 2, [entry('inc_a', 'hit_added')], 'hit-2')).rejects.toMatchObject({
      kind: 'conflict', details: { hitId: 'hit-2' },
    });
    expect(await store.hasHit('hit-2')).toBe(true);
    expect(await store.get('inc_a', ALL_SCOPE)).toMatchObject({ count: 2, version: 2 });
  });

  it('applies the scope in list queries and to get', async () => {
    const { cluster, store } = await setup();
    await store.create(incident('inc_a'), entry('inc_a', 'created'));
    expect(await store.get('inc_a', localityScope(['79']))).toBeNull();
    expect(await store.get('inc_a', localityScope(['01']))).toMatchObject({ id: 'inc_a' });
    await store.list({ locality: '00004', status: ['open'] }, localityScope(['01', '79']));
    const search = cluster.requests.filter((r) => r.path === '/t-canh-incidents/_search').pop();
    expect(search?.body).toMatchObject({
      sort: [{ lastSeen: 'desc' }, { id: 'desc' }], size: 51,
      query: { bool: { filter: [
        { terms: { status: ['open'] } },
        { bool: { should: [{ terms: { locality: ['00004'] } }, { terms: { province: ['00004'] } }], minimum_should_match: 1 } },
        { bool: { should: [{ terms: { locality: ['01', '79'] } }, { terms: { province: ['01', '79'] } }], minimum_should_match: 1 } },
      ] } },
    });
    expect((await store.list({}, localityScope([]))).incidents).toEqual([]);
  });
});
