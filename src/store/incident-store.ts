import { errors } from '../errors';
import {
  INCIDENT_STATUSES, severityRank, type Incident, type IncidentStatus, type NewTimelineEntry, type TimelineEntry,
} from '../incidents/incident';
import { SEVERITIES, type Severity } from '../rules/rule';
import type { Scope } from './scope';

/**
 * Incidents, their timelines and the ids of the hits already folded into them. Implementations:
 * MemoryIncidentStore, DuckDbIncidentStore; both pass test/contract/incident-store.contract.ts.
 * Reads take a Scope and treat an incident outside it as not there.
 *
 * Invariants every adapter keeps:
 * - at most one active (open or acknowledged) incident per fingerprint;
 * - a change and the timeline entries (and processed hit id) that go with it are written together
 *   or not at all;
 * - `version` grows by one on every change, and a change based on a stale version is refused.
 */
export interface IncidentStore {
  init(): Promise<void>;
  close(): Promise<void>;
  /**
   * Inserts a new incident (its version should be 1) with its first timeline entry, and records
   * `hitId` as processed when given. Throws kind `conflict` when the id exists, when the incident is
   * active and another active incident has its fingerprint, or when `hitId` was already processed;
   * nothing is written then.
   */
  create(incident: Incident, firstEntry: NewTimelineEntry, hitId?: string): Promise<void>;
  /** The incident, or null when unknown or outside the scope. */
  get(id: string, scope: Scope): Promise<Incident | null>;
  /** The open or acknowledged incident with this fingerprint, or null (unscoped: for the service). */
  findActiveByFingerprint(fingerprint: string): Promise<Incident | null>;
  /** The newest incident (by firstSeen, then id) with this fingerprint, whatever its status, or null. */
  findLatestByFingerprint(fingerprint: string): Promise<Incident | null>;
  /**
   * Compare-and-set: replaces the incident `next.id` with `next` (id, fingerprint, ruleId, category,
   * locality and province stay as created; next.version is ignored) at version expectedVersion + 1,
   * appends `entries` and records `hitId` as processed, all at once. Returns the stored incident.
   * Throws kind `not_found` when the id is unknown; kind `conflict` when the stored version is not
   * `expectedVersion` (details { id, expected, actual }), when the change makes the incident active
   * while another active incident has its fingerprint, or when `hitId` was already processed:
   * nothing is written then.
   */
  update(next: Incident, expectedVersion: number, entries: readonly NewTimelineEntry[], hitId?: string): Promise<Incident>;
  /**
   * Appends entries that do not change an incident (e.g. `notified`, `commented`). Throws kind
   * `not_found` when an entry's incident is unknown (nothing is written then).
   */
  appendTimeline(entries: readonly NewTimelineEntry[]): Promise<void>;
  /** The incident's timeline, oldest first (by seq); empty for an unknown incident. */
  timeline(id: string): Promise<readonly TimelineEntry[]>;
  /** A page of incidents in scope matching the query. Throws kind `invalid` for a bad query or cursor. */
  list(query: IncidentQuery, scope: Scope): Promise<IncidentPage>;
  /** True when the hit id was recorded by create or update. */
  hasHit(hitId: string): Promise<boolean>;
  /**
   * The hit ids recorded for this incident by create or update, sorted; empty for an unknown one.
   * For `canh migrate`: optional in the type (an adapter under construction still compiles); every
   * adapter of this repository implements it and the contract suite requires it.
   */
  exportHitIds?(incidentId: string): Promise<readonly string[]>;
  /**
   * Writes an incident exactly as another store holds it (`canh migrate`): the incident with its
   * version, its whole timeline with the same seq numbers (1..n, in order) and its processed hit
   * ids, all at once. Throws kind `invalid` when the timeline is not numbered 1..n for this
   * incident; kind `conflict` when the id exists, a hit id is already recorded, or the incident is
   * active while another active incident has its fingerprint: nothing is written then. Optional in
   * the type like exportHitIds.
   */
  importIncident?(incident: Incident, timeline: readonly TimelineEntry[], hitIds: readonly string[]): Promise<void>;
}

export type IncidentSort = 'last_seen' | 'first_seen' | 'severity' | 'count';
export const INCIDENT_SORTS: readonly IncidentSort[] = ['last_seen', 'first_seen', 'severity', 'count'];
export type SortDirection = 'asc' | 'desc';

/** Filters of a listing; an absent or empty filter restricts nothing. */
export interface IncidentQuery {
  readonly status?: readonly IncidentStatus[];
  readonly severity?: readonly Severity[];
  /** The subtree of this code: the locality itself, or for a province also its communes. */
  readonly locality?: string;
  readonly ruleId?: string;
  readonly category?: string;
  /** The incidents rolled up into this parent (docs/incidents.md, roll-up). */
  readonly parentId?: string;
  /** lastSeen >= from (epoch ms). */
  readonly from?: number;
  /** lastSeen < to (epoch ms). */
  readonly to?: number;
  /** @defaultValue 'last_seen' */
  readonly sort?: IncidentSort;
  /** Ties are broken by id in the same direction. @defaultValue 'desc' */
  readonly direction?: SortDirection;
  /** 1..MAX_INCIDENT_PAGE_SIZE. @defaultValue 50 */
  readonly size?: number;
  /** nextCursor of the previous page (same sort and direction). */
  readonly cursor?: string;
}

