import { DEFAULT_TEXT_FIELD, FIELDS, FieldType, fieldDef } from '../store/fields';
import type { FilterNode, Scalar } from './ast';
import {
  IPV4_RE,
  IPV6_RE,
  ISO_DATE_RE,
  ISO_OFFSET_RE,
  NUMBER_RE,
  boundEpochMs,
  checkRegex,
  escapeLike,
  invalidNode,
  parseCidr,
  rangeKeys,
  toNumber,
  wildcardParts,
} from './predicate';

/**
 * Compiles a filter AST to a DuckDB boolean expression. Values never enter the SQL text: they are
 * `?` placeholders bound positionally from `params`. Every leaf is wrapped in COALESCE(..., FALSE),
 * so a missing field is plain false and `NOT` means "does not match" (no SQL NULL logic leaks out).
 */
export interface SqlFragment {
  readonly sql: string;
  readonly params: unknown[];
}

/** Where a field lives in the events table, as the store sees it. */
export interface ColumnRef {
  /**
   * SQL expression of the field. Types expected: long/double numeric (or text), date a TIMESTAMP
   * holding UTC, everything else VARCHAR. With `fromJson`, always VARCHAR text.
   */
  readonly expr: string;
  readonly type: FieldType;
  /**
   * The expression is `json_extract_string(...)` of a JSON column: scalars arrive as text, and an
   * ECS list arrives as JSON array text whose elements then match one by one.
   * @defaultValue true when `expr` starts with `json_extract_string(`
   */
  readonly fromJson?: boolean;
}

/** Provided by the store: maps a field name (already validated by the parser) to its column. */
export type ColumnResolver = (field: string) => ColumnRef;

const FIELD_NAME = /^[A-Za-z_@][A-Za-z0-9_.@-]*$/;

/** `json_extract_string(<column>, '$."a"."b"')` for a dotted field name; rejects unsafe names. */
export function jsonFieldExpr(column: string, field: string): string {
  if (!FIELD_NAME.test(field)) throw invalidNode(field, 'is not a valid field name');
  const path = field.split('.').map((part) => `"${part}"`).join('.');
  return `json_extract_string(${column}, '$.${path}')`;
}

/**
 * A resolver from the field catalog: catalog fields with a column use it, every other field is read
 * from the JSON column `jsonColumn`.
 */
export function catalogResolver(jsonColumn: string): ColumnResolver {
  return (field) => {
    const def = fieldDef(field);
    const column = FIELDS[field]?.column;
    if (column) return { expr: column, type: def.type };
    return { expr: jsonFieldExpr(jsonColumn, field), type: def.type, fromJson: true };
  };
}

type Cond = (x: string, textual: boolean) => SqlFragment | null;

const frag = (sql: string, ...params: unknown[]): SqlFragment => ({ sql, params });
const TRUE = frag('TRUE');
const FALSE = frag('FALSE');

function cat(...parts: (string | SqlFragment)[]): SqlFragment {
  let sql = '';
  const params: unknown[] = [];
  for (const p of parts) {
    if (typeof p === 'string') sql += p;
    else {
      sql += p.sql;
      params.push(...p.params);
    }
  }
  return { sql, params };
}

function joinFrags(frags: SqlFragment[], op: string): SqlFragment {
  const parts: (string | SqlFragment)[] = ['('];
  frags.forEach((f, i) => parts.push(i === 0 ? '' : ` ${op} `, f));
  parts.push(')');
  return cat(...parts);
}

/** Compilation state: fresh lambda variable names, so nested list lambdas never shadow each other. */
class Ctx {
  private n = 0;
  constructor(readonly resolve: ColumnResolver) {}
  v(): string {
    return `canh_v${++this.n}`;
  }
}

const lit = (re: string) => `'${re.replace(/'/g, "''")}'`;

function num(x: string, textual: boolean): string {
  return textual ? `(CASE WHEN regexp_full_match(${x}, ${lit(NUMBER_RE)}) THEN TRY_CAST(${x} AS DOUBLE) END)` : `TRY_CAST(${x} AS DOUBLE)`;
}

function dateMs(x: string, textual: boolean): string {
  if (!textual) return `epoch_ms(${x})`;
  return (
    `(CASE WHEN NOT regexp_full_match(${x}, ${lit(ISO_DATE_RE)}) THEN NULL ` +
    `WHEN regexp_full_match(${x}, ${lit(ISO_OFFSET_RE)}) THEN epoch_ms(TRY_CAST(${x} AS TIMESTAMPTZ)) ` +
    `ELSE epoch_ms(TRY_CAST(${x} AS TIMESTAMP)) END)`
  );
}

