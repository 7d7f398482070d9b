import type { estypes } from '@elastic/elasticsearch';
import type { FilterNode, Scalar } from '../../query/ast';
import { boundEpochMs, checkRegex, invalidNode, parseCidr, rangeKeys, toNumber, wildcardParts } from '../../query/predicate';
import { checkTimeRange } from '../cursor';
import type { EventQuery } from '../event-store';
import { DEFAULT_TEXT_FIELD, fieldDef, type FieldType } from '../fields';
import type { Scope } from '../scope';
import { TEXT_SUBFIELD } from './mappings';

/**
 * Compiles the filter AST (src/query/ast.ts) to Elasticsearch query DSL with the meaning
 * compile-sql.ts gives it in DuckDB. Elasticsearch's bool logic is two-valued and a query on a
 * missing field never matches, so `not` is plain `must_not` (a missing field matches `NOT f:x`), as
 * DuckDB's COALESCE(..., FALSE) makes it. Field types come from the same catalog (fields.ts); the
 * index mappings (mappings.ts) store text-type fields as `wildcard` and give ip and numeric fields a
 * `.keyword` subfield with their source text, which wildcards, regexes and text ranges use.
 * Known differences are pinned in query-dsl.test.ts and listed in docs/adr/0007.
 */
type Query = estypes.QueryDslQueryContainer;

export const MATCH_NONE: Query = { match_none: {} };
const MATCH_ALL_QUERY: Query = { match_all: {} };

/** The field a wildcard, regex or text range reads: the text the DuckDB store would compare. */
export function textFieldOf(field: string, type: FieldType): string {
  if (type === 'date') throw invalidNode(field, 'wildcards and regular expressions on date fields are not supported by the Elasticsearch store; use a range');
  return type === 'keyword' || type === 'text' ? field : `${field}.${TEXT_SUBFIELD}`;
}

/** A wildcard pattern of the filter language in Elasticsearch syntax (same metacharacters, canonical escapes). */
export function esWildcard(pattern: string): string {
  return wildcardParts(pattern)
    .map((p) => (p.kind === 'any' ? '*' : p.kind === 'one' ? '?' : /[*?\\]/.test(p.ch) ? `\\${p.ch}` : p.ch))
    .join('');
}

/** `*value*` with every character literal: "contains". */
function containsPattern(value: string): string {
  return `*${Array.from(value).map((ch) => (/[*?\\]/.test(ch) ? `\\${ch}` : ch)).join('')}*`;
}

const LUCENE_OPERATORS = new Set(['"', '@', '&', '~', '<', '>', '#']);
const ESCAPED_CONTROL: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' };

/**
 * A regular expression of the filter language (the RE2/JavaScript subset, whole-value match) in
 * Lucene syntax: `(?:` becomes `(`, lazy quantifiers become greedy (same whole-value matches), a
 * leading `^` and trailing `$` are dropped (Lucene always anchors), Lucene's own operator characters
 * are escaped, `\n`/`\t`... become the characters. Throws CANH_QUERY_INVALID for what Lucene cannot
 * express: other `(?` groups, `\b`, inner anchors, hex and unicode escapes.
 */