export interface IncidentPage {
  readonly incidents: readonly Incident[];
  /** Cursor of the next page, or null on the last page. */
  readonly nextCursor: string | null;
}

export const MAX_INCIDENT_PAGE_SIZE = 500;
export const DEFAULT_INCIDENT_PAGE_SIZE = 50;

/** The stale-version error of update() (and of the service's early check). */
export function versionConflict(id: string, expected: number, actual: number) {
  return errors.conflict(
    `Incident ${id} was changed by someone else (version ${actual}, expected ${expected}); reload and retry`,
    { id, expected, actual },
  );
}

/** Throws kind `invalid` when an entry belongs to another incident than the one being written. */
export function checkEntries(id: string, entries: readonly NewTimelineEntry[]): void {
  const stray = entries.find((e) => e.incidentId !== id);
  if (stray) throw errors.invalidRequest(`A timeline entry for ${stray.incidentId} cannot be written with incident ${id}`, { id });
}

/** Throws kind `invalid` unless `timeline` is numbered 1..n and belongs to incident `id` (importIncident). */
export function checkImportedTimeline(id: string, timeline: readonly TimelineEntry[]): void {
  const bad = timeline.findIndex((e, i) => e.incidentId !== id || e.seq !== i + 1);
  if (bad >= 0) throw errors.invalidRequest(`The timeline of incident ${id} must be its own entries numbered 1..n in order`, { id, position: bad + 1 });
}

/** The conflict of a second active incident for one fingerprint. */
export function activeConflict(incident: Incident, otherId: string) {
  return errors.conflict(
    `Incident ${otherId} with the same rule, locality and group is already open; work on it instead of ${incident.id}`,
    { id: incident.id, activeId: otherId, fingerprint: incident.fingerprint },
  );
}

/** A listing query with defaults applied and the cursor decoded. */
export interface CheckedIncidentQuery extends IncidentQuery {
  readonly sort: IncidentSort;
  readonly direction: SortDirection;
  readonly size: number;
  /** Sort value and id of the last incident of the previous page. */
  readonly after: { readonly value: number; readonly id: string } | undefined;
}

/** Validates a listing query (kind `invalid` naming the field) and applies the defaults. */
export function checkIncidentQuery(q: IncidentQuery): CheckedIncidentQuery {
  const size = q.size ?? DEFAULT_INCIDENT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_INCIDENT_PAGE_SIZE) {
    throw errors.invalidRequest(`Page size must be an integer from 1 to ${MAX_INCIDENT_PAGE_SIZE}`, { field: 'size', size });
  }
  oneOf('status', q.status ?? [], INCIDENT_STATUSES);
  oneOf('severity', q.severity ?? [], SEVERITIES);
  oneOf('sort', q.sort === undefined ? [] : [q.sort], INCIDENT_SORTS);
  oneOf('direction', q.direction === undefined ? [] : [q.direction], ['asc', 'desc']);
  for (const field of ['from', 'to'] as const) {
    const v = q[field];
    if (v !== undefined && !Number.isSafeInteger(v)) throw errors.invalidRequest(`${field} must be whole epoch milliseconds`, { field });
  }
  const sort = q.sort ?? 'last_seen';
  const direction = q.direction ?? 'desc';
  return { ...q, sort, direction, size, after: q.cursor === undefined ? undefined : decodeIncidentCursor(q.cursor, sort, direction) };
}

function oneOf<T extends string>(field: string, values: readonly T[], allowed: readonly string[]): void {
  const bad = values.find((v) => !allowed.includes(v));
  if (bad !== undefined) throw errors.invalidRequest(`${field} must be one of: ${allowed.join(', ')}`, { field, value: bad, allowed });
}

/** The number an incident is sorted by. */
export function sortValue(incident: Incident, sort: IncidentSort): number {
  switch (sort) {
    case 'last_seen': return incident.lastSeen;
    case 'first_seen': return incident.firstSeen;
    case 'severity': return severityRank(incident.severity);
    case 'count': return incident.count;
  }
}

/** Opaque cursor after `incident` in a listing sorted by `sort` and `direction`. */
export function encodeIncidentCursor(incident: Incident, sort: IncidentSort, direction: SortDirection): string {
  return Buffer.from(JSON.stringify([sort, direction, sortValue(incident, sort), incident.id]), 'utf8').toString('base64url');
}

function decodeIncidentCursor(cursor: string, sort: IncidentSort, direction: SortDirection): { value: number; id: string } {
  const bad = () => errors.invalidRequest('The cursor is not valid: pass the nextCursor of a previous page with the same sort', { field: 'cursor' });
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw bad();
  const [s, d, value, id] = parsed as unknown[];
  if (s !== sort || d !== direction || typeof value !== 'number' || !Number.isSafeInteger(value) || typeof id !== 'string') throw bad();
  return { value, id };
}

/** True when (value, id) comes after the cursor position in the listing's order. */
export function isAfterPosition(value: number, id: string, after: { value: number; id: string }, direction: SortDirection): boolean {
  if (direction === 'asc') return value > after.value || (value === after.value && id > after.id);
  return value < after.value || (value === after.value && id < after.id);
}
