import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbDirectoryStore } from '../../src/store/duckdb/directory-store';
import { ElasticsearchDirectoryStore } from '../../src/store/elasticsearch/directory-store';
import { MemoryDirectoryStore } from '../../src/store/memory/directory-store';
import { directoryStoreContract } from './directory-store.contract';
import { ELASTICSEARCH_URL, elasticsearchStateStores } from './elasticsearch-state';

directoryStoreContract('memory', async () => {
  const store = new MemoryDirectoryStore();
  await store.init();
  return { store };
}, false);

directoryStoreContract('duckdb', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'canh-dir-')), 'directory.duckdb');
  const open = async () => {
    const s = new DuckDbDirectoryStore({ path });
    await s.init();
    return s;
  };
  return { store: await open(), reopen: open };
}, true);

if (ELASTICSEARCH_URL) {
  directoryStoreContract('elasticsearch', elasticsearchStateStores((client, options) => new ElasticsearchDirectoryStore(client, options)), true);
} else {
  describe.skip('DirectoryStore contract: elasticsearch (skipped: set ELASTICSEARCH_URL to run)', () => {
    it('runs the same suite against a fresh index prefix', () => undefined);
  });
}
