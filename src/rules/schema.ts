import { createHash } from 'node:crypto';
import { isMap, isSeq } from 'yaml';
import type { FilterNode } from '../query/ast';
import { FIELDS } from '../store/fields';
import { MetricOp, RSIT_CATEGORIES, RULE_TYPES, Rule, RuleCondition, RuleType, SEVERITIES } from './rule';
import { closest } from './suggest';
import { DAY, describeNode, Fields, MINUTE, SECOND, formatDuration, type RuleError, type RuleSource } from './yaml-fields';

export type { RuleError, RuleSource } from './yaml-fields';
export { Fields as RuleFields, formatDuration } from './yaml-fields';

/**
 * The rule file schema (docs/rules.md): turns one YAML mapping into a validated `Rule`, reporting
 * every problem with the file, the 1-based line of the offending key or value and its dotted field.
 */


/** The keys of a rule mapping. */
export const RULE_KEYS = [
  'id', 'title', 'description', 'severity', 'category', 'tags', 'dataset', 'filter', 'type', 'condition',
  'group_by', 'window', 'every', 'delay', 'suppress', 'escalation', 'enabled', 'auto_resolve',
] as const;

/** The keys of `condition:` for each rule type. */
export const CONDITION_KEYS: Readonly<Record<RuleType, readonly string[]>> = {
  match: [],
  threshold: ['count'],
  ratio: ['match', 'ratio', 'min_total'],
  cardinality: ['field', 'count'],
  metric: ['field', 'op', 'above', 'below'],
  spike: ['direction', 'factor', 'reference', 'min_current', 'min_reference'],
  absence: ['fewer_than', 'lookback'],
  new_value: ['fields', 'lookback_days'],
  sequence: ['steps', 'span'],
};
const STEP_KEYS = ['filter', 'count'] as const;
export const METRIC_OPS: readonly MetricOp[] = ['avg', 'min', 'max', 'sum', 'p95'];
/** Datasets Canh's parsers produce; other names are accepted unless they look like a typo of one. */
export const KNOWN_DATASETS = ['web.access', 'otp.auth', 'uptime.probe'] as const;

/** Defaults of optional keys (durations in ms). */
export const RULE_DEFAULTS = {
  groupBy: ['organization.id'],
  everyMs: MINUTE,
  /** Window of every type but `match`, whose window defaults to `every`. */
  windowMs: 5 * MINUTE,
  delayMs: 30 * SECOND,
  ratioMinTotal: 10,
  spikeDirection: 'up',
  spikeReferenceMs: DAY,
  spikeMinCurrent: 10,
  spikeMinReference: 10,
  absenceFewerThan: 1,
  absenceLookbackMs: DAY,
  newValueLookbackDays: 30,
  stepCount: 1,
  /** Clear evaluations before an incident resolves itself, for `absence` and `uptime.probe` rules (off for the rest). */
  autoResolveAfter: 3,
} as const;

/** Rules that auto-resolve by default: a source that comes back, a probe that is up again. */
export function autoResolvesByDefault(type: RuleType | undefined, dataset: string | undefined): boolean {
  return type === 'absence' || dataset === 'uptime.probe';
}

/** Limits of a rule. */
export const RULE_LIMITS = {
  maxWindowMs: 31 * DAY,
  minEveryMs: SECOND,
  maxDelayMs: DAY,
  maxGroupBy: 5,
  maxNewValueFields: 5,
  maxLookbackDays: 90,
  minSteps: 2,
  maxSteps: 5,
  maxTitle: 200,
  maxDescription: 4000,
  maxTags: 50,
  minAutoResolveAfter: 1,
  maxAutoResolveAfter: 100,
} as const;

const ID = /^[a-z0-9][a-z0-9-]{1,63}$/;
const FIELD_NAME = /^[A-Za-z_@][A-Za-z0-9_.@-]*$/;
const DATASET = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;
const TAG = /^[^\s,]{1,100}$/;
const POLICY = /^[a-z0-9][a-z0-9_-]{0,63}$/;


const ID_RULE = 'an id is 2 to 64 characters: lower-case letters, digits and -, starting with a letter or digit';
const FIELD_RULE = 'a field name is letters, digits, _, ., @ and -, starting with a letter, _ or @';

