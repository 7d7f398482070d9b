import { isDeepStrictEqual } from 'node:util';
import { errors } from '../errors';
import type { AuditStore } from '../store/audit-store';
import type { DirectoryStore } from '../store/directory-store';
import type { EventStore } from '../store/event-store';
import type { IncidentStore } from '../store/incident-store';
import type { RuleStateStore } from '../store/rule-state-store';
import type { UserStore } from '../store/user-store';

/**
 * Migration glossary (`canh migrate`, docs/scaling.md).
 * - Kind: one sort of record copied (localities, sources, ..., events), in the order of MIGRATION_KINDS.
 * - Present: a record the target already holds with the same id and the same content; it is skipped,
 *   so a migration run again (or resumed after an interruption) copies nothing twice.
 * - Conflict: the target holds a record under the same id (or key hash, username, hit id, active
 *   fingerprint) with other content. Any conflict refuses the whole migration before it writes.
 */

/** Every port of one installation: the source or the target of a migration. */
export interface MigrationStores {
  readonly events: EventStore;
  readonly directory: DirectoryStore;
  readonly incidents: IncidentStore;
  readonly users: UserStore;
  readonly ruleState: RuleStateStore;
  readonly audit: AuditStore;
}

/** The kinds, in the order they are copied (parents before what refers to them, events last). */
export const MIGRATION_KINDS = [
  'localities', 'sources', 'contacts', 'users', 'tokens', 'incidents', 'checkpoints', 'rule_values', 'rule_runs', 'audit',
  'events', 'dead_letters',
] as const;
export type MigrationKind = (typeof MIGRATION_KINDS)[number];

export interface Conflict {
  readonly kind: MigrationKind;
  /** Id of the source record (code, id, `ruleId/key`, ...). */
  readonly id: string;
  /** What differs on the target. */
  readonly reason: string;
}

export interface MigrationOptions {
  /** Copy events, dead letters and audit entries at or after this epoch ms only. @defaultValue everything */
  readonly since?: number;
  /** Check and count, write nothing. @defaultValue false */
  readonly dryRun?: boolean;
  /** Events read per search page (1..1000). @defaultValue 1000 */
  readonly pageSize?: number;
  /** Events gathered before a write (one EventBatch per source). @defaultValue 5000 */
  readonly batchSize?: number;
  /**
   * How long the final count may wait for the target to show what was written (Elasticsearch shows
   * writes after a refresh, about a second). @defaultValue 60000
   */
  readonly settleMs?: number;
  /** Most conflicts reported. @defaultValue 100 */
  readonly maxConflicts?: number;
}

export interface CheckedOptions {
  readonly since: number;
  readonly dryRun: boolean;
  readonly pageSize: number;
  readonly batchSize: number;
  readonly settleMs: number;
  readonly maxConflicts: number;
}

/** Counts of one kind. */
export interface KindReport {
  readonly kind: MigrationKind;
  /** Records of the source (in the range, for events, dead letters and audit entries). */
  readonly source: number;
  /** Records the target held already, identical, before this run. */
  readonly present: number;
  /** Records written by this run (a dry run: how many it would write). */
  readonly copied: number;
  /** Records of the source found on the target, counted after the copy (a dry run: before). */
  readonly target: number;
  /** True when every source record was found on the target after the copy (always false for a dry run). */
  readonly verified: boolean;
}

export interface MigrationReport {
  /** `refused`: conflicts were found and nothing was written. */
  readonly outcome: 'copied' | 'dry_run' | 'refused';
  readonly kinds: readonly KindReport[];
  readonly conflicts: readonly Conflict[];
}

/** What the copy is doing now, for a progress line. `total` is null when not known in advance. */
export interface MigrationProgress {
  readonly kind: MigrationKind;
  readonly phase: 'checking' | 'copying' | 'verifying';
  readonly done: number;
  readonly total: number | null;
}

export type ProgressListener = (progress: MigrationProgress) => void;

/**
 * The plan of one record kind: what the target holds already, what conflicts, and the copy of the
 * rest. A planner reads both sides and writes nothing.
 */
export interface KindPlan {
  readonly kind: MigrationKind;
  readonly source: number;
  readonly present: number;
  readonly conflicts: readonly Conflict[];
  /** Writes the records the target lacks; returns how many it wrote. */
  copy(progress: (done: number) => void): Promise<number>;
}

export type Planner = (from: MigrationStores, to: MigrationStores, options: CheckedOptions) => Promise<KindPlan>;

/** True when two records hold the same data (JSON view: an absent field equals an undefined one). */
export function sameRecord(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));
}

/**
 * The migration method `name` of a store, bound to it; throws kind `invalid` (CANH_CONFIG_INVALID)
 * naming the store when its adapter does not implement it (the optional export/import methods of the ports).
 */
export function need<S extends object, K extends keyof S>(store: S, name: K, port: string): NonNullable<S[K]> {
  const method = store[name];
  if (typeof method !== 'function') {
    throw errors.invalidConfig([`${port}.${String(name)} is not implemented by ${store.constructor.name}: this store cannot take part in canh migrate`]);
  }
  return (method as (...args: unknown[]) => unknown).bind(store) as NonNullable<S[K]>;
}
