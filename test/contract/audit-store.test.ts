import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbAuditStore } from '../../src/store/duckdb/audit-store';
import { MemoryAuditStore } from '../../src/store/memory/audit-store';
import { auditStoreContract } from './audit-store.contract';

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

describe.skip('AuditStore contract: elasticsearch (skipped: set ELASTICSEARCH_URL to run; the adapter comes with the scaling issue)', () => {
  it('runs the same suite', () => undefined);
});
