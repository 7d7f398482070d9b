import { isoToEpochMs, scalarText, toNumber, toPredicate } from '../../query/predicate';
import {
  MAX_GROUP_LIMIT, bucketStarts, checkAggregate, checkBatch, checkPageSize, checkTimeRange, cursorKey, encodeCursor,
  isAfterKey, type CursorKey,
} from '../cursor';
import type {
  AggregateQuery, AggregateRow, DeadLetter, DeadLetterPage, DeadLetterQuery, EcsDocument, EventBatch, EventQuery,
  EventStore, HistogramBucket, HistogramQuery, Metric, SearchPage, SearchQuery, SourceStats, WriteResult,
} from '../event-store';
import { FIELDS, getField } from '../fields';
import { inScope, type Scope } from '../scope';

interface StoredEvent {
  readonly at: number;
  readonly id: string;
  readonly doc: EcsDocument;
}

interface BatchRow {
  readonly sourceId: string;
  readonly received: number;
  readonly stored: number;
  readonly deadLettered: number;
  readonly processedAt: number;
  readonly maxEventAt: number | null;
}

type GroupValue = string | number | null;

/**
 * An EventStore in memory for unit tests, kept honest by the contract suite: same validation, order,
 * paging and value semantics as the DuckDB store (typed catalog fields read as their column would
 * hold them, other fields as text; numbers for metrics only when they are decimal numbers).
 */
export class MemoryEventStore implements EventStore {
  private readonly events = new Map<string, StoredEvent>();
  private readonly deadLetters = new Map<string, DeadLetter>();
  private readonly batches = new Map<string, BatchRow>();
  private readonly now: () => number;

  /** @param options.now Clock for `lastBatchAt`. @defaultValue Date.now */
  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async ping(): Promise<void> {}

  async write(batch: EventBatch): Promise<WriteResult> {
    // Everything is checked before anything changes: a rejected batch leaves no trace.
    const keys = checkBatch(batch);
    let written = 0;
    keys.forEach(({ at, id }, i) => {
      if (this.events.has(id)) return;
      this.events.set(id, { at, id, doc: cloneJson(batch.events[i]) });
      written++;
    });
    let deadLettered = 0;
    for (const d of batch.deadLetters) {
      if (this.deadLetters.has(d.id)) continue;
      this.deadLetters.set(d.id, { ...d });
      deadLettered++;
    }
    const maxEventAt = keys.reduce<number | null>((m, k) => (m === null || k.at > m ? k.at : m), null);
    this.batches.set(batch.batchId, {
      sourceId: batch.sourceId, received: batch.received, stored: batch.events.length,
      deadLettered: batch.deadLetters.length, processedAt: this.now(), maxEventAt,
    });
    return { written, duplicates: batch.events.length - written, deadLettered };
  }

  async search(query: SearchQuery, scope: Scope): Promise<SearchPage> {
    checkPageSize(query.size);
    const after = cursorKey(query.cursor);
    const matching = this.select(query, scope).sort(newestFirst);
    const rest = after ? matching.filter((e) => isAfterKey(e.at, e.id, after)) : matching;
    const page = rest.slice(0, query.size);
    const last = rest.length > query.size ? page[page.length - 1] : null;
    return {
      total: matching.length,
      events: page.map((e) => cloneJson(e.doc)),
      nextCursor: last ? encodeCursor({ at: last.at, id: last.id }) : null,
    };
  }

  async count(query: EventQuery, scope: Scope): Promise<number> {
    return this.select(query, scope).length;
  }