export function luceneRegex(field: string, pattern: string): string {
  checkRegex(field, pattern);
  const chars = Array.from(pattern);
  const unsupported = (what: string) => invalidNode(field, `regular expressions with ${what} are not supported by the Elasticsearch store`);
  let out = '';
  let inClass = false;
  let afterQuantifier = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    const quantified = afterQuantifier;
    afterQuantifier = false;
    if (ch === '\\' && i + 1 < chars.length) {
      const next = chars[++i];
      if (ESCAPED_CONTROL[next]) out += ESCAPED_CONTROL[next];
      else if (/[bBxucpPk0]/.test(next)) throw unsupported(`\\${next}`);
      else out += `\\${next}`;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += LUCENE_OPERATORS.has(ch) ? `\\${ch}` : ch;
      continue;
    }
    if (ch === '?' && quantified) continue; // lazy: same whole-value matches as greedy
    if (ch === '[') inClass = true;
    else if (ch === '^' && i === 0) continue;
    else if (ch === '$' && i === chars.length - 1) continue;
    else if (ch === '^' || ch === '$') throw unsupported(`"${ch}" inside the pattern`);
    else if (ch === '(' && chars[i + 1] === '?') {
      if (chars[i + 2] !== ':') throw unsupported('"(?" groups other than "(?:"');
      out += '(';
      i += 2;
      continue;
    } else if (ch === '*' || ch === '+' || ch === '?' || ch === '}') afterQuantifier = true;
    out += LUCENE_OPERATORS.has(ch) ? `\\${ch}` : ch;
  }
  return out;
}

const or = (queries: Query[]): Query =>
  queries.length === 0 ? MATCH_NONE : queries.length === 1 ? queries[0] : { bool: { should: queries, minimum_should_match: 1 } };

function termQuery(field: string, type: FieldType, value: Scalar): Query {
  switch (type) {
    case 'text':
      return { wildcard: { [field]: { value: containsPattern(String(value)), case_insensitive: true } } };
    case 'long':
    case 'double': {
      const n = toNumber(value);
      // A long never equals a fraction, and Elasticsearch refuses a long it cannot represent.
      if (n === undefined || (type === 'long' && !Number.isSafeInteger(n))) return MATCH_NONE;
      return { term: { [field]: n } };
    }
    case 'date': {
      const ms = boundEpochMs(value);
      return ms === undefined ? MATCH_NONE : { range: { [field]: { gte: ms, lte: ms, format: 'epoch_millis' } } };
    }
    case 'ip': {
      const text = String(value);
      // An address compares as an address (`2001:DB8::1` = `2001:db8::1`); anything else as the stored text.
      if (parseCidr(text) && !text.includes('/')) return { term: { [field]: text } };
      return { term: { [`${field}.${TEXT_SUBFIELD}`]: text } };
    }
    case 'boolean':
      return { term: { [`${field}.${TEXT_SUBFIELD}`]: { value: String(value), case_insensitive: true } } };
    case 'keyword':
      return { term: { [field]: String(value) } };
  }
}

function termsQuery(field: string, type: FieldType, values: readonly Scalar[]): Query {
  if (type === 'keyword') return values.length === 0 ? MATCH_NONE : { terms: { [field]: values.map(String) } };
  return or(values.map((v) => termQuery(field, type, v)).filter((q) => q !== MATCH_NONE));
}

/** IPv4 addresses as Elasticsearch stores them (IPv4-mapped IPv6): excluded from IPv6 ranges, as in DuckDB. */
const IPV4_MAPPED = '::ffff:0:0/96';

