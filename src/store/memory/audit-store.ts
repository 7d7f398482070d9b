import type { AuditEntry } from '../../audit/types';
import { auditPage, checkAuditQuery, type AuditPage, type AuditQuery, type AuditStore, type CheckedAuditQuery } from '../audit-store';
import { isAfterKey } from '../cursor';

const copy = (e: AuditEntry): AuditEntry => ({
  ...e, actor: { ...e.actor }, target: { ...e.target }, details: { ...e.details },
});

function matches(e: AuditEntry, q: CheckedAuditQuery): boolean {
  return (q.from === undefined || e.at >= q.from) &&
    (q.to === undefined || e.at < q.to) &&
    (q.actor === undefined || (e.actor.kind === 'user' && e.actor.username === q.actor)) &&
    (q.action === undefined || e.action === q.action) &&
    (q.target === undefined || Object.values(e.target).includes(q.target)) &&
    (q.outcome === undefined || e.outcome === q.outcome) &&
    (q.after === undefined || isAfterKey(e.at, e.id, q.after));
}

const newestFirst = (a: AuditEntry, b: AuditEntry) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** In-memory AuditStore for unit tests; kept honest by the audit-store contract suite. */
export class MemoryAuditStore implements AuditStore {
  private readonly entries = new Map<string, AuditEntry>();

  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async ping(): Promise<void> {}

  async append(entries: readonly AuditEntry[]): Promise<void> {
    for (const e of entries) if (!this.entries.has(e.id)) this.entries.set(e.id, copy(e));
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    const q = checkAuditQuery(query);
    const rows = [...this.entries.values()].filter((e) => matches(e, q)).sort(newestFirst).slice(0, q.size + 1);
    return auditPage(rows.map(copy), q.size);
  }
}