function ipv4Int(x: string): string {
  const octet = (i: number, shift: number) => `(CAST(split_part(${x}, '.', ${i}) AS BIGINT) << ${shift})`;
  return `(CASE WHEN regexp_full_match(${x}, ${lit(IPV4_RE)}) THEN ${octet(1, 24)} + ${octet(2, 16)} + ${octet(3, 8)} + ${octet(4, 0)} END)`;
}

/** IPv6 text → 32 hex digits (NULL if not IPv6): the groups left and right of `::`, zeros between. */
function ipv6Hex(ctx: Ctx, x: string): string {
  const [s, z, g] = [ctx.v(), ctx.v(), ctx.v()];
  const left = `regexp_extract_all(split_part(${s}, '::', 1), '[0-9a-f]+')`;
  const right = `regexp_extract_all(split_part(${s}, '::', 2), '[0-9a-f]+')`;
  const zeros = `list_transform(range(8 - len(${left}) - len(${right})), ${z} -> '0')`;
  const groups = `list_concat(${left}, ${zeros}, ${right})`;
  const hex = `array_to_string(list_transform(${groups}, ${g} -> lpad(${g}, 4, '0')), '')`;
  return `list_transform([lower(CAST(${x} AS VARCHAR))], ${s} -> CASE WHEN regexp_full_match(${s}, ${lit(IPV6_RE)}) THEN ${hex} END)[1]`;
}

/** The text wildcards and regexes see: dates as ISO 8601 UTC with milliseconds. */
function matchText(x: string, type: FieldType, textual: boolean): string {
  if (type === 'date') return `strftime(epoch_ms(${dateMs(x, textual)}), '%Y-%m-%dT%H:%M:%S.%gZ')`;
  return `CAST(${x} AS VARCHAR)`;
}

function cidrCond(ctx: Ctx, x: string, cidr: string): SqlFragment {
  const range = parseCidr(cidr);
  if (!range) throw invalidNode('cidr', `"${cidr}" is not an IP address or CIDR block`);
  if (range.family === 4) return frag(`${ipv4Int(x)} BETWEEN CAST(? AS BIGINT) AND CAST(? AS BIGINT)`, range.lo, range.hi);
  return frag(`${ipv6Hex(ctx, x)} BETWEEN ? AND ?`, range.lo, range.hi);
}

function termCond(ctx: Ctx, type: FieldType, value: Scalar): Cond {
  switch (type) {
    case 'text':
      return (x) => frag(`CAST(${x} AS VARCHAR) ILIKE ? ESCAPE '\\'`, `%${escapeLike(String(value))}%`);
    case 'long':
    case 'double': {
      const n = toNumber(value);
      return (x, t) => (n === undefined ? null : frag(`${num(x, t)} = CAST(? AS DOUBLE)`, n));
    }
    case 'date': {
      const ms = boundEpochMs(value);
      return (x, t) => (ms === undefined ? null : frag(`${dateMs(x, t)} = CAST(? AS BIGINT)`, ms));
    }
    case 'ip':
      if (parseCidr(String(value)) && !String(value).includes('/')) return (x) => cidrCond(ctx, x, String(value));
      break;
    case 'boolean':
      return (x) => frag(`lower(CAST(${x} AS VARCHAR)) = ?`, String(value).toLowerCase());
  }
  return (x) => frag(`CAST(${x} AS VARCHAR) = ?`, String(value));
}

function termsCond(ctx: Ctx, type: FieldType, values: readonly Scalar[]): Cond {
  if (type === 'keyword') {
    const ps = values.map(String);
    return (x) => (ps.length === 0 ? null : frag(`CAST(${x} AS VARCHAR) IN (${ps.map(() => '?').join(', ')})`, ...ps));
  }
  const conds = values.map((v) => termCond(ctx, type, v));
  return (x, t) => {
    const frags = conds.map((c) => c(x, t)).filter((f): f is SqlFragment => f !== null);
    return frags.length === 0 ? null : joinFrags(frags, 'OR');
  };
}

