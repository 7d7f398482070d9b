import type { estypes } from '@elastic/elasticsearch';
import { NUMBER_RE } from '../../query/predicate';
import { bucketStarts, checkAggregate } from '../cursor';
import type { AggregateQuery, HistogramBucket, HistogramQuery, Metric } from '../event-store';
import { FIELDS, fieldDef } from '../fields';
import type { Scope } from '../scope';
import { TEXT_SUBFIELD } from './mappings';
import { eventQuery } from './query-dsl';
import { NEWEST_FIRST, eventIndexOptions } from './search-dsl';

/**
 * Aggregation requests of aggregate() and histogram(). Glossary of the names in a request:
 * - `groups`: the composite aggregation over the group-by fields (sources g0..gN, missing values in
 *   a null bucket, ascending keys), paged with `after` (aggregation-read.ts pages and orders it).
 * - `m<i>`: metric i of the query (none for count: the bucket's doc_count is the count);
 *   `m<i>_n`: the number of values under a sum (a sum over no value is null, as in SQL).
 * - `samples`: top_hits with the newest `samples` event ids.
 * - `canh_num.<field>`: a runtime double for a metric over a keyword field: its value when it is a
 *   decimal number (NUMBER_RE), as the DuckDB store reads JSON text.
 * Without group-by there is no bucket aggregation: the metrics sit at the top and the count is the
 * exact hit total.
 */
export type SearchBody = estypes.MsearchMultisearchBody;
type Aggs = Record<string, estypes.AggregationsAggregationContainer>;

/** Composite buckets per page (Elasticsearch's search.max_buckets defaults to 65,536). */
export const COMPOSITE_PAGE_SIZE = 1000;
/** Distinct counts are exact up to about this many values (the most Elasticsearch allows). */
export const CARDINALITY_PRECISION = 40_000;

/** The field a group value or a distinct count reads: the stored text for ip and non-column numbers, as DuckDB. */
export function groupField(field: string): string {
  const type = fieldDef(field).type;
  const column = FIELDS[field]?.column !== undefined;
  if (type === 'ip' || type === 'boolean' || ((type === 'long' || type === 'double') && !column)) return `${field}.${TEXT_SUBFIELD}`;
  return field;
}

/** Name of the runtime field that reads `field` as a number. */
export const numberFieldName = (field: string): string => `canh_num.${field}`;

// doc values of a keyword are sorted and unique: one value is the only case DuckDB reads as a number.
const NUMBER_SCRIPT =
  `if (doc.containsKey(params.field) && doc[params.field].size() == 1) { String s = doc[params.field][0]; ` +
  `if (s ==~ /${NUMBER_RE}/) { emit(Double.parseDouble(s)); } }`;

/** The field a numeric metric reads: numeric and date fields as they are, others as runtime numbers. */
function numericInput(field: string, runtime: estypes.MappingRuntimeFields): string {
  const type = fieldDef(field).type;
  if (type === 'long' || type === 'double' || type === 'date') return field;
  const name = numberFieldName(field);
  runtime[name] = { type: 'double', script: { source: NUMBER_SCRIPT, params: { field } } };
  return name;
}

/** The aggregations of one query's metrics and samples, inside a bucket or at the top. */
export function metricAggs(q: AggregateQuery, runtime: estypes.MappingRuntimeFields): Aggs {
  const aggs: Aggs = {};
  q.metrics.forEach((m: Metric, i) => {
    const name = `m${i}`;
    switch (m.op) {
      case 'count':
        return;
      case 'cardinality':
        aggs[name] = { cardinality: { field: groupField(m.field), precision_threshold: CARDINALITY_PRECISION } };
        return;
      case 'p95':
        aggs[name] = {
          percentiles: { field: numericInput(m.field, runtime), percents: [95], keyed: false, tdigest: { execution_hint: 'high_accuracy' } },
        };
        return;
      case 'sum': {
        const field = numericInput(m.field, runtime);
        aggs[name] = { sum: { field } };
        aggs[`${name}_n`] = { value_count: { field } };
        return;
      }
      default:
        aggs[name] = { [m.op]: { field: numericInput(m.field, runtime) } };
    }
  });
  if (q.samples !== undefined) {
    aggs.samples = { top_hits: { size: q.samples, sort: NEWEST_FIRST, _source: false, docvalue_fields: ['event.id'] } };
  }
  return aggs;
}

