/**
 * Elasticsearch's `filter_path` response filtering, the part shippers use: Filebeat and Logstash
 * send `filter_path=errors,items.*.error,items.*.status` on every `_bulk`. A filter is a
 * comma-separated list of dotted paths; a segment is a field name, `*` (any one field, or a glob such
 * as `_s*`) or `**` (any depth). Arrays are transparent. Objects left empty are dropped, field order is
 * kept. Exclusions (`-path`) are not supported: a filter holding one is ignored. Pure.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The value with only the fields the filter names, or the value itself when there is no filter. */
export function applyFilterPath(value: unknown, filter: string | undefined): unknown {
  if (filter === undefined || filter.trim() === '') return value;
  const paths = filter.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (paths.length === 0 || paths.some((p) => p.startsWith('-'))) return value;
  const patterns = paths.map((p) => p.split('.').map(toMatcher));
  const filtered = filterValue(value as Json, patterns);
  return filtered === undefined ? {} : filtered;
}

type Matcher = ((field: string) => boolean) & { readonly anyDepth?: boolean };

function toMatcher(segment: string): Matcher {
  if (segment === '**') return Object.assign(() => true, { anyDepth: true });
  if (!segment.includes('*')) return (field: string) => field === segment;
  const re = new RegExp(`^${segment.split('*').map(escapeRegExp).join('.*')}$`);
  return (field: string) => re.test(field);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Keeps what matches any of the (remaining) patterns; undefined when nothing does. */
function filterValue(value: Json, patterns: Matcher[][]): Json | undefined {
  if (Array.isArray(value)) {
    const kept = value.map((v) => filterValue(v, patterns)).filter((v): v is Json => v !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const out: { [key: string]: Json } = {};
  for (const [field, child] of Object.entries(value)) {
    const next = advance(patterns, field);
    if (next.done) out[field] = child;
    else if (next.rest.length > 0) {
      const kept = filterValue(child, next.rest);
      if (kept !== undefined) out[field] = kept;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** After descending into `field`: whether some pattern is fully matched, and the patterns still open. */
function advance(patterns: Matcher[][], field: string): { done: boolean; rest: Matcher[][] } {
  const rest: Matcher[][] = [];
  let done = false;
  for (const pattern of patterns) {
    const [head, ...tail] = pattern;
    if (head.anyDepth) {
      rest.push(pattern);
      if (tail.length === 0) done = true;
      else if (tail[0](field)) {
        if (tail.length === 1) done = true;
        else rest.push(tail.slice(1));
      }
      continue;
    }
    if (!head(field)) continue;
    if (tail.length === 0) done = true;
    else rest.push(tail);
  }
  return { done, rest };
}
