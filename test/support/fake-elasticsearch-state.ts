import type { Client } from '@elastic/elasticsearch';
import { fakeElasticsearch, type FakeAnswer, type FakeRequest } from '../../src/store/elasticsearch/fake-connection';

/**
 * An in-process stand-in for the few Elasticsearch APIs the state stores use (src/store/elasticsearch
 * directory/rule-state/incident/user/audit stores), behind a real Client: documents with seq_no and
 * primary_term, `create` (409 on an existing id), `if_seq_no`/`if_primary_term` (409 when stale),
 * get/exists/mget/delete/update, `_bulk` of create/delete, and searches with term, terms, range,
 * bool, match_all/none, sort, search_after, from/size, collapse and `_source` as a list of top-level
 * fields. Writes are visible at once (as if every write refreshed). It follows what Elasticsearch
 * documents, not how it is built: the real server is run by the contract suites when
 * ELASTICSEARCH_URL is set.
 */

type Doc = Record<string, unknown>;
interface Stored {
  readonly source: Doc;
  readonly seqNo: number;
}

export interface FakeStateCluster {
  readonly client: Client;
  /** Every request, in order. */
  readonly requests: FakeRequest[];
  /** Answers the next request matching `when` with `answer` instead (e.g. a 409 of a racing writer). */
  interject(when: (r: FakeRequest) => boolean, answer: FakeAnswer | ((r: FakeRequest) => FakeAnswer)): void;
  /** The stored source of a document, or undefined. */
  doc(index: string, id: string): Doc | undefined;
  /** Writes a document directly (another writer). */
  put(index: string, id: string, source: Doc): void;
}

const error = (status: number, type: string, reason = type): FakeAnswer => ({ status, body: { error: { type, reason }, status } });

export function fakeStateCluster(): FakeStateCluster {
  const indices = new Map<string, Map<string, Stored>>();
  let seq = 0;
  const interjections: { when: (r: FakeRequest) => boolean; answer: FakeAnswer | ((r: FakeRequest) => FakeAnswer) }[] = [];
  const docs = (index: string) => {
    let m = indices.get(index);
    if (!m) indices.set(index, (m = new Map()));
    return m;
  };

  function write(index: string, id: string, source: Doc, opts: { create?: boolean; ifSeqNo?: number }): FakeAnswer {
    const current = docs(index).get(id);
    if (opts.create && current) return error(409, 'version_conflict_engine_exception', `[${id}]: document already exists`);
    if (opts.ifSeqNo !== undefined && (!current || current.seqNo !== opts.ifSeqNo)) return error(409, 'version_conflict_engine_exception', `[${id}]: stale`);
    docs(index).set(id, { source: structuredClone(source), seqNo: ++seq });
    return { status: current ? 200 : 201, body: { _index: index, _id: id, _seq_no: seq, _primary_term: 1, result: current ? 'updated' : 'created' } };
  }

  function getDoc(index: string, id: string): FakeAnswer {
    const d = indices.get(index)?.get(id);
    return d
      ? { status: 200, body: { _index: index, _id: id, found: true, _source: structuredClone(d.source), _seq_no: d.seqNo, _primary_term: 1 } }
      : { status: 404, body: { _index: index, _id: id, found: false } };
  }

  function bulk(lines: Doc[]): FakeAnswer {
    const items: Doc[] = [];
    for (let i = 0; i < lines.length; i++) {
      const [op, meta] = Object.entries(lines[i])[0] as [string, { _index: string; _id: string }];
      if (op === 'delete') {
        const existed = docs(meta._index).delete(meta._id);
        items.push({ delete: { _index: meta._index, _id: meta._id, status: existed ? 200 : 404 } });
        continue;
      }
      const res = write(meta._index, meta._id, lines[++i], { create: op === 'create' });
      items.push({ [op]: { _index: meta._index, _id: meta._id, status: res.status, ...(res.status >= 300 ? { error: (res.body as Doc).error } : {}) } });
    }
    return { status: 200, body: { took: 1, errors: items.some((it) => Object.values(it).some((v) => (v as { status: number }).status >= 300)), items } };
  }

  function search(index: string, body: Doc): FakeAnswer {
    const query = (body.query ?? { match_all: {} }) as Doc;
    const sort = ((body.sort ?? []) as Doc[]).map((s) => Object.entries(s)[0] as [string, 'asc' | 'desc']);
    let hits = [...(indices.get(index)?.entries() ?? [])].filter(([, d]) => matches(d.source, query));
    hits.sort(([, a], [, b]) => compareBy(a.source, b.source, sort));
    const after = body.search_after as unknown[] | undefined;
    if (after) hits = hits.filter(([, d]) => compareKeys(sortKey(d.source, sort), after, sort) > 0);
    const collapse = (body.collapse as { field: string } | undefined)?.field;
    if (collapse) {
      const seen = new Set<unknown>();
      hits = hits.filter(([, d]) => !seen.has(d.source[collapse]) && seen.add(d.source[collapse]));
    }
    const from = (body.from as number | undefined) ?? 0;
    const page = hits.slice(from, from + ((body.size as number | undefined) ?? 10));
    return {
      status: 200,
      body: {
        took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
        hits: {
          hits: page.map(([id, d]) => ({
            _index: index, _id: id, _score: null, _source: sourceFilter(d.source, body._source), sort: sortKey(d.source, sort),
            ...(body.seq_no_primary_term ? { _seq_no: d.seqNo, _primary_term: 1 } : {}),
          })),
        },
      },
    };
  }

  function route(r: FakeRequest): FakeAnswer {
    const parts = r.path.split('/').filter(Boolean).map(decodeURIComponent);
    const body = (r.body ?? {}) as Doc;
    const [index, action, id] = parts;
    if (r.method === 'HEAD' && parts.length === 0) return { status: 200, body: {} };
    // A one-line ndjson body (a single delete) parses as one object.
    if (r.method === 'POST' && parts.length === 1 && index === '_bulk') return bulk((Array.isArray(r.body) ? r.body : [r.body]) as Doc[]);
    if (r.method === 'PUT' && parts.length === 1) {
      if (indices.has(index)) return error(400, 'resource_already_exists_exception', `index [${index}] already exists`);
      docs(index);
      return { status: 200, body: { acknowledged: true, shards_acknowledged: true, index } };
    }
    if (action === '_doc' && r.method === 'GET') return getDoc(index, id);
    if (action === '_doc' && r.method === 'HEAD') return { status: indices.get(index)?.has(id) ? 200 : 404, body: {} };
    if (action === '_doc' && (r.method === 'PUT' || r.method === 'POST')) {
      const ifSeqNo = r.params.if_seq_no === undefined ? undefined : Number(r.params.if_seq_no);
      return write(index, id ?? `auto-${seq + 1}`, body, { create: r.params.op_type === 'create', ifSeqNo });
    }
    if (action === '_doc' && r.method === 'DELETE') {
      const d = indices.get(index)?.get(id);
      if (!d) return { status: 404, body: { result: 'not_found' } };
      if (r.params.if_seq_no !== undefined && Number(r.params.if_seq_no) !== d.seqNo) return error(409, 'version_conflict_engine_exception');
      docs(index).delete(id);
      return { status: 200, body: { result: 'deleted' } };
    }
    if (action === '_update') {
      const d = indices.get(index)?.get(id);
      if (!d) return error(404, 'document_missing_exception', `[${id}]: document missing`);
      return write(index, id, { ...d.source, ...(body.doc as Doc) }, {});
    }
    if (action === '_mget') return { status: 200, body: { docs: (body.ids as string[]).map((i) => getDoc(index, i).body) } };
    if (action === '_search') return search(index, body);
    if (action === '_delete_by_query') {
      let deleted = 0;
      for (const [i, d] of [...(indices.get(index)?.entries() ?? [])]) if (matches(d.source, body.query as Doc)) deleted += Number(docs(index).delete(i));
      return { status: 200, body: { deleted } };
    }
    return error(400, 'fake_unsupported', `${r.method} ${r.path}`);
  }

  const es = fakeElasticsearch((r) => {
    const i = interjections.findIndex((x) => x.when(r));
    if (i >= 0) {
      const [{ answer }] = interjections.splice(i, 1);
      return typeof answer === 'function' ? answer(r) : answer;
    }
    return route(r);
  });
  return {
    client: es.client,
    requests: es.requests,
    interject: (when, answer) => interjections.push({ when, answer }),
    doc: (index, id) => indices.get(index)?.get(id)?.source,
    put: (index, id, source) => void write(index, id, source, {}),
  };
}

