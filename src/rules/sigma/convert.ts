import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments, stringify } from 'yaml';
import type { FilterNode } from '../../query/ast';
import { parseFilter } from '../../query/parse';
import { yamlFilesUnder } from '../load-rules';
import type { RsitCategory, Severity } from '../rule';
import { ConditionError, parseCondition } from './condition';
import { Refusal, combine, conditionFilter, isObj, resolveCase, type Json, type Obj } from './detection';
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

class NotSigma extends Error {}

/** The log sources a converted rule may read (web servers' access logs). */
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
