import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbAuditStore } from '../../src/store/duckdb/audit-store';
import { ElasticsearchAuditStore } from '../../src/store/elasticsearch/audit-store';
import { MemoryAuditStore } from '../../src/store/memory/audit-store';
import { auditStoreContract } from './audit-store.contract';
import { ELASTICSEARCH_URL, elasticsearchStateStores } from './elasticsearch-state';

auditStoreContract('memory', async () => ({ store: new MemoryAuditStore() }), false);

auditStoreContract('duckdb', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'canh-audit-')), 'audit.duckdb');
  const open = async () => {
    const s = new DuckDbAuditStore({ path });
    await s.init();
    return s;
  };
  return { store: await open(), reopen: open };
}, true);

if (ELASTICSEARCH_URL) {
  auditStoreContract('elasticsearch', elasticsearchStateStores((client, options) => new ElasticsearchAuditStore(client, options)), true);
} else {
  describe.skip('AuditStore contract: elasticsearch (skipped: set ELASTICSEARCH_URL to run)', () => {
    it('runs the same suite against a fresh index prefix', () => undefined);
  });
}