const OPS = { gte: '>=', gt: '>', lte: '<=', lt: '<' } as const;
const RANGE_CAST = { number: 'DOUBLE', date: 'BIGINT', ipv4: 'BIGINT', ipv6: 'VARCHAR', text: 'VARCHAR' } as const;

function rangeCond(ctx: Ctx, type: FieldType, node: Extract<FilterNode, { type: 'range' }>): Cond {
  const { kind, bounds } = rangeKeys(type, node);
  if (bounds.some(([, b]) => b === undefined)) return () => null;
  return (x, t) => {
    const key = {
      number: () => num(x, t),
      date: () => dateMs(x, t),
      ipv4: () => ipv4Int(x),
      ipv6: () => ipv6Hex(ctx, x),
      text: () => `CAST(${x} AS VARCHAR)`,
    }[kind]();
    if (bounds.length === 0) return frag(`${key} IS NOT NULL`);
    // One key evaluation per bound is fine: DuckDB folds the common subexpression.
    const parts = bounds.map(([op, b]) => frag(`${key} ${OPS[op]} CAST(? AS ${RANGE_CAST[kind]})`, b));
    return joinFrags(parts, 'AND');
  };
}

function likePattern(pattern: string): string {
  return wildcardParts(pattern)
    .map((p) => (p.kind === 'any' ? '%' : p.kind === 'one' ? '_' : escapeLike(p.ch)))
    .join('');
}

function leafCond(ctx: Ctx, node: FilterNode, type: FieldType): Cond {
  switch (node.type) {
    case 'term':
      return termCond(ctx, type, node.value);
    case 'terms':
      return termsCond(ctx, type, node.values);
    case 'wildcard': {
      const op = node.caseInsensitive === true || type === 'text' ? 'ILIKE' : 'LIKE';
      const pattern = likePattern(node.pattern);
      return (x, t) => frag(`${matchText(x, type, t)} ${op} ? ESCAPE '\\'`, pattern);
    }
    case 'regex':
      checkRegex(node.field, node.pattern);
      return (x, t) => frag(`regexp_full_match(${matchText(x, type, t)}, ?)`, node.pattern);
    case 'range':
      return rangeCond(ctx, type, node);
    case 'cidr':
      if (!parseCidr(node.cidr)) throw invalidNode(node.field, `"${node.cidr}" is not an IP address or CIDR block`);
      return (x) => cidrCond(ctx, x, node.cidr);
    case 'exists':
      return (x) => frag(`${x} IS NOT NULL`);
    default:
      throw new Error(`not a field node: ${node.type}`);
  }
}

/** A field condition; a JSON list matches when any element does; never NULL. */
function leaf(ctx: Ctx, ref: ColumnRef, cond: Cond): SqlFragment {
  const e = `(${ref.expr})`;
  const fromJson = ref.fromJson ?? /^\s*json_extract_string\s*\(/i.test(ref.expr);
  const scalar = cond(e, fromJson);
  if (!scalar) return FALSE;
  if (!fromJson) return cat('COALESCE(', scalar, ', FALSE)');
  const v = ctx.v();
  const element = cond(v, true) as SqlFragment;
  return cat(
    `COALESCE(CASE WHEN starts_with(${e}, '[') AND json_valid(${e}) THEN list_bool_or(list_transform(json_extract_string(${e}, '$[*]'), ${v} -> `,
    element,
    ')) ELSE ',
    scalar,
    ' END, FALSE)',
  );
}

function compile(ctx: Ctx, node: FilterNode): SqlFragment {
  switch (node.type) {
    case 'match_all':
      return TRUE;
    case 'and':
      return node.children.length === 0 ? TRUE : joinFrags(node.children.map((c) => compile(ctx, c)), 'AND');
    case 'or':
      return node.children.length === 0 ? FALSE : joinFrags(node.children.map((c) => compile(ctx, c)), 'OR');
    case 'not':
      return cat('(NOT ', compile(ctx, node.child), ')');
    case 'text':
      return leaf(ctx, ctx.resolve(DEFAULT_TEXT_FIELD), termCond(ctx, 'text', node.value));
    default: {
      const ref = ctx.resolve(node.field);
      return leaf(ctx, ref, leafCond(ctx, node, ref.type));
    }
  }
}

/** Compiles a filter to a DuckDB boolean expression with positional `?` params (see ast.ts). */
export function compileSql(node: FilterNode, resolve: ColumnResolver): SqlFragment {
  return compile(new Ctx(resolve), node);
}
