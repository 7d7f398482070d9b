import { AUDIT_OUTCOMES, type AuditEntry, type AuditOutcome } from '../audit/types';
import { errors } from '../errors';
import { checkPageSize, cursorKey, encodeCursor, type CursorKey } from './cursor';

/**
 * The audit log (docs/audit.md). Implementations: DuckDbAuditStore (audit.duckdb), MemoryAuditStore;
 * both pass test/contract/audit-store.contract.ts. Entries are only appended, never changed.
 * Admin-only data: reads are not scoped.
 */
export interface AuditStore {
  init(): Promise<void>;
  close(): Promise<void>;
  /** Throws kind `unavailable` when the store cannot answer. */
  ping(): Promise<void>;
  /**
   * Appends entries, all or none (kind `unavailable` when the store cannot write). Idempotent by id:
   * an entry whose id is already stored is skipped, so a batch can be retried after a failure.
   */
  append(entries: readonly AuditEntry[]): Promise<void>;
  /** A page of entries matching the query, newest first (by at, then id). Throws kind `invalid` for a bad size or cursor. */
  list(query: AuditQuery): Promise<AuditPage>;
}

/** Filters of a listing; an absent filter restricts nothing. */
export interface AuditQuery {
  /** at >= from (epoch ms). */
  readonly from?: number;
  /** at < to (epoch ms). */
  readonly to?: number;
  /** Username of a user actor. */
  readonly actor?: string;
  readonly action?: string;
  /** One value among the entry's target (route parameters), e.g. an incident id or a locality code. */
  readonly target?: string;
  readonly outcome?: AuditOutcome;
  /** 1..1000. @defaultValue 100 */
  readonly size?: number;
  /** nextCursor of the previous page. */
  readonly cursor?: string;
}

export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  /** Cursor of the next page, or null on the last page. */
  readonly nextCursor: string | null;
}

export const DEFAULT_AUDIT_PAGE_SIZE = 100;

/** A listing query with the default size and the cursor decoded. */
export interface CheckedAuditQuery extends AuditQuery {
  readonly size: number;
  readonly after: CursorKey | undefined;
}

/** Validates a listing query (kind `invalid` naming the field) and applies the default size. */
export function checkAuditQuery(q: AuditQuery): CheckedAuditQuery {
  const size = q.size ?? DEFAULT_AUDIT_PAGE_SIZE;
  checkPageSize(size);
  for (const field of ['from', 'to'] as const) {
    const v = q[field];
    if (v !== undefined && !Number.isSafeInteger(v)) throw errors.invalidRequest(`${field} must be whole epoch milliseconds`, { field });
  }
  if (q.outcome !== undefined && !AUDIT_OUTCOMES.includes(q.outcome)) {
    throw errors.invalidRequest(`outcome must be one of: ${AUDIT_OUTCOMES.join(', ')}`, { field: 'outcome', value: q.outcome });
  }
  return { ...q, size, after: cursorKey(q.cursor) };
}

/** The page of `rows` (up to size + 1 matching entries, newest first): the cursor is set when there is more. */
export function auditPage(rows: readonly AuditEntry[], size: number): AuditPage {
  const entries = rows.slice(0, size);
  const last = entries[entries.length - 1];
  return { entries, nextCursor: rows.length > size && last ? encodeCursor({ at: last.at, id: last.id }) : null };
}
