import { errors } from '../errors';
import type { Clock } from '../lib/clock';
import type { DirectoryStore } from '../store/directory-store';
import type { MonitorStore } from '../store/monitor-store';
import { ALL_SCOPE, type Scope } from '../store/scope';
import { parseMonitorInput } from './load-monitors';
import type { Monitor, StoredMonitor } from './monitor';

/** Where the YAML monitors come from (the files, read again when they change). */
export type YamlMonitorSource = () => Promise<readonly Monitor[]>;

/**
 * Monitors for the API and the probe role: YAML monitors (read-only) and API monitors (the
 * MonitorStore), one id space. Scoped: a monitor is seen by whoever sees its locality; out of scope
 * reads as unknown (404).
 */
export class MonitorService {
  constructor(
    private readonly store: MonitorStore,
    private readonly yaml: YamlMonitorSource,
    private readonly directory: Pick<DirectoryStore, 'getLocality'>,
    private readonly clock: Clock,
    /** Told after every change (the probe role syncs its schedulers at once). */
    private readonly onChange: () => void = () => undefined,
  ) {}

  /** Every monitor, YAML first, for the probe role (no scope: workers). */
  async all(): Promise<readonly Monitor[]> {
    const files = await this.yaml();
    const ids = new Set(files.map((m) => m.id));
    return [...files, ...(await this.store.listMonitors(ALL_SCOPE)).filter((m) => !ids.has(m.id))];
  }

  /** Monitors in scope, ordered by id. */
  async list(scope: Scope): Promise<readonly Monitor[]> {
    const visible = new Map<string, boolean>();
    const files: Monitor[] = [];
    for (const m of await this.yaml()) {
      if (!visible.has(m.locality)) visible.set(m.locality, await this.localityVisible(m.locality, scope));
      if (visible.get(m.locality)) files.push(m);
    }
    const ids = new Set(files.map((m) => m.id));
    const all = [...files, ...(await this.store.listMonitors(scope)).filter((m) => !ids.has(m.id))];
    return all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** One monitor in scope; `not_found` otherwise. */
  async get(id: string, scope: Scope): Promise<Monitor> {
    const file = (await this.yaml()).find((m) => m.id === id);
    if (file) {
      if (await this.localityVisible(file.locality, scope)) return file;
      throw errors.notFound('Monitor', id);
    }
    const stored = await this.store.getMonitor(id, scope);
    if (!stored) throw errors.notFound('Monitor', id);
    return stored;
  }

  /** Creates an API monitor in a locality of the scope. `invalid`, `not_found` (locality), `conflict` (id taken). */
  async create(input: unknown, scope: Scope): Promise<Monitor> {
    const m = parseMonitorInput(input);
    await this.refuseYamlId(m.id);
    const province = await this.provinceInScope(m.locality, scope);
    const now = this.clock.now();
    const stored: StoredMonitor = { ...m, province, createdAt: now, updatedAt: now };
    await this.store.createMonitor(stored);
    this.onChange();
    return stored;
  }

  /** Replaces an API monitor (the body is a whole monitor; its id, when given, must be the path's). */
  async update(id: string, input: unknown, scope: Scope): Promise<Monitor> {
    await this.refuseYamlId(id, scope);
    const current = await this.store.getMonitor(id, scope);
    if (!current) throw errors.notFound('Monitor', id);
    const body = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
    if (body.id !== undefined && body.id !== id) throw errors.invalidRequest(`id: the id of a monitor cannot change (path ${id}, body ${String(body.id).slice(0, 64)})`, { field: 'id' });
    const m = parseMonitorInput({ ...body, id });
    const province = await this.provinceInScope(m.locality, scope);
    const updated = await this.store.updateMonitor({ ...m, province, createdAt: current.createdAt, updatedAt: this.clock.now() }, scope);
    if (!updated) throw errors.notFound('Monitor', id);
    this.onChange();
    return updated;
  }

  /** Deletes an API monitor; its scheduler goes at the next sync (and its jobs find nothing to do). */
  async delete(id: string, scope: Scope): Promise<void> {
    await this.refuseYamlId(id, scope);
    if (!(await this.store.deleteMonitor(id, scope))) throw errors.notFound('Monitor', id);
    this.onChange();
  }

  private async refuseYamlId(id: string, scope?: Scope): Promise<void> {
    const file = (await this.yaml()).find((m) => m.id === id);
    if (!file || file.origin.kind !== 'yaml') return;
    if (scope && !(await this.localityVisible(file.locality, scope))) throw errors.notFound('Monitor', id);
    const where = `${file.origin.file}:${file.origin.line}`;
    throw errors.conflict(scope ? `Monitor ${id} is defined in ${where}: change it in that file` : `Monitor id ${id} is already used by ${where}`, { field: 'id' });
  }

  private async localityVisible(code: string, scope: Scope): Promise<boolean> {
    return scope.kind === 'all' || (await this.directory.getLocality(code, scope)) !== null;
  }

  private async provinceInScope(code: string, scope: Scope): Promise<string | null> {
    const locality = await this.directory.getLocality(code, scope);
    if (!locality) throw errors.notFound('Locality', code);
    return locality.provinceCode;
  }
}
