import { Client } from '@elastic/elasticsearch';
import { AppError, errors } from '../../errors';
import type { Stores } from '../stores';
import { ElasticsearchAuditStore } from './audit-store';
import { ElasticsearchDirectoryStore } from './directory-store';
import { ElasticsearchEventStore } from './event-store';
import { ElasticsearchIncidentStore } from './incident-store';
import { ElasticsearchMonitorStore } from './monitor-store';
import { ElasticsearchRuleStateStore } from './rule-state-store';
import { ElasticsearchUserStore } from './user-store';

export interface OpenOptions {
  readonly url: string;
  readonly retentionDays: number;
  /** Events: wait for a refresh after each write (tests) or not (ingest throughput, the default). */
  readonly refreshEvents?: boolean;
}

/**
 * Every store port on one Elasticsearch cluster (CANH_STORE=elasticsearch, and `canh migrate`'s
 * target). Connects to Elasticsearch and opens every adapter: installs the retention policy and index
 * templates and creates the state indices (idempotent, as at every start). Throws kind
 * `unavailable`, naming the URL without its password, when the cluster does not answer.
 */
export async function openElasticsearchStores(options: OpenOptions): Promise<Stores> {
  const client = new Client({ node: options.url });
  const incidents = new ElasticsearchIncidentStore(client, {});
  const stores = {
    events: new ElasticsearchEventStore(client, { retentionDays: options.retentionDays, refresh: options.refreshEvents === true ? 'wait_for' : false }),
    directory: new ElasticsearchDirectoryStore(client, {}),
    ruleState: new ElasticsearchRuleStateStore(client, {}),
    incidents,
    users: new ElasticsearchUserStore(client, {}),
    audit: new ElasticsearchAuditStore(client, {}),
    monitors: new ElasticsearchMonitorStore(client, {}),
  };
  const all = Object.values(stores);
  const close = async () => {
    for (const s of all) await s.close().catch(() => undefined);
    await client.close();
  };
  try {
    for (const s of all) await s.init();
  } catch (err) {
    await close();
    const where = redactUrl(options.url);
    const cause = (err as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message.split('\n')[0]}` : '';
    if (err instanceof AppError && err.kind === 'unavailable') {
      throw new AppError(err.code, 'unavailable', `Elasticsearch at ${where} cannot be set up (${err.message}${detail})`, err.details, { cause: err });
    }
    throw err instanceof AppError ? err : errors.storeUnavailable(err);
  }
  return { ...stores, incidentStats: incidents.stats(), close };
}

/** The URL as it may be shown: without its user and password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(an invalid URL)';
  }
}
