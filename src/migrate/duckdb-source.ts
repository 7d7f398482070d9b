import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError, errors } from '../errors';
import { DuckDbAuditStore } from '../store/duckdb/audit-store';
import { DuckDbDirectoryStore } from '../store/duckdb/directory-store';
import { DuckDbEventStore } from '../store/duckdb/event-store';
import { DuckDbIncidentStore } from '../store/duckdb/incident-store';
import { DuckDbRuleStateStore } from '../store/duckdb/rule-state-store';
import { DuckDbUserStore } from '../store/duckdb/user-store';
import type { MigrationStores } from './types';

/** The files of the embedded store that must exist for a directory to be a Canh data directory. */
const REQUIRED_FILES = ['events.duckdb', 'directory.duckdb'];

/** The message of `err` and of its causes, joined. */
function messages(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 5; e = (e as Error & { cause?: unknown }).cause) parts.push(e.message);
  return parts.join(': ');
}

/** Opens one store; a file held by another process becomes an error that says to stop Canh. */
async function open<S extends { init(): Promise<void> }>(store: S, file: string): Promise<S> {
  try {
    await store.init();
    return store;
  } catch (err) {
    const text = messages(err);
    const holder = /Conflicting lock is held in (.+?)(?:\. See|$)/.exec(text)?.[1];
    if (/lock/i.test(text)) {
      throw new AppError('CANH_STORE_UNAVAILABLE', 'unavailable',
        `${file} is open in another process${holder ? ` (${holder})` : ''}: stop Canh before migrating (DuckDB lets one process open a file)`,
        { file }, { cause: err });
    }
    throw err;
  }
}

/**
 * The stores of the embedded data directory `dataDir`, opened by this process (Canh must be
 * stopped: DuckDB lets only one process open a file, and the copy must not race new writes).
 * Throws kind `invalid` when the directory holds no Canh data, kind `unavailable` naming the file
 * when another process holds one. Close the stores with closeStores().
 */
export async function openDuckDbStores(dataDir: string, memoryLimit?: string): Promise<MigrationStores> {
  const dir = resolve(dataDir);
  const missing = REQUIRED_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) {
    throw errors.invalidRequest(`${dir} is not a Canh data directory: ${missing.join(' and ')} missing (set CANH_DATA_DIR or --from-data-dir)`, { dataDir: dir });
  }
  const opened: { close(): Promise<void> }[] = [];
  const track = async <S extends { init(): Promise<void>; close(): Promise<void> }>(store: S, file: string): Promise<S> => {
    opened.push(await open(store, file));
    return store;
  };
  try {
    return {
      events: await track(new DuckDbEventStore({ path: join(dir, 'events.duckdb'), config: memoryLimit ? { memory_limit: memoryLimit } : {} }), 'events.duckdb'),
      directory: await track(new DuckDbDirectoryStore({ path: join(dir, 'directory.duckdb') }), 'directory.duckdb'),
      incidents: await track(new DuckDbIncidentStore({ path: join(dir, 'incidents.duckdb') }), 'incidents.duckdb'),
      users: await track(new DuckDbUserStore({ path: join(dir, 'users.duckdb') }), 'users.duckdb'),
      ruleState: await track(new DuckDbRuleStateStore({ path: join(dir, 'rules.duckdb') }), 'rules.duckdb'),
      audit: await track(new DuckDbAuditStore({ path: join(dir, 'audit.duckdb') }), 'audit.duckdb'),
    };
  } catch (err) {
    for (const s of opened) await s.close().catch(() => undefined);
    throw err;
  }
}

/** Closes every store of a set (each one even when another fails). */
export async function closeStores(stores: MigrationStores): Promise<void> {
  for (const s of [stores.events, stores.directory, stores.incidents, stores.users, stores.ruleState, stores.audit]) {
    await s.close().catch(() => undefined);
  }
}
