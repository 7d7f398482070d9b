import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbMonitorStore } from '../../src/store/duckdb/monitor-store';
import { ElasticsearchMonitorStore } from '../../src/store/elasticsearch/monitor-store';
import { MemoryMonitorStore } from '../../src/store/memory/monitor-store';
import { ELASTICSEARCH_URL, elasticsearchStateStores } from './elasticsearch-state';
import { monitorStoreContract } from './monitor-store.contract';

monitorStoreContract('memory', async () => {
  const store = new MemoryMonitorStore();
  await store.init();
  return { store };
});

monitorStoreContract('duckdb', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'canh-monitors-')), 'monitors.duckdb');
  const open = async () => {
    const s = new DuckDbMonitorStore({ path });
    await s.init();
    return s;
  };
  return { store: await open(), reopen: open };
});

if (ELASTICSEARCH_URL) {
  monitorStoreContract('elasticsearch', elasticsearchStateStores((client, options) => new ElasticsearchMonitorStore(client, options)));
} else {
  describe.skip('MonitorStore contract: elasticsearch (skipped: set ELASTICSEARCH_URL to run)', () => {
    it('runs the same suite against a fresh index prefix', () => undefined);
  });
}
