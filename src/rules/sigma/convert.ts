import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments, stringify } from 'yaml';
import type { FilterNode } from '../../query/ast';
import { parseFilter } from '../../query/parse';
import { parseCidr } from '../../query/predicate';
import { DEFAULT_TEXT_FIELD, fieldDef } from '../../store/fields';
import { yamlFilesUnder } from '../load-rules';
import type { RsitCategory, Severity } from '../rule';
import { ConditionError, ConditionNode, expandPattern, parseCondition } from './condition';
import { SIGMA_FIELD_MAP, mapSigmaField } from './fields';
import { UnprintableFilter, printFilter } from './print-filter';

/**
 * Sigma → Canh rules (docs/sigma.md). Pure except convertSigmaPaths (reads files). A Sigma rule is
 * converted only when its meaning can be expressed; otherwise it is refused with the reason, as the
 * Sigma specification asks of converters.
 */

export interface ConvertedRule {
  readonly id: string;
  readonly title: string;
  readonly file: string;
  /** Where the Canh rule is less exact than the Sigma rule (see `strictCase`). */
  readonly notes: readonly string[];
}
export interface RefusedRule {
  readonly file: string;
  readonly title: string;
  readonly reason: string;
}
/** A document that is not valid YAML or not a Sigma rule at all. */
export interface FailedFile {
  readonly file: string;
  readonly reason: string;
}
export interface SigmaConversion {
  /** Canh rule YAML (a list of rules), loadable by loadRuleText. */
  readonly rules: string;
  readonly converted: ConvertedRule[];
  readonly refused: RefusedRule[];
  readonly failed: FailedFile[];
}
export interface SigmaOptions {
  /**
   * Sigma compares strings ignoring case; Canh's filter language has no case-insensitive match on
   * keyword fields. false (default): such a value is matched as written, in lower case and in upper
   * case (a note says so). true: the rule is refused instead.
   */
  readonly strictCase?: boolean;
}

class Refusal extends Error {}
class NotSigma extends Error {}

type Json = unknown;
type Obj = Record<string, Json>;
const isObj = (v: Json): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const SUPPORTED_MODIFIERS = ['contains', 'startswith', 'endswith', 'all', 're', 'cidr', 'exists', 'lt', 'lte', 'gt', 'gte', 'cased'] as const;
type Modifier = (typeof SUPPORTED_MODIFIERS)[number];
const RANGE_MODIFIERS = ['lt', 'lte', 'gt', 'gte'] as const;
const PRODUCTS = ['apache', 'nginx'];

/** Severity from Sigma's level; a missing level is medium. */
export const LEVEL_SEVERITY: Readonly<Record<string, Severity>> = {
  informational: 'low', low: 'low', medium: 'medium', high: 'high', critical: 'critical',
};

/** The RSIT class of a Sigma rule from its ATT&CK tags (docs/sigma.md). */
export function categoryFromTags(tags: readonly string[]): RsitCategory {
  const t = tags.map((x) => x.toLowerCase());
  if (t.some((x) => x === 'attack.initial-access' || x === 'attack.t1190')) return 'intrusion-attempts';
  if (t.some((x) => x === 'attack.reconnaissance' || x === 'attack.discovery')) return 'information-gathering';
  return 'intrusion-attempts';
}

// ── values ───────────────────────────────────────────────────────────────────────────────────────
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

