import { AppError } from '../errors';
import { DEFAULT_TEXT_FIELD, FieldType, fieldDef, getField } from '../store/fields';
import type { FilterNode, Scalar } from './ast';

/**
 * The in-memory compiler (used by the memory store, `canh rules test` and the rule worker), and the
 * value semantics shared with compile-sql.ts. Both compilers must agree on every document, so every
 * coercion below (numbers, dates, IPs, wildcards) has a SQL twin built from the same regular
 * expressions; src/query/equivalence.test.ts checks them against DuckDB.
 */
export type Predicate = (doc: Record<string, unknown>) => boolean;
type ValueTest = (value: unknown) => boolean;

// RE2-compatible sources (no lookaround), anchored by the caller: DuckDB uses them unchanged.
/** A decimal number: optional sign, digits with optional fraction, optional exponent; no spaces. */
export const NUMBER_RE = '[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?';
/** ISO 8601 date or date-time; a missing offset means UTC. */
export const ISO_DATE_RE =
  '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:?[0-9]{2})?)?';
/** The part of ISO_DATE_RE that carries an explicit offset. */
export const ISO_OFFSET_RE = '.*[T ][0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})';
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** Dotted-quad IPv4 without leading zeros. */
export const IPV4_RE = `${OCTET}(\\.${OCTET}){3}`;
const H = '[0-9a-f]{1,4}';
/** Lower-case IPv6 in hex groups (`::` compression allowed; no embedded IPv4, no zone id). */
export const IPV6_RE = [
  `(${H}:){7}${H}`,
  `(${H}:){1,7}:`,
  `(${H}:){1,6}:${H}`,
  `(${H}:){1,5}(:${H}){1,2}`,
  `(${H}:){1,4}(:${H}){1,3}`,
  `(${H}:){1,3}(:${H}){1,4}`,
  `(${H}:){1,2}(:${H}){1,5}`,
  `${H}:(:${H}){1,6}`,
  `:((:${H}){1,7}|:)`,
].join('|');

const anchored = (source: string, flags = '') => new RegExp(`^(?:${source})$`, flags);
const NUMBER = anchored(NUMBER_RE);
const ISO_DATE = anchored(ISO_DATE_RE);
const IPV4 = anchored(IPV4_RE);
const IPV6 = anchored(IPV6_RE);

/** A string, number, bigint or boolean as text; anything else (objects, null) has no text form. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** A finite number, or a string that is a decimal number (see NUMBER_RE). */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && NUMBER.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Epoch ms of an ISO 8601 string (UTC when it has no offset), undefined when it is not one. */
export function isoToEpochMs(s: string): number | undefined {
  if (!ISO_DATE.test(s)) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h = 0, mi = 0, sec = 0] = m.slice(1, 7).map((x) => Number(x ?? 0));
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec) + Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const check = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || check.getUTCHours() !== h) return undefined;
  if (check.getUTCMinutes() !== mi || check.getUTCSeconds() !== sec) return undefined;
  const off = m[8] && m[8] !== 'Z' ? m[8].replace(':', '') : '';
  const offsetMin = off ? (off[0] === '-' ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(3, 5))) : 0;
  return ms - offsetMin * 60_000;
}

/** A date as stored in a document: an ISO 8601 string. */
export function docEpochMs(v: unknown): number | undefined {
  return typeof v === 'string' ? isoToEpochMs(v) : undefined;
}

/** A date bound in a filter: epoch ms (number or digits) or an ISO 8601 string. */
export function boundEpochMs(v: Scalar): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : undefined;
  if (typeof v === 'string' && /^-?\d{1,16}$/.test(v)) return Number(v);
  return typeof v === 'string' ? isoToEpochMs(v) : undefined;
}

