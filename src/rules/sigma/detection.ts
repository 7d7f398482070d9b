import type { FilterNode } from '../../query/ast';
import { parseCidr } from '../../query/predicate';
import { DEFAULT_TEXT_FIELD, fieldDef } from '../../store/fields';
import { expandPattern, type ConditionNode } from './condition';
import { SIGMA_FIELD_MAP, mapSigmaField } from './fields';

/**
 * A Sigma rule's detection (selections, modifiers, keywords, the condition) as a Canh filter AST.
 * Pure; what cannot be expressed throws Refusal with the reason (docs/sigma.md).
 */

/** The rule cannot be converted faithfully: the reason is shown to the user. */
export class Refusal extends Error {}

export type Json = unknown;
export type Obj = Record<string, Json>;
export const isObj = (v: Json): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const SUPPORTED_MODIFIERS = ['contains', 'startswith', 'endswith', 'all', 're', 'cidr', 'exists', 'lt', 'lte', 'gt', 'gte', 'cased'] as const;
type Modifier = (typeof SUPPORTED_MODIFIERS)[number];
const RANGE_MODIFIERS = ['lt', 'lte', 'gt', 'gte'] as const;

/** A Sigma string value as a Canh wildcard pattern (Sigma: `*` `?` wildcards, `\*` `\?` `\\` literal). */
function sigmaPattern(value: string): { pattern: string; wildcard: boolean } {
  let pattern = '';
  let wildcard = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const next = value[i + 1];
    if (ch === '\\' && next !== undefined && '*?\\'.includes(next)) {
      pattern += `\\${next}`;
      i++;
    } else if (ch === '*' || ch === '?') {
      pattern += ch;
      wildcard = true;
    } else pattern += ch === '\\' ? '\\\\' : ch;
  }
  return { pattern, wildcard };
}

/** The literal text of a Sigma value without wildcards. */
function sigmaLiteral(value: string): string {
  return value.replace(/\\([*?\\])/g, '$1');
}

/** `**` → `*` (unescaped stars only): the same match, a shorter filter. */
function collapseStars(pattern: string): string {
  let out = '';
  let star = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' && star) continue;
    star = ch === '*';
    out += ch === '\\' ? ch + (pattern[++i] ?? '') : ch;
  }
  return out;
}

const hasCase = (s: string) => s.toLowerCase() !== s.toUpperCase();

export function combine(kind: 'and' | 'or', nodes: FilterNode[]): FilterNode {
  const flat = nodes.flatMap((n) => (n.type === kind ? n.children : [n]));
  return flat.length === 1 ? flat[0] : { type: kind, children: flat };
}

function valueText(v: Json, where: string): string | number | null {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') throw new Refusal(`${where}: boolean values are not supported`);
  throw new Refusal(`${where}: nested values are not supported`);
}

/** One `field|modifiers: value(s)` entry of a selection. */
function fieldNode(key: string, raw: Json): FilterNode {
  const [sigmaField, ...modList] = key.split('|');
  if (sigmaField === '') throw new Refusal(`keyword modifiers ("${key}") are not supported`);
  const field = mapSigmaField(sigmaField);
  if (!field) {
    throw new Refusal(`field ${sigmaField} has no ECS mapping (known: ${Object.keys(SIGMA_FIELD_MAP).join(', ')})`);
  }
  const mods = new Set<Modifier>();
  for (const m of modList.map((x) => x.toLowerCase())) {
    if (!(SUPPORTED_MODIFIERS as readonly string[]).includes(m)) throw new Refusal(`modifier ${m} (on ${sigmaField}) is not supported`);
    mods.add(m as Modifier);
  }
  const type = fieldDef(field).type;
  const numeric = type === 'long' || type === 'double';
  const shape = ['contains', 'startswith', 'endswith'].filter((m) => mods.has(m as Modifier));
  const ranges = RANGE_MODIFIERS.filter((m) => mods.has(m));
  // At most one way of comparing: a string shape, a regex, a block, existence or one number bound.
  const ways = [shape.length > 0, mods.has('re'), mods.has('cidr'), mods.has('exists'), ranges.length > 0].filter(Boolean).length;
  if (shape.length > 1 || ways > 1 || ranges.length > 1) {
    throw new Refusal(`the modifiers of ${key} cannot be combined`);
  }
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) throw new Refusal(`${key}: empty list of values`);
  const join = (nodes: FilterNode[]) => combine(mods.has('all') ? 'and' : 'or', nodes);

  if (mods.has('exists')) {
    if (values.length !== 1 || typeof values[0] !== 'boolean') throw new Refusal(`${key}: exists expects true or false`);
    const node: FilterNode = { type: 'exists', field };
    return values[0] ? node : { type: 'not', child: node };
  }
  const range = RANGE_MODIFIERS.find((m) => mods.has(m));
  if (range) {
    if (!numeric) throw new Refusal(`${key}: ${range} applies to number fields only (${field} is ${type})`);
    return join(values.map((v) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
      if (n === undefined) throw new Refusal(`${key}: ${range} expects a number, got ${JSON.stringify(v)}`);
      return { type: 'range', field, [range]: n } as FilterNode;
    }));
  }
  if (mods.has('cidr')) {
    if (type !== 'ip') throw new Refusal(`${key}: cidr applies to address fields only (${field} is ${type})`);
    return join(values.map((v) => {
      if (typeof v !== 'string' || !parseCidr(v)) throw new Refusal(`${key}: not a CIDR block: ${JSON.stringify(v)}`);
      return { type: 'cidr', field, cidr: v } as FilterNode;
    }));
  }
  if (mods.has('re')) {
    return join(values.map((v) => {
      if (typeof v !== 'string') throw new Refusal(`${key}: re expects a string`);
      // Sigma regexes search; Canh regex nodes match the whole value.
      let body = v;
      let head = '.*';
      let tail = '.*';
      if (body.startsWith('^')) [body, head] = [body.slice(1), ''];
      if (/(^|[^\\])\$$/.test(body)) [body, tail] = [body.slice(0, -1), ''];
      const pattern = `${head}(?:${body})${tail}`;
      return { type: 'regex', field, pattern } as FilterNode;
    }));
  }
  const cased = mods.has('cased');
  return join(values.map((rawValue): FilterNode => {
    const v = valueText(rawValue, key);
    if (v === null) {
      if (mods.size > 0) throw new Refusal(`${key}: null cannot be combined with modifiers`);
      return { type: 'not', child: { type: 'exists', field } };
    }
    if (numeric) {
      const n = typeof v === 'number' ? v : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
      if (n === undefined || shape.length > 0) {
        throw new Refusal(`${key}: ${field} is a number field: only plain numbers (and lt/lte/gt/gte) apply, got ${JSON.stringify(rawValue)}`);
      }
      return { type: 'term', field, value: n };
    }
    const text = String(v);
    if (text === '') throw new Refusal(`${key}: an empty value cannot be expressed in the filter language`);
    let { pattern, wildcard } = sigmaPattern(text);
    if (type === 'ip' && !wildcard && shape.length === 0) {
      const literal = sigmaLiteral(text);
      if (!parseCidr(literal) || literal.includes('/')) throw new Refusal(`${key}: not an IP address: ${JSON.stringify(text)}`);
      return { type: 'term', field, value: literal };
    }
    if (mods.has('contains')) pattern = `*${pattern}*`;
    else if (mods.has('startswith')) pattern = `${pattern}*`;
    else if (mods.has('endswith')) pattern = `*${pattern}`;
    return { type: 'wildcard', field, pattern: collapseStars(pattern), caseInsensitive: !cased };
  }));
}