// ── conditions ───────────────────────────────────────────────────────────────────────────────────
const COUNT_MAX = 1_000_000_000;

function conditionHint(type: RuleType) {
  return (key: string): string | undefined => {
    const owners = RULE_TYPES.filter((t) => t !== type && CONDITION_KEYS[t].includes(key));
    if (owners.length === 0) return undefined;
    const expected = CONDITION_KEYS[type].length ? CONDITION_KEYS[type].join(', ') : 'no keys';
    return ` for type ${type} (it belongs to ${owners.join(', ')}); expected ${expected}`;
  };
}

function numericField(c: Fields, key: string): string | undefined {
  const field = c.str(key, { required: true, pattern: FIELD_NAME, rule: FIELD_RULE });
  const def = field === undefined ? undefined : FIELDS[field];
  if (def && def.type !== 'long' && def.type !== 'double') {
    const got = c.get(key);
    return c.fail(got?.line ?? c.line, c.field(key), `field '${field}' is not numeric (it is ${def.type})`);
  }
  return field;
}

type Parsed<T> = { [K in keyof T]: T[K] | undefined };
const complete = <T extends object>(o: Parsed<T>): T | undefined => (Object.values(o).some((v) => v === undefined) ? undefined : (o as T));

function sequenceSteps(c: Fields) {
  const got = c.required('steps', ' (a list of 2 to 5 steps, each with a filter)');
  if (!got) return undefined;
  if (!isSeq(got.node)) return c.fail(got.line, got.field, `expected a list of steps, got ${describeNode(got.node)}`);
  const { minSteps, maxSteps } = RULE_LIMITS;
  if (got.node.items.length < minSteps || got.node.items.length > maxSteps) {
    return c.fail(got.line, got.field, `expected ${minSteps} to ${maxSteps} steps, got ${got.node.items.length}`);
  }
  const steps = got.node.items.map((item, i) => {
    const s = c.map({ node: item, line: c.lineOf(item, got.line), field: `${got.field}[${i}]` });
    if (!s) return undefined;
    s.checkKeys(STEP_KEYS);
    const filter = s.filter('filter', { required: true });
    const count = s.num('count', { def: RULE_DEFAULTS.stepCount, integer: true, min: 1, max: 1_000_000 });
    return filter && count !== undefined ? { filter: filter.node, filterText: filter.text, count } : undefined;
  });
  return steps.every((s) => s !== undefined) ? (steps as { filter: FilterNode; filterText: string; count: number }[]) : undefined;
}

function conditionOf(type: RuleType, c: Fields, windowMs: number | undefined): RuleCondition | undefined {
  const maxMs = RULE_LIMITS.maxWindowMs;
  switch (type) {
    case 'match':
      return { type };
    case 'threshold':
      return complete({ type, count: c.num('count', { required: true, integer: true, min: 1, max: COUNT_MAX }) });
    case 'ratio': {
      const match = c.filter('match', { required: true });
      const ratio = c.num('ratio', { required: true, above: 0, max: 1 });
      const minTotal = c.num('min_total', { def: RULE_DEFAULTS.ratioMinTotal, integer: true, min: 1, max: COUNT_MAX });
      return match && complete({ type, match: match.node, matchText: match.text, ratio, minTotal });
    }
    case 'cardinality': {
      const field = c.str('field', { required: true, pattern: FIELD_NAME, rule: FIELD_RULE });
      return complete({ type, field, count: c.num('count', { required: true, integer: true, min: 1, max: COUNT_MAX }) });
    }
    case 'metric':
      return metricCondition(c);
    case 'spike': {
      const direction = c.oneOf('direction', ['up', 'down', 'both'] as const, RULE_DEFAULTS.spikeDirection);
      const factor = c.num('factor', { required: true, above: 1, max: 1000 });
      let referenceMs = c.duration('reference', { def: RULE_DEFAULTS.spikeReferenceMs, min: SECOND, max: maxMs });
      if (referenceMs !== undefined && windowMs !== undefined && referenceMs < windowMs) {
        referenceMs = c.fail(c.get('reference')?.line ?? c.line, c.field('reference'), `must be at least the window (${formatDuration(windowMs)}), got ${formatDuration(referenceMs)}`);
      }
      const minCurrent = c.num('min_current', { def: RULE_DEFAULTS.spikeMinCurrent, integer: true, min: 0, max: COUNT_MAX });
      const minReference = c.num('min_reference', { def: RULE_DEFAULTS.spikeMinReference, min: 0, max: COUNT_MAX });
      return complete({ type, direction, factor, referenceMs, minCurrent, minReference });
    }
    case 'absence': {
      const fewerThan = c.num('fewer_than', { def: RULE_DEFAULTS.absenceFewerThan, integer: true, min: 1, max: COUNT_MAX });
      const lookbackMs = c.duration('lookback', { def: RULE_DEFAULTS.absenceLookbackMs, min: SECOND, max: maxMs });
      return complete({ type, fewerThan, lookbackMs });
    }
    case 'new_value': {
      const fields = c.list('fields', { required: true, min: 1, max: RULE_LIMITS.maxNewValueFields, pattern: FIELD_NAME, rule: FIELD_RULE });
      const lookbackDays = c.num('lookback_days', { def: RULE_DEFAULTS.newValueLookbackDays, integer: true, min: 1, max: RULE_LIMITS.maxLookbackDays });
      return complete({ type, fields, lookbackDays });
    }
    case 'sequence': {
      const steps = sequenceSteps(c);
      // The span may exceed the window: an occurrence belongs to the window where it completes.
      const spanMs = c.duration('span', { required: true, min: SECOND, max: maxMs });
      return complete({ type, steps, spanMs });
    }
  }
}