/** The 32-bit value of a dotted-quad IPv4 address. */
export function ipv4ToInt(s: string): number | undefined {
  if (!IPV4.test(s)) return undefined;
  return s.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** An IPv6 address as 32 lower-case hex digits (so text order is numeric order). */
export function ipv6ToHex(s: string): string | undefined {
  const lower = s.toLowerCase();
  if (!IPV6.test(lower)) return undefined;
  const [left, right = ''] = lower.split('::');
  const groups = (part: string) => part.match(/[0-9a-f]+/g) ?? [];
  const l = groups(left);
  const r = lower.includes('::') ? groups(right) : [];
  const all = [...l, ...Array<string>(8 - l.length - r.length).fill('0'), ...r];
  return all.map((g) => g.padStart(4, '0')).join('');
}

/** The addresses a CIDR (or a single address) covers, as an inclusive range of comparable keys. */
export type CidrRange =
  | { readonly family: 4; readonly lo: number; readonly hi: number }
  | { readonly family: 6; readonly lo: string; readonly hi: string };

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address; undefined when it is not one. Host bits are ignored. */
export function parseCidr(text: string): CidrRange | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const v4 = ipv4ToInt(addr);
  if (v4 !== undefined) {
    const p = prefixText === undefined ? 32 : Number(prefixText);
    if (p > 32) return undefined;
    const size = 2 ** (32 - p);
    const lo = Math.floor(v4 / size) * size;
    return { family: 4, lo, hi: lo + size - 1 };
  }
  const v6 = ipv6ToHex(addr);
  if (v6 === undefined) return undefined;
  const p = prefixText === undefined ? 128 : Number(prefixText);
  if (p > 128) return undefined;
  const bits = BigInt(`0x${v6}`);
  const hostMask = (1n << BigInt(128 - p)) - 1n;
  const hex = (n: bigint) => n.toString(16).padStart(32, '0');
  return { family: 6, lo: hex(bits & ~hostMask), hi: hex((bits & ~hostMask) | hostMask) };
}

/** Whether an address (text) lies in the range; non-addresses never do. */
export function inCidr(range: CidrRange, v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const key = range.family === 4 ? ipv4ToInt(v) : ipv6ToHex(v);
  return key !== undefined && key >= range.lo && key <= range.hi;
}

/**
 * An AST node that cannot be compiled (from Sigma or code, not from text: parse.ts reports these with
 * a position). Same code as parse errors, without a position.
 */
export function invalidNode(field: string, problem: string): AppError {
  return new AppError('CANH_QUERY_INVALID', 'invalid', `${field}: ${problem}`, { field });
}

/** One unit of a wildcard pattern: `*`, `?`, or a literal character (`\x` escapes x). */
export type WildcardPart = { readonly kind: 'any' } | { readonly kind: 'one' } | { readonly kind: 'lit'; readonly ch: string };

export function wildcardParts(pattern: string): WildcardPart[] {
  const parts: WildcardPart[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '\\' && i + 1 < chars.length) parts.push({ kind: 'lit', ch: chars[++i] });
    else if (ch === '*') parts.push({ kind: 'any' });
    else if (ch === '?') parts.push({ kind: 'one' });
    else parts.push({ kind: 'lit', ch });
  }
  return parts;
}

/** Escapes LIKE metacharacters (`%`, `_`, `\`) for `LIKE ... ESCAPE '\'`. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = wildcardParts(pattern)
    .map((p) => (p.kind === 'any' ? '.*' : p.kind === 'one' ? '.' : p.ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'isu' : 'su');
}

/**
 * Checks a regular expression for the subset both engines share (RE2 in DuckDB, V8 here): no
 * lookaround, no backreferences. Throws CANH_QUERY_INVALID otherwise.
 */
export function checkRegex(field: string, pattern: string): RegExp {
  if (/\(\?<?[=!]|\\[1-9]|\\k</.test(pattern)) {
    throw invalidNode(field, 'regular expressions may not use lookaround or backreferences');
  }
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    throw invalidNode(field, `invalid regular expression: ${(err as Error).message}`);
  }
}

