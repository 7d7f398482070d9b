import type { FilterNode } from '../query/ast';
import type { Scope } from './scope';

/**
 * An ECS event as stored: a nested document (`{ event: { id, dataset }, organization: { id } ... }`).
 * Always present: `@timestamp` (ISO 8601 string), `event.id`, `event.dataset`, `organization.id`,
 * `canh.source_id`; `canh.province` when the locality has a province.
 */
export type EcsDocument = Record<string, unknown>;

/** A line that could not be turned into an event, kept with its reason (nothing is dropped). */
export interface DeadLetter {
  /** Stable id: `<batchId>:<line>`; writing it twice stores it once. */
  readonly id: string;
  readonly sourceId: string;
  readonly locality: string;
  readonly province: string | null;
  readonly batchId: string;
  /** 1-based line (or item) number within the batch. */
  readonly line: number;
  readonly raw: string;
  readonly reason: string;
  /** Epoch ms when the batch was accepted. */
  readonly receivedAt: number;
}

/** One processed ingest batch: what the worker writes in one call. */
export interface EventBatch {
  readonly batchId: string;
  readonly sourceId: string;
  readonly locality: string;
  readonly province: string | null;
  readonly dataset: string;
  /** Lines or items in the batch as received (= events + deadLetters). */
  readonly received: number;
  readonly events: readonly EcsDocument[];
  readonly deadLetters: readonly DeadLetter[];
  /** Epoch ms when the API accepted the batch. */
  readonly receivedAt: number;
}

export interface WriteResult {
  /** Events newly written. */
  readonly written: number;
  /** Events skipped because an event with the same `event.id` was already stored. */
  readonly duplicates: number;
  readonly deadLettered: number;
}

export interface TimeRange {
  /** Inclusive, epoch ms. */
  readonly from: number;
  /** Exclusive, epoch ms. */
  readonly to: number;
}

export interface EventQuery extends TimeRange {
  readonly filter: FilterNode;
  /** Restrict to these datasets (any of). */
  readonly datasets?: readonly string[];
  /** Restrict to the subtrees of these locality codes (inside the caller's scope). */
  readonly localities?: readonly string[];
}