/** A bound of a long field within what Elasticsearch parses (larger longs are beyond double precision anyway). */
function numberBound(type: FieldType, n: number): number {
  return type === 'long' ? Math.min(Math.max(n, -Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER) : n;
}

function rangeQuery(node: Extract<FilterNode, { type: 'range' }>, type: FieldType): Query {
  const { kind, bounds } = rangeKeys(type, node);
  if (bounds.some(([, b]) => b === undefined)) return MATCH_NONE;
  const field = kind === 'text' ? textFieldOf(node.field, type) : node.field;
  if (bounds.length === 0) return { exists: { field } };
  const range: estypes.QueryDslUntypedRangeQuery = {};
  for (const [op] of bounds) {
    const raw = node[op] as Scalar;
    range[op] = kind === 'number' ? numberBound(type, toNumber(raw) as number) : kind === 'date' ? boundEpochMs(raw) : String(raw);
  }
  if (kind === 'date') range.format = 'epoch_millis';
  const query: Query = { range: { [field]: range } };
  if (kind === 'ipv6') return { bool: { filter: [query], must_not: [{ term: { [field]: IPV4_MAPPED } }] } };
  return query;
}

function cidrQuery(field: string, type: FieldType, cidr: string): Query {
  if (!parseCidr(cidr)) throw invalidNode(field, `"${cidr}" is not an IP address or CIDR block`);
  if (type !== 'ip') throw invalidNode(field, 'CIDR blocks need an ip field in the Elasticsearch store');
  return { term: { [field]: cidr } };
}

function leafQuery(node: Exclude<FilterNode, { type: 'match_all' | 'and' | 'or' | 'not' | 'text' }>): Query {
  const type = fieldDef(node.field).type;
  switch (node.type) {
    case 'term':
      return termQuery(node.field, type, node.value);
    case 'terms':
      return termsQuery(node.field, type, node.values);
    case 'wildcard': {
      const caseInsensitive = node.caseInsensitive === true || type === 'text';
      const wildcard: estypes.QueryDslWildcardQuery = { value: esWildcard(node.pattern) };
      if (caseInsensitive) wildcard.case_insensitive = true;
      return { wildcard: { [textFieldOf(node.field, type)]: wildcard } };
    }
    case 'regex':
      return { regexp: { [textFieldOf(node.field, type)]: { value: luceneRegex(node.field, node.pattern), flags: 'NONE' } } };
    case 'range':
      return rangeQuery(node, type);
    case 'exists':
      return { exists: { field: node.field } };
    case 'cidr':
      return cidrQuery(node.field, type, node.cidr);
  }
}

/** Compiles a filter AST to a query (see ast.ts for the semantics). Throws CANH_QUERY_INVALID. */
export function compileQuery(node: FilterNode): Query {
  switch (node.type) {
    case 'match_all':
      return MATCH_ALL_QUERY;
    case 'and':
      return node.children.length === 0 ? MATCH_ALL_QUERY : { bool: { filter: node.children.map(compileQuery) } };
    case 'or':
      return node.children.length === 0 ? MATCH_NONE : { bool: { should: node.children.map(compileQuery), minimum_should_match: 1 } };
    case 'not':
      return { bool: { must_not: [compileQuery(node.child)] } };
    case 'text':
      return termQuery(DEFAULT_TEXT_FIELD, 'text', node.value);
    default:
      return leafQuery(node);
  }
}

/** "In the subtree of one of these codes": organization.id or canh.province in the codes. */
export function subtreeQuery(codes: readonly string[]): Query {
  if (codes.length === 0) return MATCH_NONE;
  return { bool: { should: [{ terms: { 'organization.id': [...codes] } }, { terms: { 'canh.province': [...codes] } }], minimum_should_match: 1 } };
}

/** The scope's restriction, or null for everything. */
export function scopeQuery(scope: Scope): Query | null {
  return scope.kind === 'all' ? null : subtreeQuery(scope.codes);
}

/** `@timestamp` in [from, to). */
export function timeRangeQuery(from: number, to: number): Query {
  return { range: { '@timestamp': { gte: from, lt: to, format: 'epoch_millis' } } };
}

/**
 * The query of an event read: time range [from, to), datasets, localities (subtrees), the caller's
 * scope and the filter, all as non-scoring filters. Throws kind `invalid` for a bad time range and
 * CANH_QUERY_INVALID for a filter it cannot compile.
 */
export function eventQuery(query: EventQuery, scope: Scope, extra: readonly Query[] = []): Query {
  checkTimeRange(query);
  const filter: Query[] = [timeRangeQuery(query.from, query.to)];
  if (query.datasets && query.datasets.length > 0) filter.push({ terms: { 'event.dataset': [...query.datasets] } });
  if (query.localities && query.localities.length > 0) filter.push(subtreeQuery(query.localities));
  const scoped = scopeQuery(scope);
  if (scoped) filter.push(scoped);
  if (query.filter.type !== 'match_all') filter.push(compileQuery(query.filter));
  filter.push(...extra);
  return { bool: { filter } };
}