/** A keyword (a bare value at selection level): event.original contains it, ignoring case. */
function keywordNode(v: Json, name: string): FilterNode {
  const value = valueText(v, `selection ${name}`);
  if (value === null || String(value) === '') throw new Refusal(`selection ${name}: empty or null keywords are not supported`);
  const { pattern, wildcard } = sigmaPattern(String(value));
  if (!wildcard) return { type: 'text', value: sigmaLiteral(String(value)) };
  return { type: 'wildcard', field: DEFAULT_TEXT_FIELD, pattern: collapseStars(`*${pattern}*`), caseInsensitive: true };
}

function mapNode(obj: Obj, name: string): FilterNode {
  const entries = Object.entries(obj);
  if (entries.length === 0) throw new Refusal(`selection ${name} is empty`);
  return combine('and', entries.map(([k, v]) => {
    if (Array.isArray(v) && v.some((x) => isObj(x) || Array.isArray(x))) throw new Refusal(`${k}: nested values are not supported`);
    if (isObj(v)) throw new Refusal(`${k}: nested values are not supported`);
    return fieldNode(k, v);
  }));
}

function selectionNode(value: Json, name: string): FilterNode {
  if (isObj(value)) return mapNode(value, name);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new Refusal(`selection ${name} is empty`);
    return combine('or', value.map((item) => (isObj(item) ? mapNode(item, name) : keywordNode(item, name))));
  }
  return keywordNode(value, name);
}

export function conditionFilter(cond: ConditionNode, selections: Obj, cache: Map<string, FilterNode>): FilterNode {
  const names = Object.keys(selections);
  const get = (name: string): FilterNode => {
    if (!(name in selections)) throw new Refusal(`condition names ${name}, which is not a selection of the detection`);
    let node = cache.get(name);
    if (!node) {
      node = selectionNode(selections[name], name);
      cache.set(name, node);
    }
    return node;
  };
  switch (cond.type) {
    case 'ref':
      return get(cond.name);
    case 'and':
    case 'or':
      return combine(cond.type, cond.children.map((c) => conditionFilter(c, selections, cache)));
    case 'not':
      return { type: 'not', child: conditionFilter(cond.child, selections, cache) };
    case 'of': {
      const matched = expandPattern(cond.pattern, names);
      if (matched.length === 0) throw new Refusal(`"${cond.pattern}" matches no selection`);
      return combine(cond.quantifier === 'all' ? 'and' : 'or', matched.map(get));
    }
  }
}

/** Case-insensitive wildcards on keyword fields → exact when caseless, else variants or a refusal. */
export function resolveCase(node: FilterNode, strict: boolean, notes: Set<string>): FilterNode {
  switch (node.type) {
    case 'and':
    case 'or':
      return combine(node.type, node.children.map((c) => resolveCase(c, strict, notes)));
    case 'not':
      return { type: 'not', child: resolveCase(node.child, strict, notes) };
    case 'wildcard': {
      if (node.caseInsensitive !== true || fieldDef(node.field).type === 'text') return node;
      const plain = { type: 'wildcard', field: node.field, pattern: node.pattern } as const;
      if (!hasCase(node.pattern)) return plain;
      if (strict) throw new Refusal(`${node.field} would have to match "${node.pattern}" ignoring case, which the filter language cannot express`);
      notes.add(node.field);
      const variants = [...new Set([node.pattern, node.pattern.toLowerCase(), node.pattern.toUpperCase()])];
      return combine('or', variants.map((pattern) => ({ ...plain, pattern })));
    }
    default:
      return node;
  }
}

// ── rules ────────────────────────────────────────────────────────────────────────────────────────
