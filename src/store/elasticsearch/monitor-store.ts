import type { Client } from '@elastic/elasticsearch';
import { errors } from '../../errors';
import type { StoredMonitor } from '../../monitors/monitor';
import type { MonitorStore } from '../monitor-store';
import { inScope, type Scope } from '../scope';
import { unavailable } from './errors';
import {
  StateIndices, allOf, call, fromJson, isConflict, scopeFilter, searchAll, statusOf, toAppError, toJson, type StateStoreOptions,
} from './state-index';

/**
 * MonitorStore on Elasticsearch: one document per monitor in `canh-monitors` (`_id` = monitor id;
 * monitor ids are short `[a-z0-9_-]`, so always a valid `_id`). The fields a scope reads (locality,
 * province) are indexed keywords; the whole monitor is kept as JSON text (mappings.ts `monitors`),
 * so a check of any shape reads back as written.
 *
 * - create is op_type `create` (409 → conflict: the id exists).
 * - get reads by id (real-time) and checks the scope on the document with scope.ts inScope, the
 *   rule the list's query applies; list is a scoped search ordered by id.
 * - update and delete read the document, check its scope, then write or delete with `if_seq_no` +
 *   `if_primary_term` of that read, so a monitor moved out of the scope (or deleted) meanwhile is
 *   never changed: on a 409 they read again, up to CAS_ATTEMPTS times.
 */

const CAS_ATTEMPTS = 5;

interface MonitorDoc {
  readonly id: string;
  readonly locality: string;
  readonly province: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The StoredMonitor as JSON text. */
  readonly definition: string;
}

/** A monitor as read, with what a compare-and-set needs. */
interface Current {
  readonly monitor: StoredMonitor;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

export class ElasticsearchMonitorStore implements MonitorStore {
  private readonly indices: StateIndices;

  constructor(private readonly client: Client, options: StateStoreOptions = {}) {
    this.indices = new StateIndices(client, options);
  }

  async init(): Promise<void> {
    await this.indices.ensure(['monitors']);
  }

  /** The client belongs to the caller, who closes it. */
  async close(): Promise<void> {}

  async ping(): Promise<void> {
    const ok = await call('answering a ping', () => this.client.ping());
    if (!ok) throw unavailable('answering a ping', 'no answer');
  }

  async createMonitor(monitor: StoredMonitor): Promise<void> {
    try {
      await this.client.index({
        index: this.indices.name('monitors'), id: monitor.id, op_type: 'create', document: toDoc(monitor), refresh: this.indices.refresh,
      });
    } catch (err) {
      throw isConflict(err) ? errors.conflict(`Monitor ${monitor.id} already exists`, { id: monitor.id }) : toAppError(err, `creating monitor ${monitor.id}`);
    }
  }

  async updateMonitor(monitor: StoredMonitor, scope: Scope): Promise<StoredMonitor | null> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.readInScope(monitor.id, scope);
      if (!current) return null;
      try {
        await this.client.index({
          index: this.indices.name('monitors'), id: monitor.id, document: toDoc(monitor), refresh: this.indices.refresh,
          if_seq_no: current.seqNo, if_primary_term: current.primaryTerm,
        });
        return structuredClone(monitor);
      } catch (err) {
        if (!isConflict(err)) throw toAppError(err, `updating monitor ${monitor.id}`);
        if (attempt >= CAS_ATTEMPTS) throw busy(monitor.id);
      }
    }
  }

  async getMonitor(id: string, scope: Scope): Promise<StoredMonitor | null> {
    return (await this.readInScope(id, scope))?.monitor ?? null;
  }

  async listMonitors(scope: Scope): Promise<readonly StoredMonitor[]> {
    const docs = await call('listing monitors', () => searchAll<MonitorDoc>(
      this.client, this.indices.name('monitors'), allOf([scopeFilter(scope, 'locality', 'province')]), [{ id: 'asc' }],
    ));
    return docs.map(toMonitor);
  }

  async deleteMonitor(id: string, scope: Scope): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.readInScope(id, scope);
      if (!current) return false;
      try {
        await this.client.delete({
          index: this.indices.name('monitors'), id, if_seq_no: current.seqNo, if_primary_term: current.primaryTerm, refresh: this.indices.refresh,
        });
        return true;
      } catch (err) {
        // 404: deleted by someone else since the read; 409: changed since the read (read again).
        if (statusOf(err) === 404) return false;
        if (!isConflict(err)) throw toAppError(err, `deleting monitor ${id}`);
        if (attempt >= CAS_ATTEMPTS) throw busy(id);
      }
    }
  }

  private async readInScope(id: string, scope: Scope): Promise<Current | null> {
    const res = await call(`reading monitor ${id}`, () => this.client.get<MonitorDoc>({ index: this.indices.name('monitors'), id }, { ignore: [404] }));
    if (!res.found || !res._source || res._seq_no == null || res._primary_term == null) return null;
    if (!inScope(scope, res._source.locality, res._source.province)) return null;
    return { monitor: toMonitor(res._source), seqNo: res._seq_no, primaryTerm: res._primary_term };
  }
}

const busy = (id: string) => errors.conflict(`Monitor ${id} is being changed by others; reload and retry`, { id });

function toDoc(m: StoredMonitor): MonitorDoc {
  return { id: m.id, locality: m.locality, province: m.province, createdAt: m.createdAt, updatedAt: m.updatedAt, definition: toJson(m) };
}

function toMonitor(d: MonitorDoc): StoredMonitor {
  return fromJson<StoredMonitor>(d.definition);
}
