import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbIncidentStore } from '../../src/store/duckdb/incident-store';
import { ElasticsearchIncidentStore } from '../../src/store/elasticsearch/incident-store';
import { MemoryIncidentStore } from '../../src/store/memory/incident-store';
import { incidentStoreContract } from './incident-store.contract';
import { ELASTICSEARCH_URL, elasticsearchStateStores } from './elasticsearch-state';

incidentStoreContract('memory', async () => ({ store: new MemoryIncidentStore() }), false);

incidentStoreContract('duckdb', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'canh-incidents-')), 'incidents.duckdb');
  const open = async () => {
    const s = new DuckDbIncidentStore({ path });
    await s.init();
    return s;
  };
  return { store: await open(), reopen: open };
}, true);

if (ELASTICSEARCH_URL) {
  incidentStoreContract('elasticsearch', elasticsearchStateStores((client, options) => new ElasticsearchIncidentStore(client, options)), true);
} else {
  describe.skip('IncidentStore contract: elasticsearch (skipped: set ELASTICSEARCH_URL to run)', () => {
    it('runs the same suite against a fresh index prefix', () => undefined);
  });
}
