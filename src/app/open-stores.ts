import { join } from 'node:path';
import type { Config } from '../config/schema';
import { errors } from '../errors';
import { DuckDbAuditStore } from '../store/duckdb/audit-store';
import { DuckDbDirectoryStore } from '../store/duckdb/directory-store';
import { DuckDbEventStore } from '../store/duckdb/event-store';
import { DuckDbIncidentStore } from '../store/duckdb/incident-store';
import { DuckDbMonitorStore } from '../store/duckdb/monitor-store';
import { DuckDbRuleStateStore } from '../store/duckdb/rule-state-store';
import { DuckDbUserStore } from '../store/duckdb/user-store';
import { openElasticsearchStores } from '../store/elasticsearch/open-stores';
import type { Stores } from '../store/stores';

/**
 * Opens the stores: the embedded DuckDB files under `dataDir` (one process writes them, ADR 0001),
 * or one Elasticsearch cluster shared by every process (ADR 0007).
 */
export async function openStores(config: Config, dataDir: string): Promise<Stores> {
  if (config.store === 'elasticsearch') {
    if (!config.elasticsearchUrl) throw errors.invalidConfig(['ELASTICSEARCH_URL: required when CANH_STORE=elasticsearch']);
    return openElasticsearchStores({ url: config.elasticsearchUrl, retentionDays: config.retentionDays });
  }
  const incidents = new DuckDbIncidentStore({ path: join(dataDir, 'incidents.duckdb') });
  const stores = {
    events: new DuckDbEventStore({ path: join(dataDir, 'events.duckdb'), config: { memory_limit: config.duckdbMemoryLimit } }),
    directory: new DuckDbDirectoryStore({ path: join(dataDir, 'directory.duckdb') }),
    ruleState: new DuckDbRuleStateStore({ path: join(dataDir, 'rules.duckdb') }),
    incidents,
    users: new DuckDbUserStore({ path: join(dataDir, 'users.duckdb') }),
    audit: new DuckDbAuditStore({ path: join(dataDir, 'audit.duckdb') }),
    monitors: new DuckDbMonitorStore({ path: join(dataDir, 'monitors.duckdb') }),
  };
  const opened: { close(): Promise<void> }[] = [];
  const close = async () => {
    for (const s of opened.reverse()) await s.close().catch(() => undefined);
  };
  try {
    for (const s of Object.values(stores)) {
      await s.init();
      opened.push(s);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { ...stores, incidentStats: incidents.stats(), close };
}
