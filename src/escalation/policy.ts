import { isMap, isSeq, type LineCounter } from 'yaml';
import { SEVERITIES, type Severity } from '../rules/rule';
import { DAY, Fields, SECOND, describeNode, type RuleError } from '../rules/yaml-fields';

/**
 * Escalation glossary.
 * - Policy: an ordered list of levels; level N (1-based) is escalation level N of an incident.
 *   Level 0 is the incident's creation: its own locality is notified then (not part of a policy).
 * - after: how long after reaching the previous level (level 0: the incident's opening or reopening)
 *   the incident, still open (not acknowledged, not resolved), goes up to this level.
 * - target: who a level notifies: `own` (the incident's locality), `province` (its province; the
 *   locality itself when it has none) or `central`.
 * - repeat: while the incident stays open at this level, notify the level's target again every
 *   `every`, at most `times` times.
 */
export type EscalationTarget = 'own' | 'province' | 'central';
export const ESCALATION_TARGETS: readonly EscalationTarget[] = ['own', 'province', 'central'];

export interface EscalationLevel {
  /** ms after the previous level was reached. */
  readonly afterMs: number;
  readonly target: EscalationTarget;
  readonly repeat?: { readonly everyMs: number; readonly times: number };
}

export interface EscalationPolicy {
  readonly name: string;
  readonly description: string;
  /** Severities this policy is chosen for when the rule names no policy. */
  readonly severities: readonly Severity[];
  /** Level 1, 2, ...; empty: never escalates. */
  readonly levels: readonly EscalationLevel[];
  /** Where the policy was defined (`builtin` for the built-in default). */
  readonly origin: { readonly file: string; readonly line: number };
}

/** Policy names: like rule ids and a rule's `escalation` key (`a-z`, `0-9`, `-`, `_`). */
export const POLICY_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const POLICY_KEYS = ['name', 'description', 'severities', 'levels'] as const;
const LEVEL_KEYS = ['after', 'target', 'repeat'] as const;
const REPEAT_KEYS = ['every', 'times'] as const;
export const MAX_LEVELS = 10;
export const MAX_REPEAT_TIMES = 100;
const MAX_AFTER = 31 * DAY;

/**
 * The policy used when the rule names no existing policy and no loaded policy lists the incident's
 * severity: the province after 1 hour, nothing more. So a missing or broken policy file never leaves
 * an incident unescalated, while central is only ever involved by an explicit policy.
 */
export const BUILTIN_DEFAULT_POLICY: EscalationPolicy = {
  name: 'builtin-default',
  description: 'Used when no policy applies: the province after 1 hour.',
  severities: [],
  levels: [{ afterMs: 60 * 60 * SECOND, target: 'province' }],
  origin: { file: 'builtin', line: 0 },
};

/**
 * The policy of an incident: the rule's named policy when it exists, else the first policy (in load
 * order) listing the severity, else BUILTIN_DEFAULT_POLICY.
 */
export function selectPolicy(policies: readonly EscalationPolicy[], by: { readonly escalation?: string; readonly severity: Severity }): EscalationPolicy {
  if (by.escalation !== undefined) {
    const named = policies.find((p) => p.name === by.escalation);
    if (named) return named;
  }
  return policies.find((p) => p.severities.includes(by.severity)) ?? BUILTIN_DEFAULT_POLICY;
}

/** Where the YAML being read comes from. */
export interface PolicySource {
  readonly file: string;
  readonly lineCounter: LineCounter;
}

function lineOf(src: PolicySource, node: unknown): number {
  const range = (node as { range?: readonly number[] } | null)?.range;
  return range ? src.lineCounter.linePos(range[0]).line : 0;
}

/** One policy from its YAML node; problems go to `errors` (with file, line and field) and give undefined. */
export function parsePolicyNode(node: unknown, src: PolicySource, errors: RuleError[], index?: number): EscalationPolicy | undefined {
  const line = lineOf(src, node);
  const at = index === undefined ? '' : `[${index}]`;
  if (!isMap(node)) {
    errors.push({ file: src.file, line, field: at, message: `expected a policy (a mapping with name and levels), got ${describeNode(node)}` });
    return undefined;
  }
  const before = errors.length;
  const f = new Fields(src, errors, node, '', line);
  f.checkKeys(POLICY_KEYS);
  const name = f.str('name', { required: true, pattern: POLICY_NAME, rule: '1-64 characters a-z, 0-9, - or _, starting with a letter or digit' });
  const description = f.str('description', { def: '', max: 4000 });
  const severities = f.list('severities', { def: [], min: 0, max: SEVERITIES.length, pattern: /^(low|medium|high|critical)$/, rule: `expected one of ${SEVERITIES.join(', ')}` }) as Severity[] | undefined;
  const levels = parseLevels(f, src, errors);
  if (errors.length > before || name === undefined || description === undefined || severities === undefined || levels === undefined) return undefined;
  return { name, description, severities, levels, origin: { file: src.file, line } };
}

function parseLevels(f: Fields, src: PolicySource, errors: RuleError[]): EscalationLevel[] | undefined {
  const got = f.required('levels');
  if (!got) return undefined;
  if (!isSeq(got.node)) return f.fail(got.line, got.field, `expected a list of levels, got ${describeNode(got.node)}`);
  if (got.node.items.length > MAX_LEVELS) return f.fail(got.line, got.field, `expected at most ${MAX_LEVELS} levels, got ${got.node.items.length}`);
  const levels: EscalationLevel[] = [];
  let ok = true;
  got.node.items.forEach((item, i) => {
    const field = `levels[${i}]`;
    const itemLine = lineOf(src, item) || got.line;
    if (!isMap(item)) {
      ok = !!f.fail(itemLine, field, `expected a level (a mapping with after and target), got ${describeNode(item)}`);
      return;
    }
    const before = errors.length;
    const lf = new Fields(src, errors, item, field, itemLine);
    lf.checkKeys(LEVEL_KEYS);
    const afterMs = lf.duration('after', { required: true, min: SECOND, max: MAX_AFTER });
    const target = lf.oneOf('target', ESCALATION_TARGETS);
    let repeat: EscalationLevel['repeat'];
    const r = lf.get('repeat');
    if (r) {
      const rf = lf.map(r);
      if (rf) {
        rf.checkKeys(REPEAT_KEYS);
        const everyMs = rf.duration('every', { required: true, min: SECOND, max: MAX_AFTER });
        const times = rf.num('times', { required: true, integer: true, min: 1, max: MAX_REPEAT_TIMES });
        if (everyMs !== undefined && times !== undefined) repeat = { everyMs, times };
      }
    }
    if (errors.length > before || afterMs === undefined || target === undefined) {
      ok = false;
      return;
    }
    levels.push(repeat ? { afterMs, target, repeat } : { afterMs, target });
  });
  return ok ? levels : undefined;
}
