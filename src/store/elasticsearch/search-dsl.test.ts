import type { estypes } from '@elastic/elasticsearch';
import { MATCH_ALL } from '../../query/ast';
import { encodeCursor } from '../cursor';
import type { EcsDocument, SearchQuery } from '../event-store';
import { ALL_SCOPE, localityScope } from '../scope';
import { countRequest, readCount, readSearchPage, searchRequest } from './search-dsl';

const FROM = Date.UTC(2026, 0, 1);
const TO = FROM + 86_400_000;
const query: SearchQuery = { from: FROM, to: TO, filter: MATCH_ALL, size: 2 };
const SORT = [{ '@timestamp': { order: 'desc' } }, { 'event.id': { order: 'desc' } }];
const TIME = { range: { '@timestamp': { gte: FROM, lt: TO, format: 'epoch_millis' } } };

const doc = (at: number, id: string): EcsDocument => ({ '@timestamp': new Date(at).toISOString(), event: { id, dataset: 'web.access' }, organization: { id: '79' } });
function response(docs: EcsDocument[], total: number): estypes.SearchResponse<EcsDocument> {
  return {
    took: 4, timed_out: false, _shards: { total: 3, successful: 3, skipped: 1, failed: 0 },
    hits: {
      total: { value: total, relation: 'eq' }, max_score: null,
      hits: docs.map((d) => {
        const id = (d.event as { id: string }).id;
        return { _index: 'canh-events-web.access-2026.01.01', _id: id, _score: null, _source: d, sort: [Date.parse(String(d['@timestamp'])), id] };
      }),
    },
  };
}

describe('searchRequest', () => {
  it('newest first by (@timestamp, event.id), one more hit than the page, exact total', () => {
    expect(searchRequest(query, ALL_SCOPE)).toEqual({
      index: ['canh-events-*'], ignore_unavailable: true, allow_no_indices: true,
      query: { bool: { filter: [TIME] } }, size: 3, sort: SORT, track_total_hits: true,
    });
  });

  it("a cursor's key becomes search_after; datasets pick their indices", () => {
    const cursor = encodeCursor({ at: FROM + 5000, id: 'e42' });
    const req = searchRequest({ ...query, cursor, datasets: ['web.access', 'otp.auth'] }, localityScope(['01']));
    expect(req.search_after).toEqual([FROM + 5000, 'e42']);
    expect(req.index).toEqual(['canh-events-otp.auth-*', 'canh-events-web.access-*']);
  });

  it('a dataset that cannot name an index reads every event index and its filter matches nothing there', () => {
    const req = searchRequest({ ...query, datasets: ['Web Access'] }, ALL_SCOPE);
    expect(req.index).toEqual(['canh-events-*']);
    expect(req.query).toEqual({ bool: { filter: [TIME, { terms: { 'event.dataset': ['Web Access'] } }] } });
  });

  it('refuses a bad page size and a bad cursor', () => {
    expect(() => searchRequest({ ...query, size: 0 }, ALL_SCOPE)).toThrow(/Page size/);
    expect(() => searchRequest({ ...query, cursor: 'not a cursor' }, ALL_SCOPE)).toThrow(/cursor is not valid/);
  });
});

describe('readSearchPage', () => {
  it('returns the page and the cursor of its last event when one more came back', () => {
    const docs = [doc(FROM + 3000, 'c'), doc(FROM + 2000, 'b'), doc(FROM + 1000, 'a')];
    const page = readSearchPage(query, response(docs, 7));
    expect(page).toEqual({ total: 7, events: docs.slice(0, 2), nextCursor: encodeCursor({ at: FROM + 2000, id: 'b' }) });
  });

  it('the last page has no cursor', () => {
    expect(readSearchPage(query, response([doc(FROM, 'a')], 1))).toEqual({ total: 1, events: [doc(FROM, 'a')], nextCursor: null });
  });

  it('a hit without _source is the store being unavailable', () => {
    const res = response([doc(FROM, 'a')], 1);
    delete (res.hits.hits[0] as { _source?: unknown })._source;
    expect(() => readSearchPage(query, res)).toThrow(expect.objectContaining({ kind: 'unavailable' }));
  });
});

describe('count', () => {
  it('the _count request and its answer', () => {
    expect(countRequest({ from: FROM, to: TO, filter: MATCH_ALL, datasets: ['otp.auth'] }, ALL_SCOPE)).toEqual({
      index: ['canh-events-otp.auth-*'], ignore_unavailable: true, allow_no_indices: true,
      query: { bool: { filter: [TIME, { terms: { 'event.dataset': ['otp.auth'] } }] } },
    });
    expect(readCount({ count: 42, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } })).toBe(42);
  });
});
