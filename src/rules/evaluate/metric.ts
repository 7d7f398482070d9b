import type { EventStore } from '../../store/event-store';
import type { Hit, Rule, RuleCondition } from '../rule';
import { aggregateRule, formatNumber, groupHit, type EvaluationWindow } from './build-hit';

type MetricCondition = Extract<RuleCondition, { type: 'metric' }>;

/**
 * `metric`: one hit per group whose `op(field)` over the events matching the rule filter in
 * [from, to) is strictly above `above` or strictly below `below` (either bound crossed fires; a
 * value equal to a bound does not). Groups where no event has a numeric value of the field never
 * fire. observed = the metric value; condition e.g. `avg(event.duration) 1500 > 1000`. With neither
 * bound nothing fires. At most 10,000 groups (largest value first).
 */
export async function evaluateMetric(
  rule: Rule, condition: MetricCondition, window: EvaluationWindow, store: EventStore,
): Promise<Hit[]> {
  if (condition.above === undefined && condition.below === undefined) return [];
  const rows = await aggregateRule(store, rule, window, {
    metrics: [{ op: condition.op, field: condition.field }],
    // Only an upper-bound rule can let the store drop groups (>= above, then strictly > here).
    minFirstMetric: condition.below === undefined ? condition.above : undefined,
    samples: true,
  });
  const hits: Promise<Hit>[] = [];
  for (const row of rows) {
    const value = row.values[0];
    const crossed = value === null ? null : crossedBound(condition, value);
    if (value === null || crossed === null) continue;
    const text = `${condition.op}(${condition.field}) ${formatNumber(value)} ${crossed}`;
    hits.push(groupHit(store, rule, window, { group: row.group, observed: value, condition: text, sampleIds: row.sampleIds }));
  }
  return Promise.all(hits);
}

/** `> above` or `< below` when the value crosses that bound, else null. */
function crossedBound(condition: MetricCondition, value: number): string | null {
  if (condition.above !== undefined && value > condition.above) return `> ${condition.above}`;
  if (condition.below !== undefined && value < condition.below) return `< ${condition.below}`;
  return null;
}