function metricCondition(c: Fields): RuleCondition | undefined {
  const field = numericField(c, 'field');
  const op = c.oneOf('op', METRIC_OPS);
  const above = c.num('above', {});
  const below = c.num('below', {});
  let bad = field === undefined || op === undefined || (c.has('above') && above === undefined) || (c.has('below') && below === undefined);
  if (!c.has('above') && !c.has('below')) bad = !c.fail(c.line, c.field('above'), "give 'above', 'below' or both");
  else if (above !== undefined && below !== undefined && below >= above) {
    bad = !c.fail(c.get('below')?.line ?? c.line, c.field('below'), `must be less than above (${above}): a hit is a value above 'above' or below 'below'`);
  }
  if (bad || field === undefined || op === undefined) return undefined;
  return { type: 'metric', field, op, ...(above !== undefined && { above }), ...(below !== undefined && { below }) };
}

function readCondition(type: RuleType, m: Fields, windowMs: number | undefined): RuleCondition | undefined {
  const got = m.get('condition');
  const optional = type === 'match' || type === 'absence';
  if (!got && !optional) {
    return m.fail(m.line, 'condition', `missing required key 'condition' for type ${type} (${CONDITION_KEYS[type].join(', ')})`);
  }
  if (!got) return conditionOf(type, m.empty('condition'), windowMs);
  const c = m.map(got);
  if (!c) return undefined;
  c.checkKeys(CONDITION_KEYS[type], conditionHint(type));
  return conditionOf(type, c, windowMs);
}

// ── the rule ─────────────────────────────────────────────────────────────────────────────────────
function topLevelHint(key: string): string | undefined {
  const types = RULE_TYPES.filter((t) => CONDITION_KEYS[t].includes(key));
  return types.length ? `; '${key}' is a condition key (${types.join(', ')}): put it under 'condition:'` : undefined;
}

function readDataset(m: Fields): string | undefined {
  const dataset = m.str('dataset', { required: true, pattern: DATASET, rule: 'a dataset is lower-case words separated by dots, such as web.access' });
  if (dataset === undefined || (KNOWN_DATASETS as readonly string[]).includes(dataset)) return dataset;
  const near = closest(dataset, KNOWN_DATASETS);
  if (near) return m.fail(m.get('dataset')?.line ?? m.line, 'dataset', `unknown dataset '${dataset}'; did you mean '${near}'?`);
  return dataset;
}

/** Sorted-key JSON, so that equal definitions give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The version of a rule: the first 12 hex digits of the SHA-1 of its canonical JSON, origin excluded.
 * autoResolveAfter counts only when on, so rules that do not auto-resolve keep the version they had
 * before the key existed.
 */
export function ruleVersion(rule: Omit<Rule, 'version' | 'origin'> & { version?: string; origin?: unknown }): string {
  const { version: _v, origin: _o, autoResolveAfter, ...rest } = rule;
  const definition = autoResolveAfter == null ? rest : { ...rest, autoResolveAfter };
  return createHash('sha1').update(canonicalJson(definition)).digest('hex').slice(0, 12);
}

