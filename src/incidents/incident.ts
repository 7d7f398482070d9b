import { createHash } from 'node:crypto';
import type { Hit, RsitCategory, Severity } from '../rules/rule';
import { SEVERITIES } from '../rules/rule';

/**
 * Incident glossary.
 * - Incident: what analysts work on. Hits of one rule for one locality and one group (its
 *   *fingerprint*) fold into one incident while it is active (open or acknowledged).
 * - Status: open → acknowledged → resolved (with a resolution); a resolved incident reopens when its
 *   fingerprint fires again within the grace period, or by hand.
 * - Timeline: every change of an incident, oldest first, with who (actor), when and what (from/to).
 * - Version: starts at 1 and grows by one on every change; writers pass the version they read, and a
 *   stale one is refused (optimistic concurrency).
 */
export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';
export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['open', 'acknowledged', 'resolved'];

/** Why an incident was resolved. */
export type Resolution = 'true_positive' | 'false_positive' | 'benign' | 'duplicate';
export const RESOLUTIONS: readonly Resolution[] = ['true_positive', 'false_positive', 'benign', 'duplicate'];

export type TimelineAction =
  | 'created' | 'hit_added' | 'acknowledged' | 'assigned' | 'commented' | 'escalated' | 'notified' | 'resolved' | 'reopened'
  | 'auto_resolved'
  /** Roll-up (rollup.ts): on a child, linked to its province parent; on a parent, more children linked. */
  | 'rolled_up';

/** Small JSON values of a timeline entry's from/to. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Group values of the hits, keyed by field (as in Hit.group). */
export type GroupValues = Hit['group'];

export interface Incident {
  /** `inc_` + 12 random characters. */
  readonly id: string;
  /** fingerprint(ruleId, locality, group): hits with the same one fold into one active incident. */
  readonly fingerprint: string;
  readonly ruleId: string;
  /** Version of the rule that raised the newest hit. */
  readonly ruleVersion: string;
  readonly title: string;
  readonly severity: Severity;
  readonly category: RsitCategory;
  /** Code of the locality the incident belongs to (central's code for hits without one). */
  readonly locality: string;
  /** Province of the locality (itself for a province), null for central or an unknown locality. */
  readonly province: string | null;
  readonly status: IncidentStatus;
  /** Null unless resolved. */
  readonly resolution: Resolution | null;
  readonly assignee: string | null;
  /** 0 = the locality's own contacts; each escalation goes one level up. */
  readonly escalationLevel: number;
  /** Hits folded into the incident. */
  readonly count: number;
  /** Epoch ms: window end of the first hit. */
  readonly firstSeen: number;
  /** Epoch ms: latest window end of its hits. */
  readonly lastSeen: number;
  /** Epoch ms by which it must be acknowledged before it escalates, or null. */
  readonly ackDue: number | null;
  readonly evidence: {
    /** Filter (query language) that finds the evidence of the newest hit. */
    readonly query: string;
    /** Up to MAX_SAMPLE_EVENT_IDS event ids, newest hits first. */
    readonly sampleEventIds: readonly string[];
  };
  readonly group: GroupValues;
  /** The incident this one was merged into or derives from, or null. */
  readonly parentId: string | null;
  /** Epoch ms of the resolution, null unless resolved. */
  readonly resolvedAt: number | null;
  /** 1 at creation, +1 on every change. */
  readonly version: number;
}

export interface TimelineEntry {
  readonly incidentId: string;
  /** 1, 2, 3... per incident, assigned by the store. */
  readonly seq: number;
  /** Epoch ms. */
  readonly at: number;
  /** 'system', 'rule:<id>' or 'user:<name>'. */
  readonly actor: string;
  readonly action: TimelineAction;
  readonly from: JsonValue;
  readonly to: JsonValue;
  readonly note: string | null;
}

/** A timeline entry before the store numbers it. */
export type NewTimelineEntry = Omit<TimelineEntry, 'seq'>;

/** Most sample event ids an incident keeps. */
export const MAX_SAMPLE_EVENT_IDS = 10;

/**
 * The fingerprint of (rule, locality, group): hex SHA-256 of the JSON text
 * `[ruleId, locality, [[field, value], ...]]` with the group's entries sorted by field name (code
 * unit order). So the order of group fields never matters, while types do (`1` ≠ `"1"`), and no
 * separator in a value can make two different groups collide.
 */
export function fingerprint(ruleId: string, locality: string, group: GroupValues): string {
  const entries = Object.entries(group).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify([ruleId, locality, entries])).digest('hex');
}

/** Rank of a severity: low 0, medium 1, high 2, critical 3. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** The higher of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(b) > severityRank(a) ? b : a;
}

/** Open or acknowledged: new hits of its fingerprint fold into it. */
export function isActive(status: IncidentStatus): boolean {
  return status !== 'resolved';
}
