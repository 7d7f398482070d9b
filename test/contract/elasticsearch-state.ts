import { Client } from '@elastic/elasticsearch';
import { uninstallPrefix } from '../../src/store/elasticsearch/setup';
import type { StateStoreOptions } from '../../src/store/elasticsearch/state-index';

/** The Elasticsearch the contract suites run against, when set. */
export const ELASTICSEARCH_URL = process.env.ELASTICSEARCH_URL;

/**
 * The `make` of a contract suite for an Elasticsearch state store: every store gets a fresh index
 * prefix (its reopen the same one), writes refresh at once so that searches see them, and every
 * prefix's indices are deleted when the suite ends. Call it while defining the suite (it registers
 * an afterAll) and only when ELASTICSEARCH_URL is set.
 */
export function elasticsearchStateStores<S extends { init(): Promise<void> }>(
  open: (client: Client, options: StateStoreOptions) => S,
): () => Promise<{ store: S; reopen: () => Promise<S> }> {
  const client = new Client({ node: ELASTICSEARCH_URL as string });
  const run = `canh-test-${Date.now().toString(36)}-${process.pid}`;
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await uninstallPrefix(client, prefix);
    await client.close();
  });
  return async () => {
    const indexPrefix = `${run}-${prefixes.length + 1}-`;
    prefixes.push(indexPrefix);
    const reopen = async () => {
      const store = open(client, { indexPrefix, refresh: true });
      await store.init();
      return store;
    };
    return { store: await reopen(), reopen };
  };
}
