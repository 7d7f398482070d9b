import type { AuditEntry } from '../audit/types';
import type { AuditStore } from '../store/audit-store';
import { MAX_PAGE_SIZE } from '../store/cursor';
import { sameRecord, type Conflict, type Planner } from './types';

/** Pages of entries at or after `since` (and before `to` when given), newest first. */
async function* pages(store: AuditStore, since: number, to?: number): AsyncGenerator<readonly AuditEntry[]> {
  let cursor: string | undefined;
  do {
    const page = await store.list({ from: since, ...(to === undefined ? {} : { to }), size: MAX_PAGE_SIZE, cursor });
    if (page.entries.length > 0) yield page.entries;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** The target's entries in the time span of a source page, by id. */
async function entriesOfSpan(store: AuditStore, page: readonly AuditEntry[]): Promise<Map<string, AuditEntry>> {
  const ats = page.map((e) => e.at);
  const found = new Map<string, AuditEntry>();
  for await (const p of pages(store, Math.min(...ats), Math.max(...ats) + 1)) for (const e of p) found.set(e.id, e);
  return found;
}

/**
 * Audit entries at or after `since`. append() skips ids already stored, so the copy appends every
 * page again and only the missing entries are written.
 */
export const planAudit: Planner = async (from, to, options) => {
  const conflicts: Conflict[] = [];
  let source = 0;
  let present = 0;
  for await (const page of pages(from.audit, options.since)) {
    const there = await entriesOfSpan(to.audit, page);
    source += page.length;
    for (const e of page) {
      const t = there.get(e.id);
      if (t === undefined) continue;
      if (sameRecord(t, e)) present++;
      else conflicts.push({ kind: 'audit', id: e.id, reason: 'the target has another audit entry with this id' });
    }
  }
  return {
    kind: 'audit', source, present, conflicts,
    async copy(progress) {
      let done = 0;
      for await (const page of pages(from.audit, options.since)) {
        await to.audit.append(page);
        progress((done += page.length));
      }
      return source - present;
    },
  };
};