/** The `_source` of a hit: all of it, or only the listed top-level fields (`_source: [..]`). */
function sourceFilter(source: Doc, fields: unknown): Doc {
  if (!Array.isArray(fields)) return structuredClone(source);
  return Object.fromEntries(Object.entries(structuredClone(source)).filter(([k]) => fields.includes(k)));
}

function values(doc: Doc, field: string): unknown[] {
  const v = doc[field];
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

function matches(doc: Doc, query: Doc): boolean {
  const [kind, arg] = Object.entries(query)[0] as [string, Doc];
  switch (kind) {
    case 'match_all': return true;
    case 'match_none': return false;
    case 'term': {
      const [field, v] = Object.entries(arg)[0];
      const want = v !== null && typeof v === 'object' ? (v as { value: unknown }).value : v;
      return values(doc, field).includes(want);
    }
    case 'terms': {
      const [field, list] = Object.entries(arg)[0] as [string, unknown[]];
      return values(doc, field).some((x) => list.includes(x));
    }
    case 'range': {
      const [field, r] = Object.entries(arg)[0] as [string, { gte?: number; gt?: number; lt?: number; lte?: number }];
      return values(doc, field).some((x) => typeof x === 'number' && (r.gte === undefined || x >= r.gte) && (r.gt === undefined || x > r.gt) &&
        (r.lt === undefined || x < r.lt) && (r.lte === undefined || x <= r.lte));
    }
    case 'bool': {
      const all = (k: string) => ((arg[k] ?? []) as Doc[]);
      const should = all('should');
      return all('filter').every((q) => matches(doc, q)) && all('must').every((q) => matches(doc, q)) &&
        !all('must_not').some((q) => matches(doc, q)) &&
        (should.length === 0 || should.filter((q) => matches(doc, q)).length >= ((arg.minimum_should_match as number | undefined) ?? 1));
    }
    default: throw new Error(`fake Elasticsearch: unsupported query ${kind}`);
  }
}

function sortKey(doc: Doc, sort: [string, 'asc' | 'desc'][]): unknown[] {
  return sort.map(([field]) => doc[field] ?? null);
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return (a as number | string) < (b as number | string) ? -1 : 1;
}

function compareKeys(a: unknown[], b: unknown[], sort: [string, 'asc' | 'desc'][]): number {
  for (let i = 0; i < sort.length; i++) {
    const c = compareValues(a[i], b[i]) * (sort[i][1] === 'desc' ? -1 : 1);
    if (c !== 0) return c;
  }
  return 0;
}

function compareBy(a: Doc, b: Doc, sort: [string, 'asc' | 'desc'][]): number {
  return compareKeys(sortKey(a, sort), sortKey(b, sort), sort);
}
