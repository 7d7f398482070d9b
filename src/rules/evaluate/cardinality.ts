import type { EventStore } from '../../store/event-store';
import type { Hit, Rule, RuleCondition } from '../rule';
import { aggregateRule, groupHit, type EvaluationWindow } from './build-hit';

/**
 * `cardinality`: one hit per group whose events matching the rule filter in [from, to) hold at least
 * `count` distinct non-null values of `field`. observed = the number of distinct values; condition
 * `distinct <field> >= N`. At most 10,000 groups (largest first).
 */
export async function evaluateCardinality(
  rule: Rule, condition: Extract<RuleCondition, { type: 'cardinality' }>, window: EvaluationWindow, store: EventStore,
): Promise<Hit[]> {
  const rows = await aggregateRule(store, rule, window, {
    metrics: [{ op: 'cardinality', field: condition.field }],
    minFirstMetric: Math.max(condition.count, 1),
    samples: true,
  });
  return Promise.all(rows.map((row) => groupHit(store, rule, window, {
    group: row.group, observed: row.values[0] ?? 0, condition: `distinct ${condition.field} >= ${condition.count}`, sampleIds: row.sampleIds,
  })));
}
