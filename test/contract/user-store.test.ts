import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbUserStore } from '../../src/store/duckdb/user-store';
import { ElasticsearchUserStore } from '../../src/store/elasticsearch/user-store';
import { MemoryUserStore } from '../../src/store/memory/user-store';
import { userStoreContract } from './user-store.contract';
import { ELASTICSEARCH_URL, elasticsearchStateStores } from './elasticsearch-state';

userStoreContract('memory', async () => {
  const store = new MemoryUserStore();
  await store.init();
  return { store };
}, false);

userStoreContract('duckdb', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'canh-users-')), 'users.duckdb');
  const open = async () => {
    const s = new DuckDbUserStore({ path });
    await s.init();
    return s;
  };
  return { store: await open(), reopen: open };
}, true);

if (ELASTICSEARCH_URL) {
  userStoreContract('elasticsearch', elasticsearchStateStores((client, options) => new ElasticsearchUserStore(client, options)), true);
} else {
  describe.skip('UserStore contract: elasticsearch (skipped: set ELASTICSEARCH_URL to run)', () => {
    it('runs the same suite against a fresh index prefix', () => undefined);
  });
}
