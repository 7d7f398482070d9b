import type { FilterNode } from '../../query/ast';
import type { AggregateRow, EventStore } from '../../store/event-store';
import type { Hit, Rule, RuleCondition } from '../rule';
import { aggregateRule, groupHit, type EvaluationWindow } from './build-hit';
import { andFilter, groupKey, groupTermNodes, orFilter } from './group-filter';

type NewValueCondition = Extract<RuleCondition, { type: 'new_value' }>;

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;
/** Tuples checked against the lookback per aggregate (one OR of their terms). */
export const NEW_VALUE_CHUNK = 200;

/**
 * `new_value`: the tuples of (rule.groupBy, then `fields` not already in groupBy) among the events
 * matching the rule filter in [from, to) whose `fields` are all non-null (a missing value is not a
 * value); each tuple absent from [from - lookbackDays × 86,400,000, from) is one hit. group = the
 * whole tuple by field name; observed = its count in the window; condition
 * `new value of <fields> (not seen in <N> days)`. The lookback is asked only about the window's tuples
 * (an OR of their terms, NEW_VALUE_CHUNK at a time), so it is exact however many values it holds;
 * the window itself yields at most 10,000 tuples (most frequent first). A persisted baseline may
 * replace the lookback query later; this is the reference semantics.
 */
export async function evaluateNewValue(
  rule: Rule, condition: NewValueCondition, window: EvaluationWindow, store: EventStore,
): Promise<Hit[]> {
  const fields = [...rule.groupBy, ...condition.fields.filter((f) => !rule.groupBy.includes(f))];
  const valued = (r: AggregateRow) => condition.fields.every((f) => r.group[f] !== null && r.group[f] !== undefined);
  const current = (await aggregateRule(store, rule, window, { groupBy: fields, metrics: [{ op: 'count' }], samples: true })).filter(valued);
  const lookback = { from: window.from - condition.lookbackDays * DAY_MS, to: window.from };
  const seen = new Set<string>();
  for (let i = 0; i < current.length; i += NEW_VALUE_CHUNK) {
    const chunk = current.slice(i, i + NEW_VALUE_CHUNK);
    const anyOf: FilterNode = orFilter(chunk.map((r) => andFilter(groupTermNodes(r.group))));
    const rows = await aggregateRule(store, rule, lookback, { groupBy: fields, metrics: [{ op: 'count' }], extra: [anyOf] });
    for (const r of rows) seen.add(groupKey(fields, r.group));
  }
  const text = `new value of ${condition.fields.join(', ')} (not seen in ${condition.lookbackDays} days)`;
  return Promise.all(current
    .filter((r) => !seen.has(groupKey(fields, r.group)))
    .map((r) => groupHit(store, rule, window, { group: r.group, observed: r.values[0] ?? 0, condition: text, sampleIds: r.sampleIds })));
}