/** Timing keys: window, every, delay, suppress (ms), with their cross-checks. */
function readTiming(m: Fields, type: RuleType | undefined) {
  const max = RULE_LIMITS.maxWindowMs;
  const everyMs = m.duration('every', { def: RULE_DEFAULTS.everyMs, min: RULE_LIMITS.minEveryMs, max });
  const windowDefault = type === 'match' ? everyMs : RULE_DEFAULTS.windowMs;
  let windowMs = m.duration('window', { def: windowDefault, min: SECOND, max });
  if (windowMs !== undefined && everyMs !== undefined && everyMs > windowMs) {
    const line = m.get('every')?.line ?? m.get('window')?.line ?? m.line;
    windowMs = m.fail(line, 'every', `must not exceed the window (${formatDuration(windowMs)}), got ${formatDuration(everyMs)}: events between two evaluations would never be looked at`);
  }
  const delayMs = m.duration('delay', { def: RULE_DEFAULTS.delayMs, min: 0, max: RULE_LIMITS.maxDelayMs });
  const suppressMs = m.duration('suppress', { def: windowMs, min: 0, max });
  return { everyMs, windowMs, delayMs, suppressMs };
}

/**
 * Validates one rule mapping. Returns the rule, or undefined after adding every problem found to
 * `errors` (a rule with any error is not loaded).
 */
export function parseRuleNode(node: unknown, src: RuleSource, errors: RuleError[], fallbackLine = 1): Rule | undefined {
  const range = (node as { range?: readonly number[] } | null)?.range;
  const line = range ? src.lineCounter.linePos(range[0]).line : fallbackLine;
  if (!isMap(node)) {
    errors.push({ file: src.file, line, field: '', message: `expected a rule (a mapping with id, title, type...), got ${describeNode(node)}` });
    return undefined;
  }
  const before = errors.length;
  const m = new Fields(src, errors, node, '', line);
  m.checkKeys(RULE_KEYS, topLevelHint);
  const id = m.str('id', { required: true, pattern: ID, rule: ID_RULE });
  const title = m.str('title', { required: true, max: RULE_LIMITS.maxTitle });
  const description = m.str('description', { def: '', max: RULE_LIMITS.maxDescription });
  const severity = m.oneOf('severity', SEVERITIES);
  const category = m.oneOf('category', RSIT_CATEGORIES);
  const tags = m.list('tags', { def: [], min: 0, max: RULE_LIMITS.maxTags, pattern: TAG, rule: 'a tag has no spaces or commas' });
  const dataset = readDataset(m);
  const filter = m.filter('filter', {});
  const type = m.oneOf('type', RULE_TYPES);
  const groupBy = m.list('group_by', { def: RULE_DEFAULTS.groupBy, min: 0, max: RULE_LIMITS.maxGroupBy, pattern: FIELD_NAME, rule: FIELD_RULE });
  const timing = readTiming(m, type);
  const condition = type === undefined ? undefined : readCondition(type, m, timing.windowMs);
  const escalation = m.str('escalation', { pattern: POLICY, rule: 'a policy name is lower-case letters, digits, - and _' });
  const enabled = m.bool('enabled', true);
  const autoResolveAfter = m.autoResolve('auto_resolve', {
    def: autoResolvesByDefault(type, dataset) ? RULE_DEFAULTS.autoResolveAfter : null,
    min: RULE_LIMITS.minAutoResolveAfter, max: RULE_LIMITS.maxAutoResolveAfter,
  });
  if (errors.length > before) return undefined;
  const definition = {
    id: id!, title: title!, description: description!, severity: severity!, category: category!, tags: tags!,
    dataset: dataset!, filter: filter!.node, filterText: filter!.text, condition: condition!, groupBy: groupBy!,
    windowMs: timing.windowMs!, everyMs: timing.everyMs!, delayMs: timing.delayMs!, suppressMs: timing.suppressMs!,
    ...(escalation !== undefined && { escalation }), enabled: enabled!, autoResolveAfter: autoResolveAfter ?? null,
  };
  return { ...definition, version: ruleVersion(definition), origin: { file: src.file, line } };
}