/** The text a wildcard or regex is matched against: dates as ISO 8601 UTC with milliseconds. */
export function matchText(type: FieldType, v: unknown): string | undefined {
  if (type !== 'date') return scalarText(v);
  const ms = docEpochMs(v);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** `term` by field type; on ip fields an address value compares as an address (`::1` = `0::1`). */
function termTest(type: FieldType, value: Scalar): ValueTest {
  switch (type) {
    case 'text': {
      const needle = String(value).toLowerCase();
      return (v) => scalarText(v)?.toLowerCase().includes(needle) ?? false;
    }
    case 'long':
    case 'double': {
      const n = toNumber(value);
      return n === undefined ? () => false : (v) => toNumber(v) === n;
    }
    case 'date': {
      const ms = boundEpochMs(value);
      return ms === undefined ? () => false : (v) => docEpochMs(v) === ms;
    }
    case 'ip': {
      const range = parseCidr(String(value));
      if (range && !String(value).includes('/')) return (v) => inCidr(range, v);
      break;
    }
    case 'boolean': {
      const s = String(value).toLowerCase();
      return (v) => scalarText(v)?.toLowerCase() === s;
    }
  }
  const s = String(value);
  return (v) => scalarText(v) === s;
}

type RangeNode = Extract<FilterNode, { type: 'range' }>;
const BOUNDS = ['gte', 'gt', 'lte', 'lt'] as const;
type Bound = (typeof BOUNDS)[number];

/** How a range compares: the key of document values and of each bound, by field type. */
export type RangeKind = 'number' | 'date' | 'ipv4' | 'ipv6' | 'text';
type Key = string | number | undefined;

export function rangeKeys(
  type: FieldType,
  node: RangeNode,
): { kind: RangeKind; key: (v: unknown) => Key; bounds: [Bound, Key][] } {
  const present = BOUNDS.filter((b) => node[b] !== undefined).map((b) => [b, node[b] as Scalar] as const);
  const keyed = (fn: (s: Scalar) => Key) => present.map(([b, s]) => [b, fn(s)] as [Bound, Key]);
  const onText = (fn: (s: string) => Key) => (v: unknown) => (typeof v === 'string' ? fn(v) : undefined);
  if (type === 'long' || type === 'double') return { kind: 'number', key: toNumber, bounds: keyed(toNumber) };
  if (type === 'date') return { kind: 'date', key: docEpochMs, bounds: keyed(boundEpochMs) };
  if (type === 'ip' && present.length > 0) {
    if (present.every(([, s]) => ipv4ToInt(String(s)) !== undefined)) {
      return { kind: 'ipv4', key: onText(ipv4ToInt), bounds: keyed((s) => ipv4ToInt(String(s))) };
    }
    if (present.every(([, s]) => ipv6ToHex(String(s)) !== undefined)) {
      return { kind: 'ipv6', key: onText(ipv6ToHex), bounds: keyed((s) => ipv6ToHex(String(s))) };
    }
  }
  return { kind: 'text', key: scalarText, bounds: keyed((s) => String(s)) };
}

function rangeTest(type: FieldType, node: RangeNode): ValueTest {
  const { key, bounds } = rangeKeys(type, node);
  if (bounds.some(([, b]) => b === undefined)) return () => false;
  return (v) => {
    const k = key(v);
    if (k === undefined) return false;
    return bounds.every(([op, b]) => {
      const bound = b as string | number;
      return op === 'gte' ? k >= bound : op === 'gt' ? k > bound : op === 'lte' ? k <= bound : k < bound;
    });
  };
}

function valueTest(node: FilterNode, type: FieldType): ValueTest {
  switch (node.type) {
    case 'term':
      return termTest(type, node.value);
    case 'terms': {
      const tests = node.values.map((value) => termTest(type, value));
      return (v) => tests.some((t) => t(v));
    }
    case 'wildcard': {
      const re = wildcardRegExp(node.pattern, node.caseInsensitive === true || type === 'text');
      return (v) => {
        const text = matchText(type, v);
        return text !== undefined && re.test(text);
      };
    }
    case 'regex': {
      const re = checkRegex(node.field, node.pattern);
      return (v) => {
        const text = matchText(type, v);
        return text !== undefined && re.test(text);
      };
    }
    case 'range':
      return rangeTest(type, node);
    case 'cidr': {
      const range = parseCidr(node.cidr);
      if (!range) throw invalidNode(node.field, `"${node.cidr}" is not an IP address or CIDR block`);
      return (v) => inCidr(range, v);
    }
    default:
      throw new Error(`not a field node: ${node.type}`);
  }
}

/** Any element of a list matches; a missing or null field matches nothing. */
function onField(field: string, test: ValueTest): Predicate {
  return (doc) => {
    const v = getField(doc, field);
    if (v === undefined || v === null) return false;
    if (Array.isArray(v)) return v.some((e) => e !== undefined && e !== null && test(e));
    return test(v);
  };
}

function present(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  return !Array.isArray(v) || v.some((e) => e !== undefined && e !== null);
}

/** Compiles a filter to a function over nested ECS documents (see ast.ts for the semantics). */
export function toPredicate(node: FilterNode): Predicate {
  switch (node.type) {
    case 'match_all':
      return () => true;
    case 'and': {
      const children = node.children.map(toPredicate);
      return (doc) => children.every((c) => c(doc));
    }
    case 'or': {
      const children = node.children.map(toPredicate);
      return (doc) => children.some((c) => c(doc));
    }
    case 'not': {
      const child = toPredicate(node.child);
      return (doc) => !child(doc);
    }
    case 'text':
      return onField(DEFAULT_TEXT_FIELD, termTest('text', node.value));
    case 'exists':
      return (doc) => present(getField(doc, node.field));
    default:
      return onField(node.field, valueTest(node, fieldDef(node.field).type));
  }
}
