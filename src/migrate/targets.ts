import type { Config } from '../config/schema';
import { AppError, errors } from '../errors';
import type { MigrationStores } from './types';

/** A class of the Elasticsearch adapters: `(client, options)`. */
type StoreClass = new (client: unknown, options: Record<string, unknown>) => { init(): Promise<void>; close(): Promise<void> };

/** The adapter modules, by port (src/store/elasticsearch/). */
const MODULES: Record<keyof MigrationStores, { file: string; className: string }> = {
  events: { file: 'event-store', className: 'ElasticsearchEventStore' },
  directory: { file: 'directory-store', className: 'ElasticsearchDirectoryStore' },
  incidents: { file: 'incident-store', className: 'ElasticsearchIncidentStore' },
  users: { file: 'user-store', className: 'ElasticsearchUserStore' },
  ruleState: { file: 'rule-state-store', className: 'ElasticsearchRuleStateStore' },
  audit: { file: 'audit-store', className: 'ElasticsearchAuditStore' },
};

export const ADAPTERS_MISSING = 'the Elasticsearch adapters are not available in this build';

/**
 * The adapter class of a module: the named export, else the one exported class whose name ends in
 * `Store`. The path is a variable so that tsc compiles whether or not the module exists yet.
 */
export async function loadStoreClass(file: string, className: string, folder = '../store/elasticsearch'): Promise<StoreClass> {
  const path = `${folder}/${file}`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(path)) as Record<string, unknown>;
  } catch (err) {
    throw errors.invalidConfig([`${ADAPTERS_MISSING} (${file}: ${(err as Error).message.split('\n')[0]})`]);
  }
  const named = mod[className];
  const stores = Object.entries(mod).filter(([name, v]) => typeof v === 'function' && /Store$/.test(name));
  const found = typeof named === 'function' ? named : stores.length === 1 ? stores[0][1] : undefined;
  if (found === undefined) throw errors.invalidConfig([`${ADAPTERS_MISSING} (${file} exports no ${className})`]);
  return found as StoreClass;
}

/** The target stores of `canh migrate --to elasticsearch`, initialised, and how to close them with their client. */
export interface Target {
  readonly stores: MigrationStores;
  close(): Promise<void>;
}

/**
 * Connects to ELASTICSEARCH_URL and opens the Elasticsearch adapter of every port (installing the
 * index templates and retention policy, as a start of Canh would). Throws kind `invalid` when the
 * URL is not set or the adapters are not in this build, kind `unavailable` when the cluster does
 * not answer.
 */
export async function openElasticsearchTarget(config: Config): Promise<Target> {
  if (config.elasticsearchUrl === undefined) throw errors.invalidConfig(['ELASTICSEARCH_URL is required to migrate to Elasticsearch']);
  const classes = {} as Record<keyof MigrationStores, StoreClass>;
  for (const [port, m] of Object.entries(MODULES) as [keyof MigrationStores, { file: string; className: string }][]) {
    classes[port] = await loadStoreClass(m.file, m.className);
  }
  const { Client } = await import('@elastic/elasticsearch');
  const client = new Client({ node: config.elasticsearchUrl });
  // Events are written without waiting for a refresh (bulk speed); the final count waits for it.
  const stores = {
    events: new classes.events(client, { retentionDays: config.retentionDays, refresh: false }),
    directory: new classes.directory(client, {}),
    incidents: new classes.incidents(client, {}),
    users: new classes.users(client, {}),
    ruleState: new classes.ruleState(client, {}),
    audit: new classes.audit(client, {}),
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
    const cause = (err as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message.split('\n')[0]}` : '';
    throw err instanceof AppError && err.kind === 'unavailable'
      ? new AppError(err.code, 'unavailable', `Elasticsearch at ${config.elasticsearchUrl} cannot be set up (${err.message}${detail})`, err.details, { cause: err })
      : err;
  }
  return { stores: stores as unknown as MigrationStores, close };
}
