import { createHash } from 'node:crypto';
import { errors as esErrors, type Client, type estypes } from '@elastic/elasticsearch';
import type { AppError } from '../../errors';
import type { Scope } from '../scope';
import { esCall, fromEsError } from './errors';
import { STATE_INDICES, stateIndexTemplates, type StateIndex } from './mappings';

/**
 * What the Elasticsearch adapters of the state ports (directory, rule state, incidents, users,
 * audit) share: index names under a prefix, creating their indices, scope filters, ids, paging
 * and status checks of client errors (their translation is errors.ts).
 *
 * Glossary:
 * - state index: one plain index per record kind (mappings.ts STATE_INDICES), named
 *   `<indexPrefix><name>`; a store creates its indices at init() with the mappings of mappings.ts,
 *   so it works with or without the index templates installed.
 * - refresh: what writes ask of Elasticsearch before answering. Reads by id (GET, mget) are
 *   real-time; searches see a write only after a refresh, so the default is `wait_for`.
 */

/** Options of every state store. */
export interface StateStoreOptions {
  /** Prepended to every index name (tests use a fresh one). @defaultValue '' */
  readonly indexPrefix?: string;
  /** The `refresh` of writes. @defaultValue 'wait_for' */
  readonly refresh?: boolean | 'wait_for';
}

export type Query = estypes.QueryDslQueryContainer;
export const MATCH_NONE: Query = { match_none: {} };

/** Index names and settings of one store. */
export class StateIndices {
  readonly refresh: boolean | 'wait_for';
  private readonly prefix: string;

  constructor(private readonly client: Client, options: StateStoreOptions) {
    this.prefix = options.indexPrefix ?? '';
    this.refresh = options.refresh ?? 'wait_for';
  }

  /** The index of a record kind. */
  name(kind: StateIndex): string {
    return `${this.prefix}${STATE_INDICES[kind]}`;
  }

  /**
   * Creates the indices of these kinds with their mappings, unless they exist. Settings (shards,
   * replicas) come from the index templates when installed, else from the cluster's defaults.
   */
  async ensure(kinds: readonly StateIndex[]): Promise<void> {
    const templates = stateIndexTemplates();
    for (const kind of kinds) {
      const mappings = templates.find((t) => t.name === STATE_INDICES[kind])?.template?.mappings;
      await call(`creating index ${this.name(kind)}`, async () => {
        try {
          await this.client.indices.create({ index: this.name(kind), mappings });
        } catch (err) {
          if (errorType(err) !== 'resource_already_exists_exception') throw err;
        }
      });
    }
  }
}

/** "In the subtree of one of the scope's codes" on the record's code and province fields, or null for all. */
export function scopeFilter(scope: Scope, codeField: string, provinceField: string): Query | null {
  if (scope.kind === 'all') return null;
  return subtreeFilter(scope.codes, codeField, provinceField);
}

/** codeField or provinceField in the codes (nothing for no codes). */
export function subtreeFilter(codes: readonly string[], codeField: string, provinceField: string): Query {
  if (codes.length === 0) return MATCH_NONE;
  return { bool: { should: [{ terms: { [codeField]: [...codes] } }, { terms: { [provinceField]: [...codes] } }], minimum_should_match: 1 } };
}

/** A bool filter of the clauses that are not null (match_all when none). */
export function allOf(clauses: readonly (Query | null | undefined)[]): Query {
  const filter = clauses.filter((c): c is Query => c != null);
  return filter.length === 0 ? { match_all: {} } : { bool: { filter } };
}

/** Longest `_id` Elasticsearch accepts, in bytes. */
const MAX_ID_BYTES = 512;

/** A document id for a key: the key itself when it fits in an `_id`, else a hash of it. */
export function docId(key: string): string {
  if (Buffer.byteLength(key, 'utf8') <= MAX_ID_BYTES && !key.startsWith('sha256:')) return key;
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** The HTTP status of a client error, or undefined for anything else. */
export function statusOf(err: unknown): number | undefined {
  return err instanceof esErrors.ResponseError ? err.statusCode : undefined;
}

/** The `error.type` of an Elasticsearch error response, or undefined. */
export function errorType(err: unknown): string | undefined {
  if (!(err instanceof esErrors.ResponseError)) return undefined;
  const body: unknown = err.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string'
    ? (error as { type: string }).type
    : undefined;
}

/** True for a 409 (a create of an existing id, or a stale if_seq_no/if_primary_term). */
export const isConflict = (err: unknown): boolean => statusOf(err) === 409;

/** Runs a request, translating what it throws (errors.ts). */
export const call = esCall;

/** The AppError of a client error (errors.ts). */
export const toAppError = (err: unknown, what: string): AppError => fromEsError(err, { what });

/** Most documents one search returns (index.max_result_window). */
export const MAX_SEARCH_SIZE = 10_000;

/**
 * Every document matching `query`, in `sort` order (whose last key must be unique), read with
 * search_after pages of `pageSize`.
 */
export async function searchAll<T>(
  client: Client, index: string, query: Query, sort: estypes.SortCombinations[], pageSize = 1000,
): Promise<T[]> {
  const out: T[] = [];
  let after: estypes.SortResults | undefined;
  for (;;) {
    const res = await client.search<T>({ index, query, sort, size: pageSize, search_after: after, track_total_hits: false });
    const hits = res.hits.hits;
    for (const h of hits) if (h._source !== undefined) out.push(h._source);
    if (hits.length < pageSize) return out;
    after = hits[hits.length - 1].sort;
  }
}

/** The _source of the search's hits, in order. */
export function sources<T>(res: estypes.SearchResponse<T>): T[] {
  return res.hits.hits.flatMap((h) => (h._source === undefined ? [] : [h._source]));
}

/** JSON text of an opaque value (mappings.ts stores them as unindexed text). */
export const toJson = (value: unknown): string => JSON.stringify(value ?? null);

/** The value of JSON text written by toJson. */
export const fromJson = <T>(text: unknown): T => (typeof text === 'string' ? (JSON.parse(text) as T) : (null as T));
