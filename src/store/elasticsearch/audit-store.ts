import type { Client, estypes } from '@elastic/elasticsearch';
import type { AuditEntry } from '../../audit/types';
import { auditPage, checkAuditQuery, type AuditPage, type AuditQuery, type AuditStore, type CheckedAuditQuery } from '../audit-store';
import { unavailable } from './errors';
import { StateIndices, allOf, call, docId, fromJson, sources, toJson, type Query, type StateStoreOptions } from './state-index';

/**
 * AuditStore on Elasticsearch: one document per entry (`_id` = entry id) holding the entry as JSON
 * text plus the keywords listings filter on (mappings.ts `audit`).
 *
 * append() sends one `_bulk` of `create` operations: an entry whose id is stored answers 409 and is
 * skipped, which makes a retried batch idempotent. Elasticsearch has no transaction, so "all or
 * none" holds as "all, after a retry": when any entry is refused for another reason the call
 * throws kind `unavailable` and the caller (AuditService) sends the batch again; the entries
 * already written are then skipped.
 */

/** Entries per bulk request. */
const BULK_CHUNK = 1000;

interface AuditDoc {
  readonly id: string;
  readonly at: number;
  /** Username of a user actor, else absent. */
  readonly actor?: string;
  readonly action: string;
  /** Every value of the entry's target. */
  readonly target: readonly string[];
  readonly outcome: string;
  /** The whole entry as JSON text. */
  readonly entry: string;
}

export class ElasticsearchAuditStore implements AuditStore {
  private readonly indices: StateIndices;

  constructor(private readonly client: Client, options: StateStoreOptions = {}) {
    this.indices = new StateIndices(client, options);
  }

  async init(): Promise<void> {
    await this.indices.ensure(['audit']);
  }

  /** The client belongs to the caller, who closes it. */
  async close(): Promise<void> {}

  async ping(): Promise<void> {
    const ok = await call('answering a ping', () => this.client.ping());
    if (!ok) throw unavailable('answering a ping', 'no answer');
  }

  async append(entries: readonly AuditEntry[]): Promise<void> {
    const index = this.indices.name('audit');
    for (let i = 0; i < entries.length; i += BULK_CHUNK) {
      const chunk = entries.slice(i, i + BULK_CHUNK);
      const operations: NonNullable<estypes.BulkRequest<AuditDoc>['operations']> = chunk.flatMap((e) => [
        { create: { _index: index, _id: docId(e.id) } }, toDoc(e),
      ]);
      const res = await call('appending audit entries', () => this.client.bulk({ operations, refresh: this.indices.refresh }));
      const refused = res.items.map((item) => item.create).find((r) => r && r.status !== 201 && r.status !== 200 && r.status !== 409);
      if (refused) throw unavailable('appending audit entries', `entry ${refused._id ?? '?'} refused: ${refused.error?.type ?? refused.status}`);
    }
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    const q = checkAuditQuery(query);
    const res = await call('listing audit entries', () => this.client.search<AuditDoc>({
      index: this.indices.name('audit'), query: listQuery(q), size: q.size + 1, track_total_hits: false,
      sort: [{ at: 'desc' }, { id: 'desc' }], search_after: q.after ? [q.after.at, q.after.id] : undefined,
    }));
    return auditPage(sources(res).map((d) => fromJson<AuditEntry>(d.entry)), q.size);
  }
}

function toDoc(e: AuditEntry): AuditDoc {
  return {
    id: e.id, at: e.at, ...(e.actor.kind === 'user' ? { actor: e.actor.username } : {}), action: e.action,
    target: Object.values(e.target), outcome: e.outcome, entry: toJson(e),
  };
}

function listQuery(q: CheckedAuditQuery): Query {
  const term = (field: string, value: string | undefined): Query | null => (value === undefined ? null : { term: { [field]: value } });
  const at = q.from === undefined && q.to === undefined ? null : { range: { at: { gte: q.from, lt: q.to } } };
  return allOf([at, term('actor', q.actor), term('action', q.action), term('target', q.target), term('outcome', q.outcome)]);
}
