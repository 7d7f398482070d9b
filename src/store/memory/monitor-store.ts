import { errors } from '../../errors';
import type { StoredMonitor } from '../../monitors/monitor';
import type { MonitorStore } from '../monitor-store';
import { inScope, type Scope } from '../scope';

/** MonitorStore in memory (unit tests); copies in and out like a real store. */
export class MemoryMonitorStore implements MonitorStore {
  private readonly monitors = new Map<string, StoredMonitor>();

  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async ping(): Promise<void> {}

  async createMonitor(monitor: StoredMonitor): Promise<void> {
    if (this.monitors.has(monitor.id)) throw errors.conflict(`Monitor ${monitor.id} already exists`);
    this.monitors.set(monitor.id, structuredClone(monitor));
  }

  async updateMonitor(monitor: StoredMonitor, scope: Scope): Promise<StoredMonitor | null> {
    if (!(await this.getMonitor(monitor.id, scope))) return null;
    this.monitors.set(monitor.id, structuredClone(monitor));
    return structuredClone(monitor);
  }

  async getMonitor(id: string, scope: Scope): Promise<StoredMonitor | null> {
    const m = this.monitors.get(id);
    return m && inScope(scope, m.locality, m.province) ? structuredClone(m) : null;
  }

  async listMonitors(scope: Scope): Promise<readonly StoredMonitor[]> {
    return [...this.monitors.values()]
      .filter((m) => inScope(scope, m.locality, m.province))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((m) => structuredClone(m));
  }

  async deleteMonitor(id: string, scope: Scope): Promise<boolean> {
    if (!(await this.getMonitor(id, scope))) return false;
    return this.monitors.delete(id);
  }
}
