import type { Severity } from '../rules/rule';
import type { Scope } from './scope';

/**
 * Statistics glossary (docs/statistics.md).
 * - Range: incidents whose `firstSeen` is in [from, to) ("created in the range"); every statistic
 *   but the backlog is over such a range.
 * - Created at: the `at` of the incident's `created` timeline entry (its `firstSeen` when it has
 *   none): the start of MTTA and MTTR.
 * - MTTA sample: created at → the first `acknowledged` entry. MTTR sample: created at → the first
 *   `resolved` or `auto_resolved` entry (auto-resolved incidents count, and are also counted apart).
 * - SLA breach: the escalation worker (actor `system:escalation`) escalated the incident, which it
 *   does only when the incident was still open at its ack_due; or the incident is open now with an
 *   ack_due in the past.
 * - Percentiles: continuous (linear interpolation between closest ranks, DuckDB's quantile_cont):
 *   quantileCont below.
 */
export type IncidentDimension = 'locality' | 'category' | 'severity';
export const INCIDENT_DIMENSIONS: readonly IncidentDimension[] = ['locality', 'category', 'severity'];

/** The actor of automatic escalations (src/escalation/escalation-worker.ts ESCALATION_ACTOR). */
export const AUTO_ESCALATION_ACTOR = 'system:escalation';

/** Incidents with firstSeen in [from, to), epoch ms. */
export interface StatsRange {
  readonly from: number;
  readonly to: number;
}

/** One non-empty cell of the created-incidents histogram. */
export interface CreatedCount {
  /** Bucket start, epoch ms: a multiple of the interval since the epoch. */
  readonly start: number;
  /** Value of the dimension (locality code, category or severity). */
  readonly key: string;
  readonly count: number;
}

/** Age buckets of the backlog, by now - firstSeen: < 1 h, 1–4 h, 4–24 h, 1–7 d, ≥ 7 d. */
export type AgeBucket = 'lt_1h' | '1h_4h' | '4h_24h' | '1d_7d' | 'gte_7d';
export const AGE_BUCKETS: readonly AgeBucket[] = ['lt_1h', '1h_4h', '4h_24h', '1d_7d', 'gte_7d'];
const HOUR = 3_600_000;
/** Upper bounds (exclusive, ms) of every age bucket but the last. */
export const AGE_BOUNDS: readonly number[] = [HOUR, 4 * HOUR, 24 * HOUR, 7 * 24 * HOUR];

/** The age bucket of an incident first seen at `firstSeen` (a future firstSeen counts as < 1 h). */
export function ageBucket(firstSeen: number, now: number): AgeBucket {
  const age = now - firstSeen;
  const i = AGE_BOUNDS.findIndex((bound) => age < bound);
  return AGE_BUCKETS[i === -1 ? AGE_BUCKETS.length - 1 : i];
}

export interface BacklogCount {
  readonly locality: string;
  readonly severity: Severity;
  readonly status: 'open' | 'acknowledged';
  readonly age: AgeBucket;
  readonly count: number;
}

/** Mean and continuous percentiles of durations in ms; null when n = 0. */
export interface DurationSummary {
  readonly n: number;
  readonly meanMs: number | null;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
}

export interface ResponseTimes {
  /** Locality code or severity. */
  readonly key: string;
  /** Incidents created in the range. */
  readonly incidents: number;
  /** MTTA: created at → first acknowledged. */
  readonly ack: DurationSummary;
  /** MTTR: created at → first resolved or auto-resolved. */
  readonly resolve: DurationSummary;
  /** How many of the resolve samples were auto-resolved. */
  readonly autoResolved: number;
}

export interface BreachCount {
  readonly locality: string;
  readonly severity: Severity;
  /** Incidents created in the range. */
  readonly incidents: number;
  /** Of them, SLA breaches (see the glossary). */
  readonly breaches: number;
}

export interface RuleCount {
  readonly ruleId: string;
  /** Title and category of the rule's newest incident in the range (ties: the greatest id). */
  readonly title: string;
  readonly category: string;
  /** The highest severity of its incidents in the range. */
  readonly severity: Severity;
  readonly count: number;
}

/**
 * Read models over the incidents and their timelines, for the statistics API. Implementations:
 * MemoryIncidentStats (MemoryIncidentStore.stats()), DuckDbIncidentStats (DuckDbIncidentStore.stats());
 * both pass test/contract/incident-stats.contract.ts. Every method counts only incidents inside the
 * scope (locality or province in it, as IncidentStore reads). Inputs are checked by the caller
 * (StatsService); a store that cannot answer throws kind `unavailable`.
 */
export interface IncidentStats {
  /** Incidents created in the range per interval bucket and dimension value: non-empty cells, ordered by start then key. */
  createdCounts(range: StatsRange & { readonly intervalMs: number; readonly by: IncidentDimension }, scope: Scope): Promise<readonly CreatedCount[]>;
  /** Active (open or acknowledged) incidents now, per locality, severity, status and age bucket: non-empty cells, ordered by locality, severity rank, status, age. */
  backlog(now: number, scope: Scope): Promise<readonly BacklogCount[]>;
  /** MTTA and MTTR of the incidents created in the range, per locality or severity, ordered by key. */
  responseTimes(range: StatsRange, by: 'locality' | 'severity', scope: Scope): Promise<readonly ResponseTimes[]>;
  /** Incidents created in the range and their SLA breaches (as of `now`), per locality and severity, ordered by locality then severity rank. */
  breaches(range: StatsRange, now: number, scope: Scope): Promise<readonly BreachCount[]>;
  /** The `size` rules with the most incidents created in the range: count descending, then rule id. */
  topRules(range: StatsRange, size: number, scope: Scope): Promise<readonly RuleCount[]>;
}

/**
 * The continuous p-quantile (0 ≤ p ≤ 1) of ascending values, as DuckDB's quantile_cont: with
 * h = (n - 1) · p and d = h - ⌊h⌋, x[⌊h⌋] · (1 - d) + x[⌊h⌋ + 1] · d (x[⌊h⌋] when d = 0). Null for
 * no values. Written in this order of operations because it is DuckDB's: `lo + d · (hi - lo)`
 * differs in the last bit for some inputs, and the contract suite compares exactly.
 */
export function quantileCont(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const d = h - lo;
  return d === 0 ? sorted[lo] : sorted[lo] * (1 - d) + sorted[hi] * d;
}

/** Mean, p50 and p90 of durations (ms), in any order. */
export function summarize(durations: readonly number[]): DurationSummary {
  if (durations.length === 0) return { n: 0, meanMs: null, p50Ms: null, p90Ms: null };
  const sorted = [...durations].sort((a, b) => a - b);
  const sum = sorted.reduce((s, d) => s + d, 0);
  return { n: sorted.length, meanMs: sum / sorted.length, p50Ms: quantileCont(sorted, 0.5), p90Ms: quantileCont(sorted, 0.9) };
}
