import { join } from 'node:path';
import type { EcsDocument } from '../../store/event-store';
import { evaluateRule, type EvaluationWindow } from '../evaluate';
import { MINUTE, T0, byGroup, makeEvent, storeWith, type Fields } from '../evaluate/test-support';
import { formatRuleErrors, loadRuleFiles, type LoadedRules } from '../load-rules';
import type { Hit, Rule } from '../rule';

/**
 * Helpers for the shipped-pack tests: the rules come from the real files in rules/ (so a broken
 * YAML breaks the tests), events are ECS documents of the three datasets. Not used by production code.
 */

export { MINUTE, T0 };
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The repository's rules/ directory. */
export const RULES_DIR = join(__dirname, '..', '..', '..', 'rules');

let loaded: Promise<LoadedRules> | undefined;

/** The shipped pack, loaded once per test file. */
export function loadPack(): Promise<LoadedRules> {
  loaded ??= loadRuleFiles([RULES_DIR]);
  return loaded;
}

/** One shipped rule by id; throws (with the load errors) when it is missing. */
export async function packRule(id: string): Promise<Rule> {
  const { rules, errors } = await loadPack();
  const rule = rules.find((r) => r.id === id);
  if (!rule) throw new Error(`rule ${id} is not in the pack${errors.length ? `:\n${formatRuleErrors(errors)}` : ''}`);
  return rule;
}

/** An event of `dataset` at epoch ms `at` (locality 00004, source src-1 unless the fields say otherwise). */
function event(dataset: string, at: number, fields: Fields): EcsDocument {
  return makeEvent(at, { 'event.dataset': dataset, ...fields });
}

export const web = (at: number, fields: Fields = {}): EcsDocument => event('web.access', at, { 'event.kind': 'event', ...fields });
export const otp = (at: number, fields: Fields = {}): EcsDocument => event('otp.auth', at, { 'event.kind': 'event', ...fields });
export const probe = (at: number, fields: Fields = {}): EcsDocument => event('uptime.probe', at, { 'event.kind': 'state', ...fields });

/** `n` events made by `make` at `from`, `from + step`, ... */
export function times(n: number, from: number, step: number, make: (at: number, i: number) => EcsDocument): EcsDocument[] {
  return Array.from({ length: n }, (_, i) => make(from + i * step, i));
}

/** The window of the rule ending at `to` (default: T0 + window, so it starts at T0). */
export function windowOf(rule: Rule, to = T0 + rule.windowMs): EvaluationWindow {
  return { from: to - rule.windowMs, to };
}

/** Evaluates the rule over its window starting at T0 (or `window`) against a store holding `events`. */
export async function run(rule: Rule, events: readonly EcsDocument[], window: EvaluationWindow = windowOf(rule)): Promise<Hit[]> {
  const store = await storeWith(events);
  return byGroup(await evaluateRule(rule, window, store));
}

/** Group and observed of each hit, sorted by group. */
export function summary(hits: readonly Hit[]): { group: Hit['group']; observed: number }[] {
  return byGroup(hits).map((h) => ({ group: h.group, observed: h.observed }));
}