export interface SearchQuery extends EventQuery {
  /** Page size, 1..1000. */
  readonly size: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface SearchPage {
  /** Exact number of matching events. */
  readonly total: number;
  /** Newest first (by `@timestamp`, then `event.id` descending). */
  readonly events: readonly EcsDocument[];
  readonly nextCursor: string | null;
}

export type Metric =
  | { readonly op: 'count' }
  | { readonly op: 'cardinality'; readonly field: string }
  | { readonly op: 'avg' | 'min' | 'max' | 'sum' | 'p95'; readonly field: string };

export interface AggregateQuery extends EventQuery {
  /** Group by these fields (an empty list gives one row for the whole selection). */
  readonly groupBy: readonly string[];
  readonly metrics: readonly Metric[];
  /** Only groups whose first metric is >= this value. */
  readonly minFirstMetric?: number;
  /** Maximum groups returned (largest first metric first); default 10000. */
  readonly limit?: number;
  /**
   * Also return, per group, the `event.id` of up to this many of its events (1..MAX_SAMPLES),
   * newest first (by `@timestamp`, then `event.id`, both descending): the evidence of a rule hit
   * without a search per group.
   */
  readonly samples?: number;
}

/** Most sample ids an aggregate returns per group. */
export const MAX_SAMPLES = 100;

export interface AggregateRow {
  /** Group values keyed by field name; null where the event lacks the field. */
  readonly group: Readonly<Record<string, string | number | null>>;
  /** One value per requested metric, in order; null when no event had the field. */
  readonly values: readonly (number | null)[];
  /** With `samples`: event ids of the group, newest first. */
  readonly sampleIds?: readonly string[];
}

export interface HistogramQuery extends EventQuery {
  /** Bucket width in ms (buckets aligned to multiples of it since the epoch). */
  readonly intervalMs: number;
}

export interface HistogramBucket {
  /** Bucket start, epoch ms. */
  readonly start: number;
  readonly count: number;
}

export interface SourceStats {
  readonly received: number;
  readonly stored: number;
  readonly deadLettered: number;
  /** Epoch ms of the newest stored event's `@timestamp`, or null. */
  readonly lastEventAt: number | null;
  /** Epoch ms when the newest batch was processed, or null. */
  readonly lastBatchAt: number | null;
}

export interface DeadLetterQuery {
  readonly sourceId?: string;
  readonly size: number;
  readonly cursor?: string;
}

export interface DeadLetterPage {
  /** Newest first. */
  readonly deadLetters: readonly DeadLetter[];
  readonly nextCursor: string | null;
}

/**
 * Where events and dead letters live. Implementations: DuckDbEventStore (embedded), MemoryEventStore
 * (tests); all pass test/contract/event-store.contract.ts. Every read takes the caller's Scope and
 * returns nothing outside it. Errors: invalid input → AppError kind `invalid`; the backend down →
 * kind `unavailable`.
 */
export interface EventStore {
  /** Creates tables/indices if missing. Idempotent. */
  init(): Promise<void>;
  /** Flushes and releases resources. */
  close(): Promise<void>;
  /** Throws kind `unavailable` when the store cannot answer. */
  ping(): Promise<void>;
  /**
   * Writes one processed batch atomically: events (idempotent by `event.id`), dead letters
   * (idempotent by id) and the batch's counters. Writing the same batch again changes nothing.
   */
  write(batch: EventBatch): Promise<WriteResult>;
  /**
   * Optional split of write() for throughput: the path of a module exporting a pure
   * `prepareBatch(batch: EventBatch): unknown` whose structured-clonable result `writePrepared`
   * writes exactly as `write(batch)` would. The ingest worker runs the prepare step on its parse
   * threads, so the writer's thread only writes. Absent: the worker calls write().
   */
  readonly preparer?: string;
  /** Writes what the preparer module's prepareBatch returned (required when `preparer` is set). */
  writePrepared?(prepared: unknown): Promise<WriteResult>;
  /** Matching events, newest first, with cursor paging. */
  search(query: SearchQuery, scope: Scope): Promise<SearchPage>;
  /** Number of matching events. */
  count(query: EventQuery, scope: Scope): Promise<number>;
  /** Metrics per group over the matching events. */
  aggregate(query: AggregateQuery, scope: Scope): Promise<readonly AggregateRow[]>;
  /**
   * Several aggregates at once, answered exactly as aggregate() answers each (same rows, same
   * order): result i belongs to queries[i]. Stores answer queries that share a time range, datasets,
   * localities and group-by in one pass over the events (the rule engine's batching); an invalid
   * query fails the whole call.
   */
  aggregateMany(queries: readonly AggregateQuery[], scope: Scope): Promise<(readonly AggregateRow[])[]>;
  /** Counts per time bucket over [from, to); empty buckets included. */
  histogram(query: HistogramQuery, scope: Scope): Promise<readonly HistogramBucket[]>;
  /** Counters of one source since it was created. */
  sourceStats(sourceId: string): Promise<SourceStats>;
  /** Dead letters in scope, newest first. */
  listDeadLetters(query: DeadLetterQuery, scope: Scope): Promise<DeadLetterPage>;
  /**
   * Retention: deletes events whose `@timestamp` and dead letters whose receive time is before
   * `before` (epoch ms), and answers how many. Batch counters are kept (source statistics, and a
   * re-delivered batch stays a duplicate). Stores whose backend expires data itself (Elasticsearch's
   * ILM) delete nothing and answer zeros.
   */
  prune(before: number): Promise<{ readonly events: number; readonly deadLetters: number }>;
}
