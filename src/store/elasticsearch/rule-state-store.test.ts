import { ruleStateStoreContract } from '../../../test/contract/rule-state-store.contract';
import { fakeStateCluster } from '../../../test/support/fake-elasticsearch-state';
import type { FakeRequest } from './fake-connection';
import { MAX_RUNS_PER_RULE } from '../rule-state-store';
import { ElasticsearchRuleStateStore } from './rule-state-store';

ruleStateStoreContract('elasticsearch (in-process fake cluster)', async () => {
  const cluster = fakeStateCluster();
  const open = async () => {
    const store = new ElasticsearchRuleStateStore(cluster.client, {});
    await store.init();
    return store;
  };
  return { store: await open(), reopen: open };
}, true);

const T = Date.UTC(2026, 10, 23, 2, 0, 0);

async function setup() {
  const cluster = fakeStateCluster();
  const store = new ElasticsearchRuleStateStore(cluster.client, { indexPrefix: 't-' });
  await store.init();
  return { cluster, store };
}

const checkpointWrites = (requests: readonly FakeRequest[]) => requests.filter((r) => r.method === 'PUT' && r.path === '/t-canh-rule-checkpoints/_doc/r1');

describe('ElasticsearchRuleStateStore requests', () => {
  it('creates the first checkpoint with op_type create and moves it by compare-and-set on the document read', async () => {
    const { cluster, store } = await setup();
    expect(await store.advanceCheckpoint('r1', 'v1', null, T)).toBe(true);
    expect(await store.advanceCheckpoint('r1', 'v1', T, T + 60_000)).toBe(true);
    const [first, second] = checkpointWrites(cluster.requests);
    expect(first.params).toMatchObject({ op_type: 'create', refresh: 'wait_for' });
    expect(second.params).toMatchObject({ if_seq_no: expect.stringMatching(/^\d+$/), if_primary_term: '1' });
    expect(second.body).toEqual({ ruleId: 'r1', ruleVersion: 'v1', evaluatedTo: T + 60_000 });
  });

  it('answers false when the compare-and-set loses (409) and when the checkpoint is elsewhere, writing nothing then', async () => {
    const { cluster, store } = await setup();
    await store.advanceCheckpoint('r1', 'v1', null, T);
    cluster.interject((r) => r.method === 'PUT' && r.path === '/t-canh-rule-checkpoints/_doc/r1', { status: 409, body: { error: { type: 'version_conflict_engine_exception' }, status: 409 } });
    expect(await store.advanceCheckpoint('r1', 'v1', T, T + 60_000)).toBe(false);
    const writes = checkpointWrites(cluster.requests).length;
    expect(await store.advanceCheckpoint('r1', 'v1', T - 60_000, T)).toBe(false);
    expect(checkpointWrites(cluster.requests)).toHaveLength(writes);
    expect(await store.getCheckpoint('r1')).toEqual({ ruleId: 'r1', ruleVersion: 'v1', evaluatedTo: T });
  });

  it('prunes a rule\'s runs older than its newest MAX_RUNS_PER_RULE, at most once a minute', async () => {
    const { cluster, store } = await setup();
    for (let i = 0; i < MAX_RUNS_PER_RULE + 5; i++) {
      cluster.put('t-canh-rule-runs', `old-${i}`, { ruleId: 'r1', ruleVersion: 'v1', startedAt: T + i, durationMs: 1, from: 0, to: 1, hits: 0, skipped: 0, error: null });
    }
    await store.recordRun({ ruleId: 'r1', ruleVersion: 'v1', startedAt: T + 5000, durationMs: 1, from: 0, to: 1, hits: 0, skipped: 0, error: null });
    const prune = cluster.requests.find((r) => r.path === '/t-canh-rule-runs/_delete_by_query');
    expect(prune?.body).toEqual({ query: { bool: { filter: [{ term: { ruleId: 'r1' } }, { range: { startedAt: { lt: T + 6 } } }] } } });
    expect(await store.listRuns('r1', 5000)).toHaveLength(MAX_RUNS_PER_RULE);
    await store.recordRun({ ruleId: 'r1', ruleVersion: 'v1', startedAt: T + 6000, durationMs: 1, from: 0, to: 1, hits: 0, skipped: 0, error: null });
    expect(cluster.requests.filter((r) => r.path === '/t-canh-rule-runs/_delete_by_query')).toHaveLength(1);
  });

  it('reads the last run of every rule with one collapsed search', async () => {
    const { cluster, store } = await setup();
    await store.lastRuns();
    expect(cluster.requests.pop()?.body).toMatchObject({ collapse: { field: 'ruleId' }, sort: [{ startedAt: 'desc' }] });
  });
});
