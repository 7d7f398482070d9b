import type { EventStore } from '../../store/event-store';
import type { Hit, Rule, RuleCondition } from '../rule';
import { aggregateRule, groupHit, type EvaluationWindow } from './build-hit';

/**
 * `threshold`: one hit per group (rule.groupBy) whose number of events matching the rule filter in
 * [from, to) is >= `count`. observed = that count; condition `count >= N`. Groups whose fields are
 * missing form a null group (evidence `NOT _exists_:field`). At most 10,000 groups (largest first).
 */
export function evaluateThreshold(
  rule: Rule, condition: Extract<RuleCondition, { type: 'threshold' }>, window: EvaluationWindow, store: EventStore,
): Promise<Hit[]> {
  return countAtLeast(rule, window, store, condition.count);
}

/** Hits for the groups with at least `min` (and at least 1) matching events in the window. */
export async function countAtLeast(rule: Rule, window: EvaluationWindow, store: EventStore, min: number): Promise<Hit[]> {
  const rows = await aggregateRule(store, rule, window, { metrics: [{ op: 'count' }], minFirstMetric: Math.max(min, 1), samples: true });
  return Promise.all(rows.map((row) =>
    groupHit(store, rule, window, { group: row.group, observed: row.values[0] ?? 0, condition: `count >= ${min}`, sampleIds: row.sampleIds })));
}