/** The composite aggregation over the group-by fields, after `after` when paging. */
export function compositeAgg(groupBy: readonly string[], after?: estypes.AggregationsCompositeAggregateKey): estypes.AggregationsCompositeAggregation {
  return {
    size: COMPOSITE_PAGE_SIZE,
    sources: groupBy.map((f, i) => ({ [`g${i}`]: { terms: { field: groupField(f), missing_bucket: true, missing_order: 'last', order: 'asc' } } })),
    ...(after ? { after } : {}),
  };
}

const withAggs = (container: estypes.AggregationsAggregationContainer, aggs: Aggs): estypes.AggregationsAggregationContainer =>
  Object.keys(aggs).length === 0 ? container : { ...container, aggs };

/** The body of one aggregate query (one composite page when grouped). Throws kind `invalid`. */
export function aggregateBody(q: AggregateQuery, scope: Scope, after?: estypes.AggregationsCompositeAggregateKey): SearchBody {
  checkAggregate(q);
  const runtime: estypes.MappingRuntimeFields = {};
  const inner = metricAggs(q, runtime);
  const body: SearchBody = { size: 0, query: eventQuery(q, scope) };
  if (q.groupBy.length === 0) {
    body.track_total_hits = true;
    if (Object.keys(inner).length > 0) body.aggs = inner;
  } else {
    body.track_total_hits = false;
    body.aggs = { groups: withAggs({ composite: compositeAgg(q.groupBy, after) }, inner) };
  }
  if (Object.keys(runtime).length > 0) body.runtime_mappings = runtime;
  return body;
}

/** The search request of aggregateBody: the body on the query's event indices. */
export function aggregateRequest(q: AggregateQuery, scope: Scope, after?: estypes.AggregationsCompositeAggregateKey): estypes.SearchRequest {
  return { ...eventIndexOptions(q.datasets), ...aggregateBody(q, scope, after) };
}

/**
 * The request of histogram(): fixed buckets of intervalMs aligned on the epoch (as bucketStarts),
 * empty ones included through extended_bounds. Throws kind `invalid` for a bad interval or range.
 */
export function histogramRequest(q: HistogramQuery, scope: Scope): estypes.SearchRequest {
  const starts = bucketStarts(q, q.intervalMs);
  const histogram: estypes.AggregationsDateHistogramAggregation = { field: '@timestamp', fixed_interval: `${q.intervalMs}ms`, min_doc_count: 0 };
  if (starts.length > 0) histogram.extended_bounds = { min: starts[0], max: starts[starts.length - 1] };
  return {
    ...eventIndexOptions(q.datasets),
    size: 0,
    track_total_hits: false,
    query: eventQuery(q, scope),
    aggs: { histogram: { date_histogram: histogram } },
  };
}

/** The buckets of a histogramRequest response: every bucket of [from, to), zero where Elasticsearch has none. */
export function readHistogram(q: HistogramQuery, response: estypes.SearchResponse): HistogramBucket[] {
  const counts = new Map<number, number>();
  const agg = response.aggregations?.histogram as estypes.AggregationsDateHistogramAggregate | undefined;
  const buckets = agg?.buckets ?? [];
  for (const b of Array.isArray(buckets) ? buckets : Object.values(buckets)) counts.set(Number(b.key), b.doc_count);
  return bucketStarts(q, q.intervalMs).map((start) => ({ start, count: counts.get(start) ?? 0 }));
}
