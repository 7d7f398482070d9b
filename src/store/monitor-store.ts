import type { StoredMonitor } from '../monitors/monitor';
import type { Scope } from './scope';

/**
 * Monitors defined over the API (YAML monitors live in files). Implementations: DuckDbMonitorStore,
 * MemoryMonitorStore; both pass test/contract/monitor-store.contract.ts. Reads take a Scope and
 * return nothing outside it (a monitor is in scope by its locality and province).
 */
export interface MonitorStore {
  init(): Promise<void>;
  close(): Promise<void>;
  /** Throws kind `unavailable` when the store cannot answer. */
  ping(): Promise<void>;
  /** Inserts a monitor. Throws kind `conflict` when the id exists. */
  createMonitor(monitor: StoredMonitor): Promise<void>;
  /** Replaces the monitor of the same id when it is in scope; returns it, or null when not found. */
  updateMonitor(monitor: StoredMonitor, scope: Scope): Promise<StoredMonitor | null>;
  /** The monitor, or null when unknown or outside the scope. */
  getMonitor(id: string, scope: Scope): Promise<StoredMonitor | null>;
  /** Monitors in scope, ordered by id. */
  listMonitors(scope: Scope): Promise<readonly StoredMonitor[]>;
  /** Deletes the monitor when it is in scope; false when not found. */
  deleteMonitor(id: string, scope: Scope): Promise<boolean>;
}
