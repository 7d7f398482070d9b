import type { BulkItem } from './bulk-parse';

/**
 * The `_bulk` answer in Elasticsearch 8's shape, key for key in the order Elasticsearch 8 writes it
 * (`errors` before `took` since 8.x made the response chunked), so shippers that read it as bytes
 * (Vector looks for `"errors":true`, Fluent Bit for `"errors":false,"items":[` in a cut-off body)
 * see what they expect. Serialize with `JSON.stringify`, which keeps insertion order and is compact.
 *
 * "Created" here means durably queued: the ingest worker parses and stores the events afterwards;
 * lines it cannot parse become dead letters, never silent losses.
 */

export interface EsShards {
  readonly total: number;
  readonly successful: number;
  readonly failed: number;
}

export interface EsItemSuccess {
  readonly _index: string;
  readonly _id: string;
  readonly _version: number;
  readonly result: 'created';
  readonly _shards: EsShards;
  readonly _seq_no: number;
  readonly _primary_term: number;
  readonly status: 201;
}

export interface EsItemError {
  readonly _index: string;
  readonly _id: string | null;
  readonly status: number;
  readonly error: { readonly type: string; readonly reason: string };
}

/** One response item: `{ "<action>": {...} }`. */
export type EsBulkItem = Partial<Record<BulkItem['action'], EsItemSuccess | EsItemError>>;

export interface EsBulkResponse {
  readonly errors: boolean;
  readonly took: number;
  readonly items: EsBulkItem[];
}

export interface BulkResponseOptions {
  /** Milliseconds the request took, as Elasticsearch reports it. */
  readonly took: number;
  /** The `_id` of an item the shipper gave none (Elasticsearch generates 20-character base64url ids). */
  readonly newId: () => string;
  /** `_index` reported when neither the action nor the URL path named one. */
  readonly fallbackIndex: string;
}

const SHARDS: EsShards = { total: 1, successful: 1, failed: 0 };

/** The reason of the per-item error for `update` and `delete`. */
export function unsupportedReason(action: 'update' | 'delete'): string {
  return `Canh accepts only [index] and [create] bulk actions: log events are immutable, [${action}] is not supported`;
}

/** Builds the response for every parsed item, in request order, once the documents are queued. */
export function buildBulkResponse(items: readonly BulkItem[], options: BulkResponseOptions): EsBulkResponse {
  let seqNo = 0;
  let failed = false;
  const out = items.map((item): EsBulkItem => {
    const index = item.index ?? options.fallbackIndex;
    if (item.kind === 'unsupported') {
      failed = true;
      const error: EsItemError = {
        _index: index,
        _id: item.id ?? null,
        status: 400,
        error: { type: 'illegal_argument_exception', reason: unsupportedReason(item.action) },
      };
      return { [item.action]: error };
    }
    const success: EsItemSuccess = {
      _index: index,
      _id: item.id ?? options.newId(),
      _version: 1,
      result: 'created',
      _shards: SHARDS,
      _seq_no: seqNo++,
      _primary_term: 1,
      status: 201,
    };
    return { [item.action]: success };
  });
  return { errors: failed, took: options.took, items: out };
}
