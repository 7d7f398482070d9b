import type { EventStore } from '../../store/event-store';
import { ALL_SCOPE } from '../../store/scope';
import type { Hit, Rule, RuleCondition } from '../rule';
import { GROUP_LIMIT, aggregateRule, groupHit, ruleQuery, type EvaluationWindow } from './build-hit';
import { groupKey, groupTermNodes, type GroupValues } from './group-filter';

type AbsenceCondition = Extract<RuleCondition, { type: 'absence' }>;

/**
 * `absence`: a group fires when it had at least one event matching the rule filter in
 * [from - lookbackMs, from) (it was seen) but fewer than `fewerThan` in [from, to). A group never
 * seen in the lookback never fires. observed = the count in the window (often 0); condition
 * `count < N (seen in the previous <lookbackMs> ms)`; samples are the group's newest events in
 * [from - lookbackMs, to). At most 10,000 seen groups (most active first); when the window has more
 * than 10,000 groups, counts of the groups it did not return are asked one by one.
 */
export async function evaluateAbsence(
  rule: Rule, condition: AbsenceCondition, window: EvaluationWindow, store: EventStore,
): Promise<Hit[]> {
  if (condition.fewerThan <= 0) return [];
  const lookback = { from: window.from - condition.lookbackMs, to: window.from };
  const [seen, inWindow] = await Promise.all([
    aggregateRule(store, rule, lookback, { metrics: [{ op: 'count' }], minFirstMetric: 1, samples: true }),
    aggregateRule(store, rule, window, { metrics: [{ op: 'count' }], samples: true }),
  ]);
  const counts = new Map(inWindow.map((r) => [groupKey(rule.groupBy, r.group), r]));
  const complete = inWindow.length < GROUP_LIMIT;
  const hits: Promise<Hit>[] = [];
  for (const { group, sampleIds } of seen) {
    const known = counts.get(groupKey(rule.groupBy, group));
    const count = known ? known.values[0] ?? 0 : complete ? 0 : await countGroup(store, rule, window, group);
    if (count >= condition.fewerThan) continue;
    // The window's events are newer than the lookback's: its samples come first.
    const samples = known || complete ? [...(known?.sampleIds ?? []), ...(sampleIds ?? [])] : undefined;
    hits.push(groupHit(store, rule, window, {
      group,
      observed: count,
      condition: `count < ${condition.fewerThan} (seen in the previous ${condition.lookbackMs} ms)`,
      sampleRange: { from: lookback.from, to: window.to },
      sampleIds: samples,
    }));
  }
  return Promise.all(hits);
}

function countGroup(store: EventStore, rule: Rule, window: EvaluationWindow, group: GroupValues): Promise<number> {
  return store.count(ruleQuery(rule, window, groupTermNodes(group)), ALL_SCOPE);
}
