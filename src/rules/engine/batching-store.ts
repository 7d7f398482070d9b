import type {
  AggregateQuery, AggregateRow, DeadLetterPage, DeadLetterQuery, EventBatch, EventQuery, EventStore, HistogramBucket,
  HistogramQuery, SearchPage, SearchQuery, SourceStats, WriteResult,
} from '../../store/event-store';
import { MAX_GROUP_LIMIT, checkAggregate } from '../../store/cursor';
import type { Scope } from '../../store/scope';

export interface BatchingOptions {
  /** A batch is sent once no aggregate joined it for this long... @defaultValue 20 */
  readonly quietMs?: number;
  /** ...or once its first aggregate waited this long... @defaultValue 250 */
  readonly gatherMs?: number;
  /** ...or as soon as it holds this many aggregates. @defaultValue 2000 */
  readonly maxBatch?: number;
}

export interface BatchingStats {
  /** aggregateMany calls made. */
  readonly batches: number;
  /** aggregate calls answered through them. */
  readonly queries: number;
  /** Distinct queries sent (aggregates differing only in minimum or limit are sent once). */
  readonly distinct: number;
}

interface Pending {
  readonly query: AggregateQuery;
  readonly scope: Scope;
  readonly resolve: (rows: readonly AggregateRow[]) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The rule engine's view of the EventStore: aggregate() calls made close together (the rules of one
 * round, which fire at the same instant: rule-scheduler.ts) go to the store as ONE aggregateMany(), which
 * answers the ones sharing a dataset, window and group-by in a single pass over the events, grouped
 * by locality; aggregates that differ only in their minimum or limit (rules with the same filter and
 * different thresholds) are asked once (docs/adr/0006-batched-rule-evaluation.md). Each caller still
 * gets exactly its own aggregate's answer. When the batch fails, its queries are retried one by one, so one bad query
 * fails only its own rule. Every other method goes straight to the store.
 */
export class BatchingEventStore implements EventStore {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private quietTimer: NodeJS.Timeout | null = null;
  private batchCount = 0;
  private queryCount = 0;
  private distinctCount = 0;
  private readonly quietMs: number;
  private readonly gatherMs: number;
  private readonly maxBatch: number;

  constructor(private readonly inner: EventStore, options: BatchingOptions = {}) {
    this.quietMs = options.quietMs ?? 20;
    this.gatherMs = options.gatherMs ?? 250;
    this.maxBatch = options.maxBatch ?? 2000;
  }

  get stats(): BatchingStats {
    return { batches: this.batchCount, queries: this.queryCount, distinct: this.distinctCount };
  }

  aggregate(query: AggregateQuery, scope: Scope): Promise<readonly AggregateRow[]> {
    return new Promise((resolve, reject) => {
      // Checked here, not in the batch: a query merged with another must still fail on its own.
      try {
        checkAggregate(query);
      } catch (err) {
        reject(err);
        return;
      }
      this.pending.push({ query, scope, resolve, reject });
      if (this.pending.length >= this.maxBatch) {
        this.flush();
        return;
      }
      if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.gatherMs);
      if (this.quietTimer !== null) clearTimeout(this.quietTimer);
      this.quietTimer = setTimeout(() => this.flush(), Math.min(this.quietMs, this.gatherMs));
    });
  }

  aggregateMany(queries: readonly AggregateQuery[], scope: Scope): Promise<(readonly AggregateRow[])[]> {
    return this.inner.aggregateMany(queries, scope);
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    this.timer = null;
    this.quietTimer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    // Scopes are compared by value: the engine always passes ALL_SCOPE, so this is one group.
    const byScope = new Map<string, Pending[]>();
    for (const p of batch) {
      const key = JSON.stringify(p.scope);
      byScope.set(key, [...(byScope.get(key) ?? []), p]);
    }
    for (const group of byScope.values()) void this.send(group);
  }

  private async send(group: readonly Pending[]): Promise<void> {
    this.batchCount++;
    this.queryCount += group.length;
    // Rules that ask the same question with different thresholds or limits share one query: the
    // lowest minimum and the highest limit; each then keeps its own rows (a prefix, as the rows are
    // ordered by the first metric).
    const shared = new Map<string, { query: AggregateQuery; members: Pending[] }>();
    for (const p of group) {
      const { minFirstMetric, limit, ...question } = p.query;
      const key = JSON.stringify(question);
      const entry = shared.get(key);
      if (!entry) {
        shared.set(key, { query: p.query, members: [p] });
        continue;
      }
      entry.members.push(p);
      entry.query = {
        ...entry.query,
        minFirstMetric: entry.query.minFirstMetric === undefined || minFirstMetric === undefined ? undefined : Math.min(entry.query.minFirstMetric, minFirstMetric),
        limit: Math.max(entry.query.limit ?? MAX_GROUP_LIMIT, limit ?? MAX_GROUP_LIMIT),
      };
    }
    const entries = [...shared.values()];
    this.distinctCount += entries.length;
    try {
      const answers = await this.inner.aggregateMany(entries.map((e) => e.query), group[0].scope);
      entries.forEach((e, i) => e.members.forEach((p) => p.resolve(ownRows(answers[i], p.query))));
    } catch {
      await Promise.all(group.map((p) => this.inner.aggregate(p.query, p.scope).then(p.resolve, p.reject)));
    }
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  close(): Promise<void> {
    this.flush();
    return this.inner.close();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  write(batch: EventBatch): Promise<WriteResult> {
    return this.inner.write(batch);
  }

  search(query: SearchQuery, scope: Scope): Promise<SearchPage> {
    return this.inner.search(query, scope);
  }

  count(query: EventQuery, scope: Scope): Promise<number> {
    return this.inner.count(query, scope);
  }

  histogram(query: HistogramQuery, scope: Scope): Promise<readonly HistogramBucket[]> {
    return this.inner.histogram(query, scope);
  }

  sourceStats(sourceId: string): Promise<SourceStats> {
    return this.inner.sourceStats(sourceId);
  }

  listDeadLetters(query: DeadLetterQuery, scope: Scope): Promise<DeadLetterPage> {
    return this.inner.listDeadLetters(query, scope);
  }

  prune(before: number): Promise<{ readonly events: number; readonly deadLetters: number }> {
    return this.inner.prune(before);
  }
}

/** The rows of a shared answer that `query` itself would get: first metric >= its minimum, at most its limit. */
function ownRows(rows: readonly AggregateRow[], query: AggregateQuery): readonly AggregateRow[] {
  const min = query.minFirstMetric;
  const kept = min === undefined ? rows : rows.filter((r) => r.values[0] !== null && r.values[0] >= min);
  return kept.slice(0, query.limit ?? MAX_GROUP_LIMIT);
}
