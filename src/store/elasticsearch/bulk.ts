import type { estypes } from '@elastic/elasticsearch';
import { checkBatch } from '../cursor';
import type { DeadLetter, EcsDocument, EventBatch } from '../event-store';
import { getField } from '../fields';
import { deadLetterIndexName, eventIndexName, isIndexableDataset } from './mappings';

/**
 * The `_bulk` body of one batch and the reading of its response. Events and dead letters are
 * `create` operations with `_id` = their id into the index their time names (mappings.ts), so a
 * batch written twice stores everything once: 409 on the second write counts as a duplicate.
 * An event Elasticsearch refuses for good (a mapping conflict, a malformed value) becomes a dead
 * letter, as a line the parser could not read does; nothing is dropped. Rejections that may pass on
 * retry (429, 5xx) make the whole batch retry instead (retrying is safe: writes are idempotent).
 */
export type BulkOperations = NonNullable<estypes.BulkRequest<EcsDocument | DeadLetter>['operations']>;

/** Longest reason kept on a dead letter of a refused event. */
const REASON_LIMIT = 300;

/** The dataset index of an event: its own event.dataset when it can name an index, else the batch's. */
function datasetOf(doc: EcsDocument, batch: EventBatch): string {
  const own = getField(doc, 'event.dataset');
  return typeof own === 'string' && isIndexableDataset(own) ? own : batch.dataset;
}

/**
 * The operations of a batch: one `create` per event, then one per dead letter. Throws kind `invalid`
 * (nothing to send) for a malformed batch, as every store does.
 */
export function batchOperations(batch: EventBatch): BulkOperations {
  const keys = checkBatch(batch);
  const ops: BulkOperations = [];
  batch.events.forEach((doc, i) => {
    ops.push({ create: { _index: eventIndexName(datasetOf(doc, batch), keys[i].at), _id: keys[i].id } }, doc);
  });
  ops.push(...deadLetterOperations(batch.deadLetters));
  return ops;
}

/** `create` operations of dead letters (also those made from refused events). */
export function deadLetterOperations(deadLetters: readonly DeadLetter[]): BulkOperations {
  return deadLetters.flatMap((d) => [{ create: { _index: deadLetterIndexName(d.receivedAt), _id: d.id } }, d]);
}

/** What a batch's bulk response says. */
export interface BulkOutcome {
  /** Events created now. */
  readonly written: number;
  /** Events already stored (409). */
  readonly duplicates: number;
  /** Dead letters of the batch stored now or before. */
  readonly deadLettered: number;
  /** Events refused for good, as dead letters to write (line 0: events carry no line number). */
  readonly rejected: readonly DeadLetter[];
  /** Some operation may pass if the batch is sent again (429, 5xx, or a refused dead letter). */
  readonly retry: boolean;
}

const transient = (status: number) => status === 429 || status >= 500;

function rejectedEvent(batch: EventBatch, doc: EcsDocument, id: string, error: estypes.ErrorCause | undefined): DeadLetter {
  const original = getField(doc, 'event.original');
  const why = `${error?.type ?? 'error'}: ${error?.reason ?? 'no reason given'}`;
  return {
    id: `${batch.batchId}:event:${id}`, sourceId: batch.sourceId, locality: batch.locality, province: batch.province,
    batchId: batch.batchId, line: 0, raw: typeof original === 'string' ? original : JSON.stringify(doc),
    reason: `refused by Elasticsearch: ${why}`.slice(0, REASON_LIMIT), receivedAt: batch.receivedAt,
  };
}

/** Reads the response of batchOperations(batch): items are in the order of the operations. */
export function readBulkResponse(batch: EventBatch, response: estypes.BulkResponse): BulkOutcome {
  const counts = { written: 0, duplicates: 0, deadLettered: 0 };
  const rejected: DeadLetter[] = [];
  let retry = response.items.length !== batch.events.length + batch.deadLetters.length;
  response.items.forEach((entry, i) => {
    const item = entry.create ?? entry.index;
    if (!item) return;
    const isEvent = i < batch.events.length;
    if (item.status === 201 || item.status === 200 || item.status === 409) {
      if (!isEvent) counts.deadLettered++;
      else if (item.status === 409) counts.duplicates++;
      else counts.written++;
    } else if (transient(item.status) || !isEvent) {
      retry = true;
    } else {
      rejected.push(rejectedEvent(batch, batch.events[i], item._id ?? String(i), item.error));
    }
  });
  return { ...counts, rejected, retry };
}