  async aggregate(query: AggregateQuery, scope: Scope): Promise<readonly AggregateRow[]> {
    checkAggregate(query);
    const groups = new Map<string, { group: GroupValue[]; docs: EcsDocument[] }>();
    for (const { doc } of this.select(query, scope)) {
      const group = query.groupBy.map((f) => groupValue(doc, f));
      const key = JSON.stringify(group);
      const entry = groups.get(key) ?? { group, docs: [] };
      entry.docs.push(doc);
      groups.set(key, entry);
    }
    // Without group-by there is always one row, as SQL gives for an aggregate over no rows.
    if (query.groupBy.length === 0 && groups.size === 0) groups.set('[]', { group: [], docs: [] });
    let rows = [...groups.values()].map(({ group, docs }) => ({ group, docs, values: query.metrics.map((m) => metric(m, docs)) }));
    if (query.minFirstMetric !== undefined) rows = rows.filter((r) => r.values[0] !== null && r.values[0] >= (query.minFirstMetric as number));
    rows.sort(byFirstMetricThenGroup);
    return rows.slice(0, query.limit ?? MAX_GROUP_LIMIT).map(({ group, values, docs }) => ({
      group: Object.fromEntries(query.groupBy.map((f, i) => [f, group[i]])),
      values,
      ...(query.samples === undefined ? {} : { sampleIds: newestIds(docs, query.samples) }),
    }));
  }

  async aggregateMany(queries: readonly AggregateQuery[], scope: Scope): Promise<(readonly AggregateRow[])[]> {
    queries.forEach(checkAggregate);
    return Promise.all(queries.map((q) => this.aggregate(q, scope)));
  }

  async histogram(query: HistogramQuery, scope: Scope): Promise<readonly HistogramBucket[]> {
    const starts = bucketStarts(query, query.intervalMs);
    const counts = new Array<number>(starts.length).fill(0);
    for (const e of this.select(query, scope)) counts[Math.floor((e.at - starts[0]) / query.intervalMs)]++;
    return starts.map((start, i) => ({ start, count: counts[i] }));
  }

  async sourceStats(sourceId: string): Promise<SourceStats> {
    const rows = [...this.batches.values()].filter((b) => b.sourceId === sourceId);
    const sum = (f: (b: BatchRow) => number) => rows.reduce((n, b) => n + f(b), 0);
    const max = (values: (number | null)[]) => values.reduce<number | null>((m, v) => (v !== null && (m === null || v > m) ? v : m), null);
    return {
      received: sum((b) => b.received), stored: sum((b) => b.stored), deadLettered: sum((b) => b.deadLettered),
      lastEventAt: max(rows.map((b) => b.maxEventAt)), lastBatchAt: max(rows.map((b) => b.processedAt)),
    };
  }

  async listDeadLetters(query: DeadLetterQuery, scope: Scope): Promise<DeadLetterPage> {
    checkPageSize(query.size);
    const after: CursorKey | undefined = cursorKey(query.cursor);
    const matching = [...this.deadLetters.values()]
      .filter((d) => inScope(scope, d.locality, d.province) && (query.sourceId === undefined || d.sourceId === query.sourceId))
      .filter((d) => !after || isAfterKey(d.receivedAt, d.id, after))
      .sort((a, b) => newestFirst({ at: a.receivedAt, id: a.id }, { at: b.receivedAt, id: b.id }));
    const page = matching.slice(0, query.size);
    const last = matching.length > query.size ? page[page.length - 1] : null;
    return { deadLetters: page.map((d) => ({ ...d })), nextCursor: last ? encodeCursor({ at: last.receivedAt, id: last.id }) : null };
  }

  async prune(before: number): Promise<{ readonly events: number; readonly deadLetters: number }> {
    let events = 0;
    let deadLetters = 0;
    for (const [id, e] of this.events) if (e.at < before) this.events.delete(id), events++;
    for (const [id, d] of this.deadLetters) if (d.receivedAt < before) this.deadLetters.delete(id), deadLetters++;
    return { events, deadLetters };
  }

  private select(query: EventQuery, scope: Scope): StoredEvent[] {
    checkTimeRange(query);
    const predicate = toPredicate(query.filter);
    const datasets = query.datasets && query.datasets.length > 0 ? query.datasets : null;
    const localities = query.localities && query.localities.length > 0 ? query.localities : null;
    return [...this.events.values()].filter((e) => {
      if (e.at < query.from || e.at >= query.to) return false;
      const locality = keyword(getField(e.doc, 'organization.id'));
      const province = keyword(getField(e.doc, 'canh.province'));
      if (datasets && !datasets.includes(keyword(getField(e.doc, 'event.dataset')) as string)) return false;
      if (localities && !inSubtrees(localities, locality, province)) return false;
      if (scope.kind !== 'all' && !inSubtrees(scope.codes, locality, province)) return false;
      return predicate(e.doc);
    });
  }
}

