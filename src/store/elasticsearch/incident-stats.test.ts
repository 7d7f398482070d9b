import { incidentStatsContract } from '../../../test/contract/incident-stats.contract';
import { incident } from '../../../test/contract/incident-store.contract';
import { fakeStateCluster } from '../../../test/support/fake-elasticsearch-state';
import type { NewTimelineEntry } from '../../incidents/incident';
import { ALL_SCOPE, localityScope } from '../scope';
import { ElasticsearchIncidentStats } from './incident-stats';
import { ElasticsearchIncidentStore } from './incident-store';

incidentStatsContract('elasticsearch (in-process fake cluster)', async () => {
  const cluster = fakeStateCluster();
  const store = new ElasticsearchIncidentStore(cluster.client, {});
  await store.init();
  return { store, stats: store.stats() };
});

const T = Date.UTC(2026, 10, 23, 2, 0, 0);
const HOUR = 3_600_000;
const entry = (incidentId: string, action: NewTimelineEntry['action'], at: number): NewTimelineEntry => ({
  incidentId, at, actor: 'user:alice', action, from: null, to: null, note: null,
});

async function setup() {
  const cluster = fakeStateCluster();
  const store = new ElasticsearchIncidentStore(cluster.client, { indexPrefix: 't-', refresh: true });
  await store.init();
  return { cluster, store, stats: store.stats() };
}

const searches = (cluster: ReturnType<typeof fakeStateCluster>, index: string) => cluster.requests.filter((r) => r.path === `/${index}/_search`);

describe('ElasticsearchIncidentStats requests', () => {
  it('applies the scope and the range in the incidents query, and reads the timeline only of the incidents it returned', async () => {
    const { cluster, store, stats } = await setup();
    await store.create(incident('inc_a', { firstSeen: T - HOUR }), entry('inc_a', 'created', T - HOUR));
    await store.appendTimeline([entry('inc_a', 'acknowledged', T - HOUR + 60_000)]);
    const rows = await stats.responseTimes({ from: T - 2 * HOUR, to: T }, 'locality', localityScope(['01']));
    expect(rows).toEqual([expect.objectContaining({ key: incident('inc_a').locality, incidents: 1, ack: { n: 1, meanMs: 60_000, p50Ms: 60_000, p90Ms: 60_000 } })]);
    const [query] = searches(cluster, 't-canh-incidents');
    expect(query.body).toMatchObject({
      sort: [{ id: 'asc' }], track_total_hits: false, _source: expect.arrayContaining(['id', 'locality', 'firstSeen', 'pending']),
      query: { bool: { filter: [
        { range: { firstSeen: { gte: T - 2 * HOUR, lt: T } } },
        { bool: { should: [{ terms: { locality: ['01'] } }, { terms: { province: ['01'] } }], minimum_should_match: 1 } },
      ] } },
    });
    const [timeline] = searches(cluster, 't-canh-incident-timeline');
    expect(timeline.body).toMatchObject({
      sort: [{ incidentId: 'asc' }, { seq: 'asc' }],
      query: { bool: { filter: [{ terms: { incidentId: ['inc_a'] } }, { terms: { action: ['created', 'acknowledged', 'resolved', 'auto_resolved'] } }] } },
    });
    // Out of scope: no incident, so no timeline read either.
    const before = searches(cluster, 't-canh-incident-timeline').length;
    expect(await stats.responseTimes({ from: T - 2 * HOUR, to: T }, 'locality', localityScope(['79']))).toEqual([]);
    expect(await stats.breaches({ from: T - 2 * HOUR, to: T }, T, localityScope([]))).toEqual([]);
    expect(searches(cluster, 't-canh-incident-timeline')).toHaveLength(before);
  });

  it('counts the entries of a change committed but not yet copied to the timeline index (pending on the incident)', async () => {
    const { cluster, store, stats } = await setup();
    await store.create(incident('inc_a', { firstSeen: T - HOUR }), entry('inc_a', 'created', T - HOUR));
    // The bulk after the commit (the one copying the resolved entry) fails.
    cluster.interject((r) => r.path === '/_bulk' && JSON.stringify(r.body).includes('"action":"resolved"'), {
      status: 503, body: { error: { type: 'unavailable_shards_exception' }, status: 503 },
    });
    await expect(store.update({ ...incident('inc_a', { firstSeen: T - HOUR }), status: 'resolved' }, 1, [entry('inc_a', 'resolved', T - HOUR + 600_000)]))
      .rejects.toMatchObject({ kind: 'unavailable' });
    expect(cluster.doc('t-canh-incident-timeline', 'inc_a:2')).toBeUndefined();
    const [row] = await stats.responseTimes({ from: T - 2 * HOUR, to: T }, 'severity', ALL_SCOPE);
    expect(row.resolve).toEqual({ n: 1, meanMs: 600_000, p50Ms: 600_000, p90Ms: 600_000 });
  });

  it('reads every page of a large range with search_after, in chunks of ids for the timeline', async () => {
    const { cluster, stats } = await setup();
    const n = 5_001;
    for (let k = 0; k < n; k++) {
      const id = `inc_${String(k).padStart(5, '0')}`;
      cluster.put('t-canh-incidents', id, {
        id, locality: '00004', province: '01', category: 'fraud', severity: 'low', status: 'open', firstSeen: T - HOUR, ackDue: null,
        ruleId: 'r1', title: 'x', pending: JSON.stringify({ hitIds: [], entries: [] }),
      });
    }
    expect(await stats.createdCounts({ from: T - 2 * HOUR, to: T, intervalMs: HOUR, by: 'locality' }, ALL_SCOPE)).toEqual([
      { start: T - HOUR, key: '00004', count: n },
    ]);
    const pages = searches(cluster, 't-canh-incidents');
    expect(pages).toHaveLength(2);
    expect(pages[1].body).toMatchObject({ size: 5000, search_after: ['inc_04999'] });
    expect(await stats.breaches({ from: T - 2 * HOUR, to: T }, T, ALL_SCOPE)).toEqual([{ locality: '00004', severity: 'low', incidents: n, breaches: 0 }]);
    expect(searches(cluster, 't-canh-incident-timeline')).toHaveLength(6);
  });

  it('throws kind unavailable when a search fails, and reads the indices of its own options', async () => {
    const { cluster } = await setup();
    const stats = new ElasticsearchIncidentStats(cluster.client, { indexPrefix: 't-' });
    cluster.interject((r) => r.path === '/t-canh-incidents/_search', { status: 503, body: { error: { type: 'unavailable_shards_exception' }, status: 503 } });
    await expect(stats.backlog(T, ALL_SCOPE)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(await stats.backlog(T, ALL_SCOPE)).toEqual([]);
    expect(searches(cluster, 't-canh-incidents')[1].body).toMatchObject({ query: { bool: { filter: [{ bool: { must_not: [{ term: { status: 'resolved' } }] } }] } } });
  });
});
