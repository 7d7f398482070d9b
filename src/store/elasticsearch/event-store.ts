import type { Client, estypes } from '@elastic/elasticsearch';
import { checkBatch, checkPageSize, cursorKey, encodeCursor } from '../cursor';
import type {
  AggregateQuery, AggregateRow, DeadLetter, DeadLetterPage, DeadLetterQuery, EcsDocument, EventBatch, EventQuery, EventStore,
  HistogramBucket, HistogramQuery, SearchPage, SearchQuery, SourceStats, WriteResult,
} from '../event-store';
import type { Scope } from '../scope';
import { AggregatePaging } from './aggregation-read';
import { histogramRequest, readHistogram } from './aggregation-dsl';
import { ManyAggregatePaging } from './aggregate-many-dsl';
import { batchOperations, deadLetterOperations, readBulkResponse, type BulkOperations } from './bulk';
import { esCall, unavailable } from './errors';
import { DEAD_LETTER_INDEX_PREFIX, STATE_INDICES, type TemplateOptions } from './mappings';
import { countRequest, readCount, readSearchPage, searchRequest } from './search-dsl';
import { installTemplates } from './setup';

/**
 * The EventStore on Elasticsearch (docs/adr/0007, section "Adapter"): it sends the requests of the
 * pure builders beside it and reads their answers. Writes: one `_bulk` of `create`s per batch (events
 * into their day index, dead letters), then one `_bulk` with the dead letters of events Elasticsearch
 * refused and the batch's counters document (`canh-batches`, `_id` = batch id, so a retried batch
 * counts once). Writes of one store run one at a time, in call order, like the DuckDB store's.
 */
export interface ElasticsearchEventStoreOptions {
  /** Days events and dead letters are kept (the ILM policy installed by init()). */
  readonly retentionDays: number;
  /** Prepended to every index, template and policy name. @defaultValue '' */
  readonly indexPrefix?: string;
  /** Refresh on writes, for read-after-write (tests): `'wait_for'` waits for the next refresh. @defaultValue false */
  readonly refresh?: boolean | 'wait_for';
  /** The clock of `lastBatchAt`. @defaultValue Date.now */
  readonly now?: () => number;
  /** Shards, replicas and datasets of the installed templates (setup.ts). */
  readonly templates?: TemplateOptions & { readonly datasets?: readonly string[] };
}

type Aggs = Record<string, estypes.AggregationsAggregationContainer>;
type BulkItem = estypes.BulkResponseItem;

const stored = (status: number) => status === 200 || status === 201 || status === 409;

/** The index patterns of a request, as a list. */
function indexList(index: estypes.Indices | undefined): string[] {
  return index === undefined ? [] : Array.isArray(index) ? index : [index];
}

/** Empty answers of aggregations: Elasticsearch omits `aggregations` when no index matched (elastic/elasticsearch#129762). */
function emptyAggregates(aggs: Aggs): Record<string, estypes.AggregationsAggregate> {
  return Object.fromEntries(Object.entries(aggs).map(([name, c]): [string, estypes.AggregationsAggregate] => {
    if (c.composite || c.date_histogram || c.terms) return [name, { buckets: [] }];
    if (c.filter) return [name, { doc_count: 0, ...emptyAggregates(c.aggs ?? c.aggregations ?? {}) }];
    if (c.cardinality || c.value_count || c.sum) return [name, { value: 0 }];
    if (c.percentiles) return [name, { values: [] }];
    if (c.top_hits) return [name, { hits: { total: { value: 0, relation: 'eq' }, max_score: null, hits: [] } }];
    return [name, { value: null }];
  }));
}

/** The response with the empty answer of every requested aggregation when Elasticsearch gave none. */
export function withEmptyAggregations<R extends Pick<estypes.SearchResponse, 'aggregations'>>(aggs: Aggs | undefined, response: R): R {
  if (response.aggregations !== undefined || aggs === undefined) return response;
  return { ...response, aggregations: emptyAggregates(aggs) };
}