/** Deep copy of JSON-like data, so callers never share objects with the store. */
function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = cloneJson(v);
  return out as T;
}

function inSubtrees(codes: readonly string[], locality: string | null, province: string | null): boolean {
  return (locality !== null && codes.includes(locality)) || (province !== null && codes.includes(province));
}

/** `event.id` of the newest `n` documents, newest first (by @timestamp, then id). */
function newestIds(docs: readonly EcsDocument[], n: number): string[] {
  return docs
    .map((doc) => ({ at: isoToEpochMs(String(getField(doc, '@timestamp'))) ?? 0, id: String(getField(doc, 'event.id')) }))
    .sort(newestFirst)
    .slice(0, n)
    .map((e) => e.id);
}

function newestFirst(a: { at: number; id: string }, b: { at: number; id: string }): number {
  if (a.at !== b.at) return b.at - a.at;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Text of a keyword column: strings, numbers and booleans as text; anything else is null. */
function keyword(v: unknown): string | null {
  return scalarText(v) ?? null;
}

/** A long column's value: a decimal number rounded to a whole one (safe integers only). */
function long(v: unknown): number | null {
  const n = toNumber(v);
  const r = n === undefined ? undefined : Math.round(n);
  return r !== undefined && Number.isSafeInteger(r) ? r : null;
}

/** A field as the DuckDB store groups it: typed columns as stored, JSON fields as JSON text. */
function groupValue(doc: EcsDocument, field: string): GroupValue {
  const v = getField(doc, field);
  const def = FIELDS[field];
  if (def?.column) {
    if (def.type === 'date') {
      const ms = typeof v === 'string' ? isoToEpochMs(v) : undefined;
      return ms === undefined ? null : new Date(ms).toISOString();
    }
    return def.type === 'long' ? long(v) : keyword(v);
  }
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A field as a metric input: numeric columns as numbers, text only when it is a decimal number. */
function numericValue(doc: EcsDocument, field: string): number | null {
  const v = groupValue(doc, field);
  if (v === null) return null;
  if (FIELDS[field]?.type === 'date' && FIELDS[field]?.column) return Date.parse(v as string);
  return toNumber(v) ?? null;
}

/** quantile_cont: linear interpolation between the closest ranks of the sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return lo === hi ? sorted[lo] : sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function metric(m: Metric, docs: readonly EcsDocument[]): number | null {
  if (m.op === 'count') return docs.length;
  if (m.op === 'cardinality') {
    return new Set(docs.map((d) => groupValue(d, m.field)).filter((v) => v !== null)).size;
  }
  const values = docs.map((d) => numericValue(d, m.field)).filter((v): v is number => v !== null);
  if (values.length === 0) return null;
  switch (m.op) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return values.reduce((a, b) => (b < a ? b : a));
    case 'max':
      return values.reduce((a, b) => (b > a ? b : a));
    case 'p95':
      return quantile([...values].sort((a, b) => a - b), 0.95);
  }
}

function compareGroupValue(a: GroupValue, b: GroupValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** First metric descending (nulls last), then group values ascending (nulls last). */
function byFirstMetricThenGroup(a: { group: GroupValue[]; values: (number | null)[] }, b: { group: GroupValue[]; values: (number | null)[] }): number {
  const ma = a.values[0];
  const mb = b.values[0];
  if (ma !== mb) {
    if (ma === null) return 1;
    if (mb === null) return -1;
    return mb - ma;
  }
  for (let i = 0; i < a.group.length; i++) {
    const c = compareGroupValue(a.group[i], b.group[i]);
    if (c !== 0) return c;
  }
  return 0;
}
