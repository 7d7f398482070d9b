import type { Config } from '../config/schema';
import { errors } from '../errors';
import { openElasticsearchStores } from '../store/elasticsearch/open-stores';
import type { MigrationStores } from './types';

/** The target stores of `canh migrate --to elasticsearch`, initialised, and how to close them with their client. */
export interface Target {
  readonly stores: MigrationStores;
  close(): Promise<void>;
}

/**
 * Connects to ELASTICSEARCH_URL and opens the Elasticsearch adapter of every port (installing the
 * index templates and retention policy, as a start of Canh would). Throws kind `invalid` when the
 * URL is not set, kind `unavailable` when the cluster does not answer.
 */
export async function openElasticsearchTarget(config: Config): Promise<Target> {
  if (config.elasticsearchUrl === undefined) throw errors.invalidConfig(['ELASTICSEARCH_URL is required to migrate to Elasticsearch']);
  // Events are written without waiting for a refresh (bulk speed); the final count waits for it.
  const es = await openElasticsearchStores({ url: config.elasticsearchUrl, retentionDays: config.retentionDays });
  const stores: MigrationStores = { events: es.events, directory: es.directory, incidents: es.incidents, users: es.users, ruleState: es.ruleState, audit: es.audit };
  return { stores, close: () => es.close() };
}