function combine(kind: 'and' | 'or', nodes: FilterNode[]): FilterNode {
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

function conditionFilter(cond: ConditionNode, selections: Obj, cache: Map<string, FilterNode>): FilterNode {
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
function resolveCase(node: FilterNode, strict: boolean, notes: Set<string>): FilterNode {
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
interface Item {
  readonly file: string;
  readonly sigmaId: string;
  readonly baseId: string;
  readonly notes: string[];
  readonly rule: Record<string, unknown>;
}

function slug(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

function strList(v: Json): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function checkLogsource(logsource: Json): void {
  if (!isObj(logsource)) throw new NotSigma('not a Sigma rule: no logsource');
  const category = typeof logsource.category === 'string' ? logsource.category.toLowerCase() : undefined;
  if (category !== 'webserver') throw new Refusal(`logsource category ${category ?? '(none)'} is not supported: only webserver`);
  const product = logsource.product;
  if (product !== undefined && (typeof product !== 'string' || !PRODUCTS.includes(product.toLowerCase()))) {
    throw new Refusal(`logsource product ${String(product)} is not supported: only ${PRODUCTS.join(', ')} (or none) with category webserver`);
  }
  const service = logsource.service;
  if (service !== undefined && String(service).toLowerCase() !== 'access') {
    throw new Refusal(`logsource service ${String(service)} is not supported: only access logs`);
  }
}

function convertRule(doc: Obj, file: string, options: SigmaOptions): Item {
  if (typeof doc.title !== 'string' || doc.title.trim() === '') throw new NotSigma('not a Sigma rule: no title');
  if (!isObj(doc.detection)) throw new NotSigma('not a Sigma rule: no detection');
  if (doc.status === 'deprecated' || doc.status === 'unsupported') throw new Refusal(`status ${doc.status}: the rule is not meant to be used`);
  checkLogsource(doc.logsource);
  const { condition, timeframe, ...selections } = doc.detection;
  if (timeframe !== undefined) throw new Refusal('detection.timeframe (aggregation over time) is not supported');
  const conditions = strList(condition);
  if (conditions.length === 0) throw new NotSigma('not a Sigma rule: detection has no condition');
  const cache = new Map<string, FilterNode>();
  let filter: FilterNode;
  try {
    filter = combine('or', conditions.map((c) => conditionFilter(parseCondition(c), selections, cache)));
  } catch (err) {
    if (err instanceof ConditionError) throw new Refusal(err.message);
    throw err;
  }
  const notes = new Set<string>();
  filter = resolveCase(filter, options.strictCase === true, notes);
  let filterText: string;
  try {
    filterText = printFilter(filter);
  } catch (err) {
    if (err instanceof UnprintableFilter) throw new Refusal(err.message);
    throw err;
  }
  try {
    // A safety net: the printed filter must load (length and nesting limits included).
    parseFilter(filterText);
  } catch (err) {
    throw new Refusal(`the converted filter is not accepted by the filter language: ${(err as Error).message}`);
  }
  const title = doc.title.trim().replace(/\s+/g, ' ');
  const sigmaId = typeof doc.id === 'string' ? doc.id : '';
  const titleSlug = slug(title);
  const baseId = `sigma-${titleSlug || slug(sigmaId.slice(0, 8)) || 'rule'}`.slice(0, 64).replace(/-+$/, '');
  const tags = strList(doc.tags).filter((t) => /^[^\s,]{1,100}$/.test(t)).slice(0, 50);
  const level = typeof doc.level === 'string' ? doc.level.toLowerCase() : 'medium';
  const severity = LEVEL_SEVERITY[level];
  if (!severity) throw new Refusal(`level ${level} is not a Sigma level`);
  const noteList = [...notes].map(
    (f) => `${f} is matched as written, in lower case and in upper case: the filter language has no case-insensitive match on it, while Sigma ignores case`,
  );
  const authors = strList(doc.author);
  const lines = [
    typeof doc.description === 'string' ? doc.description.trim() : '',
    '',
    `Converted from Sigma rule${sigmaId ? ` ${sigmaId}` : ''}${authors.length ? ` by ${authors.join(', ')}` : ''}.`,
    ...(strList(doc.references).length ? ['References:', ...strList(doc.references).map((r) => `- ${r}`)] : []),
    ...noteList.map((n) => `Note: ${n}.`),
  ];
  const description = lines.join('\n').trim().slice(0, 4000);
  return {
    file,
    sigmaId,
    baseId,
    notes: noteList,
    rule: {
      title: title.slice(0, 200), description, severity, category: categoryFromTags(tags), tags,
      dataset: 'web.access', type: 'match', filter: filterText,
    },
  };
}

interface FilePart {
  readonly items: Item[];
  readonly refused: RefusedRule[];
  readonly failed: FailedFile[];
}

function convertText(text: string, file: string, options: SigmaOptions): FilePart {
  const items: Item[] = [];
  const refused: RefusedRule[] = [];
  const failed: FailedFile[] = [];
  for (const doc of parseAllDocuments(text, { prettyErrors: false })) {
    if (doc.errors.length > 0) {
      failed.push({ file, reason: `YAML: ${doc.errors[0].message.split('\n')[0]}` });
      continue;
    }
    const value: Json = doc.toJS();
    if (value === null || value === undefined) continue;
    const title = isObj(value) && typeof value.title === 'string' ? value.title : '(untitled)';
    try {
      if (!isObj(value)) throw new NotSigma('not a Sigma rule: expected a mapping');
      if (value.action !== undefined) throw new Refusal(`rule collections (action: ${String(value.action)}) are not supported`);
      if (value.correlation !== undefined) throw new Refusal('correlation rules are not supported');
      if (value.filter !== undefined && value.detection === undefined) throw new Refusal('Sigma filters (meta-rules) are not supported');
      items.push(convertRule(value, file, options));
    } catch (err) {
      if (err instanceof Refusal) refused.push({ file, title, reason: err.message });
      else if (err instanceof NotSigma) failed.push({ file, reason: err.message });
      else throw err;
    }
  }
  return { items, refused, failed };
}

function render(parts: readonly FilePart[]): SigmaConversion {
  const used = new Set<string>();
  const rules: Record<string, unknown>[] = [];
  const converted: ConvertedRule[] = [];
  for (const item of parts.flatMap((p) => p.items)) {
    let id = item.baseId;
    const suffixes = [slug(item.sigmaId.slice(0, 8)), ...Array.from({ length: 998 }, (_, i) => String(i + 2))].filter(Boolean);
    for (let i = 0; used.has(id) && i < suffixes.length; i++) {
      id = `${item.baseId.slice(0, 63 - suffixes[i].length).replace(/-+$/, '')}-${suffixes[i]}`;
    }
    used.add(id);
    rules.push({ id, ...item.rule });
    converted.push({ id, title: item.rule.title as string, file: item.file, notes: item.notes });
  }
  const header = '# Converted from Sigma by `canh rules import-sigma` (docs/sigma.md).\n';
  return {
    rules: header + (rules.length ? stringify(rules, { lineWidth: 0 }) : '[]\n'),
    converted,
    refused: parts.flatMap((p) => p.refused),
    failed: parts.flatMap((p) => p.failed),
  };
}

/** Converts the Sigma rules of one YAML text (one or several documents). Pure. */
export function convertSigma(text: string, file: string, options: SigmaOptions = {}): SigmaConversion {
  return render([convertText(text, file, options)]);
}

/**
 * Converts files and directories (every .yml/.yaml below, recursively, in name order; a file named
 * directly is read whatever its extension). Rule ids are unique across all of them.
 */
export async function convertSigmaPaths(paths: readonly string[], options: SigmaOptions = {}): Promise<SigmaConversion> {
  const parts: FilePart[] = [];
  for (const path of paths) {
    let files: string[];
    try {
      files = (await stat(path)).isDirectory() ? await yamlFilesUnder(path) : [path];
    } catch (err) {
      parts.push({ items: [], refused: [], failed: [{ file: path, reason: (err as { code?: string }).code === 'ENOENT' ? 'no such file or directory' : String(err) }] });
      continue;
    }
    for (const file of files) {
      try {
        parts.push(convertText(await readFile(file, 'utf8'), file, options));
      } catch (err) {
        parts.push({ items: [], refused: [], failed: [{ file, reason: (err as Error).message }] });
      }
    }
  }
  return render(parts);
}