export class ElasticsearchEventStore implements EventStore {
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly refresh: estypes.Refresh | undefined;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: Client, private readonly options: ElasticsearchEventStoreOptions) {
    this.prefix = options.indexPrefix ?? '';
    this.now = options.now ?? Date.now;
    this.refresh = options.refresh === undefined || options.refresh === false ? undefined : options.refresh;
  }

  async init(): Promise<void> {
    await installTemplates(this.client, this.options.retentionDays, { ...this.options.templates, indexPrefix: this.prefix });
  }

  /** Waits for writes under way; the client belongs to the caller, who closes it. */
  async close(): Promise<void> {
    await this.writing;
  }

  async ping(): Promise<void> {
    const alive = await esCall('answering a ping', () => this.client.ping());
    if (!alive) throw unavailable('answering a ping', 'the node did not answer 200');
  }

  write(batch: EventBatch): Promise<WriteResult> {
    const run = this.writing.then(() => this.writeNow(batch));
    this.writing = run.catch(() => undefined);
    return run;
  }

  async search(query: SearchQuery, scope: Scope): Promise<SearchPage> {
    const request = this.indexed(searchRequest(query, scope));
    return readSearchPage(query, await esCall('searching events', () => this.client.search<EcsDocument>(request)));
  }

  async count(query: EventQuery, scope: Scope): Promise<number> {
    const request = this.indexed(countRequest(query, scope));
    return readCount(await esCall('counting events', () => this.client.count(request)));
  }

  async aggregate(query: AggregateQuery, scope: Scope): Promise<readonly AggregateRow[]> {
    const paging = new AggregatePaging(query, scope);
    for (let next = paging.next(); next; next = paging.next()) {
      const request = this.indexed(next);
      const response = await esCall('aggregating events', () => this.client.search(request));
      paging.add(withEmptyAggregations(request.aggs, response));
    }
    return paging.result();
  }

  async aggregateMany(queries: readonly AggregateQuery[], scope: Scope): Promise<(readonly AggregateRow[])[]> {
    const paging = new ManyAggregatePaging(queries, scope);
    for (let next = paging.next(); next; next = paging.next()) {
      const searches = (next.searches ?? []).map((item, i) => (i % 2 === 0 ? this.indexed(item as estypes.MsearchMultisearchHeader) : item));
      const response = await esCall('aggregating events (msearch)', () => this.client.msearch({ searches }));
      const responses = response.responses.map((item, k) => {
        if ('error' in item) return item;
        return withEmptyAggregations((searches[2 * k + 1] as estypes.MsearchMultisearchBody | undefined)?.aggs, item);
      });
      paging.add({ ...response, responses });
    }
    return paging.result();
  }

  async histogram(query: HistogramQuery, scope: Scope): Promise<readonly HistogramBucket[]> {
    const request = this.indexed(histogramRequest(query, scope));
    return readHistogram(query, await esCall('counting events per time bucket', () => this.client.search(request)));
  }

  async sourceStats(sourceId: string): Promise<SourceStats> {
    const sum = (field: string): estypes.AggregationsAggregationContainer => ({ sum: { field } });
    const max = (field: string): estypes.AggregationsAggregationContainer => ({ max: { field } });
    const response = await esCall(`reading the counters of source ${sourceId}`, () => this.client.search({
      index: this.name(STATE_INDICES.batches), ignore_unavailable: true, allow_no_indices: true, size: 0, track_total_hits: false,
      query: { term: { sourceId } },
      aggs: { received: sum('received'), stored: sum('stored'), deadLettered: sum('deadLettered'), lastEventAt: max('maxEventAt'), lastBatchAt: max('processedAt') },
    }));
    const value = (name: string): number | null => {
      const v = (response.aggregations?.[name] as estypes.AggregationsSingleMetricAggregateBase | undefined)?.value;
      return v === null || v === undefined ? null : Number(v);
    };
    return {
      received: value('received') ?? 0, stored: value('stored') ?? 0, deadLettered: value('deadLettered') ?? 0,
      lastEventAt: value('lastEventAt'), lastBatchAt: value('lastBatchAt'),
    };
  }

  /** Retention is the ILM policy's (`canh-retention`, installed by init): nothing to delete here. */
  async prune(): Promise<{ readonly events: number; readonly deadLetters: number }> {
    return { events: 0, deadLetters: 0 };
  }

  async listDeadLetters(query: DeadLetterQuery, scope: Scope): Promise<DeadLetterPage> {
    checkPageSize(query.size);
    const after = cursorKey(query.cursor);
    const filter: estypes.QueryDslQueryContainer[] = [];
    if (scope.kind === 'localities') {
      const codes = [...scope.codes];
      filter.push({ bool: { should: [{ terms: { locality: codes } }, { terms: { province: codes } }], minimum_should_match: 1 } });
    }
    if (query.sourceId !== undefined) filter.push({ term: { sourceId: query.sourceId } });
    const response = await esCall('listing dead letters', () => this.client.search<DeadLetter>({
      index: this.name(`${DEAD_LETTER_INDEX_PREFIX}*`), ignore_unavailable: true, allow_no_indices: true,
      query: { bool: { filter } }, size: query.size + 1, track_total_hits: false,
      sort: [{ receivedAt: { order: 'desc' } }, { id: { order: 'desc' } }],
      ...(after ? { search_after: [after.at, after.id] } : {}),
    }));
    const hits = response.hits.hits;
    const deadLetters = hits.slice(0, query.size).map((hit) => {
      if (!hit._source) throw unavailable('listing dead letters', `hit ${hit._id ?? '?'} came without its _source`);
      return hit._source;
    });
    const last = hits.length > query.size ? deadLetters[deadLetters.length - 1] : null;
    return { deadLetters, nextCursor: last ? encodeCursor({ at: last.receivedAt, id: last.id }) : null };
  }

  /** One batch: events and dead letters, then refused events as dead letters and the counters. */
  private async writeNow(batch: EventBatch): Promise<WriteResult> {
    const keys = checkBatch(batch);
    const what = `writing batch ${batch.batchId}`;
    const operations = batchOperations(batch);
    const items = operations.length === 0 ? [] : await this.bulk(what, operations);
    const outcome = readBulkResponse(batch, { took: 0, errors: false, items });
    if (outcome.retry) throw unavailable(what, retryReason(items, batch.events.length, operations.length / 2));
    const events = items.slice(0, batch.events.length).map(itemOf);
    const maxEventAt = events.reduce<number | null>((m, item, i) => (stored(item.status) ? Math.max(m ?? -Infinity, keys[i].at) : m), null);
    const counters = {
      batchId: batch.batchId, sourceId: batch.sourceId, received: batch.received,
      stored: batch.events.length - outcome.rejected.length, deadLettered: batch.deadLetters.length + outcome.rejected.length,
      maxEventAt, processedAt: this.now(),
    };
    const after = await this.bulk(`${what} (refused events, counters)`, [
      ...deadLetterOperations(outcome.rejected),
      { index: { _index: STATE_INDICES.batches, _id: batch.batchId } }, counters,
    ]);
    const failed = after.map(itemOf).find((item) => !stored(item.status));
    if (failed) throw unavailable(what, `${failed.status} ${failed.error?.type ?? ''}: ${failed.error?.reason ?? 'no reason given'}`);
    const created = (list: readonly BulkItem[]) => list.filter((item) => item.status === 201).length;
    return {
      written: outcome.written, duplicates: outcome.duplicates,
      deadLettered: created(items.slice(batch.events.length).map(itemOf)) + created(after.slice(0, outcome.rejected.length).map(itemOf)),
    };
  }

  /** Sends one `_bulk` (index names prefixed) and returns its items. */
  private async bulk(what: string, operations: BulkOperations): Promise<Record<string, BulkItem>[]> {
    const prefixed = operations.map((op, i) => (i % 2 === 0 ? this.prefixAction(op as estypes.BulkOperationContainer) : op));
    const response = await esCall(what, () => this.client.bulk({ operations: prefixed, ...(this.refresh === undefined ? {} : { refresh: this.refresh }) }));
    return response.items as Record<string, BulkItem>[];
  }

  private prefixAction(action: estypes.BulkOperationContainer): estypes.BulkOperationContainer {
    if (action.create) return { create: { ...action.create, _index: this.name(action.create._index ?? '') } };
    if (action.index) return { index: { ...action.index, _index: this.name(action.index._index ?? '') } };
    return action;
  }

  private name(index: string): string {
    return `${this.prefix}${index}`;
  }

  private indexed<R extends { index?: estypes.Indices }>(request: R): R {
    return { ...request, index: indexList(request.index).map((i) => this.name(i)) };
  }
}

/** The one item of a bulk response entry (`{ create: {...} }` or `{ index: {...} }`). */
function itemOf(entry: Record<string, BulkItem>): BulkItem {
  return entry.create ?? entry.index ?? Object.values(entry)[0];
}

/** Why a batch must be retried: the first item Elasticsearch may accept later, or a short answer. */
function retryReason(items: readonly Record<string, BulkItem>[], events: number, sent: number): string {
  const item = items.map(itemOf).find((it, i) => it.status === 429 || it.status >= 500 || (i >= events && !stored(it.status)));
  if (item) return `item ${item._id ?? '?'} answered ${item.status} ${item.error?.type ?? ''}: ${item.error?.reason ?? 'no reason given'}`;
  return `answered ${items.length} items for ${sent} operations`;
}
