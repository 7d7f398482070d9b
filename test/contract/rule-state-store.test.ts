import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbRuleStateStore } from '../../src/store/duckdb/rule-state-store';
import { ElasticsearchRuleStateStore } from '../../src/store/elasticsearch/rule-state-store';
import { MemoryRuleStateStore } from '../../src/store/memory/rule-state-store';
import { ruleStateStoreContract } from './rule-state-store.contract';
import { ELASTICSEARCH_URL, elasticsearchStateStores } from './elasticsearch-state';

ruleStateStoreContract('memory', async () => ({ store: new MemoryRuleStateStore() }), false);

ruleStateStoreContract('duckdb', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'canh-rules-')), 'rules.duckdb');
  const open = async () => {
    const s = new DuckDbRuleStateStore({ path });
    await s.init();
    return s;
  };
  return { store: await open(), reopen: open };
}, true);

if (ELASTICSEARCH_URL) {
  ruleStateStoreContract('elasticsearch', elasticsearchStateStores((client, options) => new ElasticsearchRuleStateStore(client, options)), true);
} else {
  describe.skip('RuleStateStore contract: elasticsearch (skipped: set ELASTICSEARCH_URL to run)', () => {
    it('runs the same suite against a fresh index prefix', () => undefined);
  });
}
