import type { estypes } from '@elastic/elasticsearch';
import { errors } from '../../errors';
import { checkPageSize, cursorKey, encodeCursor, eventKey } from '../cursor';
import type { EcsDocument, EventQuery, SearchPage, SearchQuery } from '../event-store';
import type { Scope } from '../scope';
import { eventIndexPatterns } from './mappings';
import { eventQuery } from './query-dsl';

/**
 * Requests of search() and count(), and the reading of their responses. Listings are newest first by
 * (`@timestamp`, `event.id`) both descending, the port's key; a cursor's key becomes `search_after`.
 * One more hit than the page is asked for, so the last page has no next cursor (as in DuckDB).
 */

/** Newest first: `@timestamp` then `event.id`, both descending (the port's key order). */
export const NEWEST_FIRST: estypes.SortCombinations[] = [{ '@timestamp': { order: 'desc' } }, { 'event.id': { order: 'desc' } }];

/** Where event reads go: the datasets' daily indices; absent ones are no error. */
export function eventIndexOptions(datasets: readonly string[] | undefined): Pick<estypes.SearchRequest, 'index' | 'ignore_unavailable' | 'allow_no_indices'> {
  return { index: eventIndexPatterns(datasets), ignore_unavailable: true, allow_no_indices: true };
}

/** The request of search(): page size + 1 hits after the cursor's key. Throws kind `invalid`. */
export function searchRequest(query: SearchQuery, scope: Scope): estypes.SearchRequest {
  checkPageSize(query.size);
  const after = cursorKey(query.cursor);
  return {
    ...eventIndexOptions(query.datasets),
    query: eventQuery(query, scope),
    size: query.size + 1,
    sort: NEWEST_FIRST,
    track_total_hits: true,
    ...(after ? { search_after: [after.at, after.id] } : {}),
  };
}

/** The exact total of a response with `track_total_hits: true`. */
export function totalHits(response: Pick<estypes.SearchResponse, 'hits'>): number {
  const total = response.hits.total;
  if (total === undefined) throw errors.storeUnavailable(new Error('Elasticsearch answered without a hit total'));
  return typeof total === 'number' ? total : total.value;
}

/** The page of a searchRequest response: `size` events and the cursor of the last when more exist. */
export function readSearchPage(query: SearchQuery, response: estypes.SearchResponse<EcsDocument>): SearchPage {
  const hits = response.hits.hits;
  const events = hits.slice(0, query.size).map((hit) => {
    if (!hit._source) throw errors.storeUnavailable(new Error(`Elasticsearch answered hit ${hit._id ?? '?'} without its _source`));
    return hit._source;
  });
  const last = hits.length > query.size ? events[events.length - 1] : undefined;
  return { total: totalHits(response), events, nextCursor: last ? encodeCursor(eventKey(last)) : null };
}

/** The request of count(). */
export function countRequest(query: EventQuery, scope: Scope): estypes.CountRequest {
  return { ...eventIndexOptions(query.datasets), query: eventQuery(query, scope) };
}

/** The count of a countRequest response. */
export function readCount(response: estypes.CountResponse): number {
  return response.count;
}
