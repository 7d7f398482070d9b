import type { EventStore } from '../../store/event-store';
import type { Hit, Rule, RuleCondition } from '../rule';
import type { EvaluationWindow } from './build-hit';
import { countAtLeast } from './threshold';

/**
 * `match`: a threshold of 1. Rather than one hit per event (a flood), one hit per group (rule.groupBy)
 * with at least one event matching the rule filter in [from, to); observed = the number of such events,
 * condition `count >= 1`, and up to 10 sample event ids (newest first) to show them.
 */
export function evaluateMatch(
  rule: Rule, _condition: Extract<RuleCondition, { type: 'match' }>, window: EvaluationWindow, store: EventStore,
): Promise<Hit[]> {
  return countAtLeast(rule, window, store, 1);
}
