import type { EventStore } from '../../store/event-store';
import type { Hit, Rule, RuleCondition } from '../rule';
import { aggregateRule, formatNumber, groupHit, type EvaluationWindow } from './build-hit';
import { groupKey } from './group-filter';

type RatioCondition = Extract<RuleCondition, { type: 'ratio' }>;

/**
 * `ratio`: per group, total = events matching the rule filter in [from, to), matching = those also
 * matching `condition.match`. A group fires when total >= minTotal (and >= 1) and
 * matching / total >= ratio. observed = matching / total; condition e.g.
 * `ratio 0.31 >= 0.2 (62/200)`. Samples and evidence are of the matching events. The two aggregates
 * are joined by group key; each returns at most 10,000 groups (largest first), so past that a group
 * may be missed.
 */
export async function evaluateRatio(
  rule: Rule, condition: RatioCondition, window: EvaluationWindow, store: EventStore,
): Promise<Hit[]> {
  const totals = await aggregateRule(store, rule, window, { metrics: [{ op: 'count' }], minFirstMetric: Math.max(condition.minTotal, 1) });
  if (totals.length === 0) return [];
  const matches = await aggregateRule(store, rule, window, {
    metrics: [{ op: 'count' }], extra: [condition.match], minFirstMetric: minMatching(condition), samples: true,
  });
  const matching = new Map(matches.map((r) => [groupKey(rule.groupBy, r.group), r]));
  const hits: Promise<Hit>[] = [];
  for (const row of totals) {
    const total = row.values[0] ?? 0;
    const match = matching.get(groupKey(rule.groupBy, row.group));
    const m = match?.values[0] ?? 0;
    const observed = m / total;
    if (observed < condition.ratio) continue;
    hits.push(groupHit(store, rule, window, {
      group: row.group,
      observed,
      condition: `ratio ${formatNumber(observed)} >= ${condition.ratio} (${m}/${total})`,
      extra: [condition.match],
      extraTexts: [condition.matchText],
      sampleIds: match?.sampleIds ?? [],
    }));
  }
  return Promise.all(hits);
}

/** A safe lower bound of the matching count of a firing group (ratio × minTotal, rounded down). */
function minMatching(condition: RatioCondition): number | undefined {
  if (condition.ratio <= 0) return undefined;
  return Math.max(1, Math.floor(condition.ratio * Math.max(condition.minTotal, 1) - 1e-9));
}
