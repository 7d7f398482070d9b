import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbIncidentStore } from '../../src/store/duckdb/incident-store';
import { ElasticsearchIncidentStore } from '../../src/store/elasticsearch/incident-store';
import { MemoryIncidentStore } from '../../src/store/memory/incident-store';
import { ELASTICSEARCH_URL, elasticsearchStateStores } from './elasticsearch-state';
import { incidentStatsContract } from './incident-stats.contract';

incidentStatsContract('memory', async () => {
  const store = new MemoryIncidentStore();
  return { store, stats: store.stats() };
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

incidentStatsContract('duckdb', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'canh-incident-stats-'));
  dirs.push(dir);
  const store = new DuckDbIncidentStore({ path: join(dir, 'incidents.duckdb') });
  await store.init();
  return { store, stats: store.stats() };
});

if (ELASTICSEARCH_URL) {
  const stores = elasticsearchStateStores((client, options) => new ElasticsearchIncidentStore(client, options));
  incidentStatsContract('elasticsearch', async () => {
    const { store } = await stores();
    return { store, stats: store.stats() };
  });
} else {
  describe.skip('IncidentStats contract: elasticsearch (skipped: set ELASTICSEARCH_URL to run)', () => {
    it('runs the same suite against a fresh index prefix', () => undefined);
  });
}
