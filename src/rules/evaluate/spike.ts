import type { EventStore } from '../../store/event-store';
import type { Hit, Rule, RuleCondition } from '../rule';
import { GROUP_LIMIT, aggregateRule, formatNumber, groupHit, type EvaluationWindow } from './build-hit';
import { groupKey } from './group-filter';

type SpikeCondition = Extract<RuleCondition, { type: 'spike' }>;

/**
 * `spike`: per group, current = events matching the rule filter in [from, to); reference = events in
 * [from - referenceMs, from) scaled to the window's length (count × (to - from) / referenceMs, i.e. the
 * same rate per ms). Groups of either window are considered; a group with reference 0 never fires
 * (a ratio to nothing is undefined: use threshold for that), nor one with reference < minReference
 * (minReference is compared with the scaled reference).
 * - up: current >= factor × reference and current >= minCurrent;
 * - down: current <= reference / factor (a group silent in the window has current 0);
 * - both: either.
 * observed = current / reference; condition e.g. `count 30 >= 3 x reference 10 (ratio 3)`. At most
 * 10,000 groups per window (largest first).
 */
export async function evaluateSpike(
  rule: Rule, condition: SpikeCondition, window: EvaluationWindow, store: EventStore,
): Promise<Hit[]> {
  const length = window.to - window.from;
  if (length <= 0 || condition.referenceMs <= 0) return [];
  const scale = (count: number) => (count * length) / condition.referenceMs;
  const referenceRange = { from: window.from - condition.referenceMs, to: window.from };
  const minReferenceCount = Math.max(1, Math.floor((condition.minReference * condition.referenceMs) / length - 1e-9));
  const [references, currents] = await Promise.all([
    aggregateRule(store, rule, referenceRange, { metrics: [{ op: 'count' }], minFirstMetric: minReferenceCount }),
    aggregateRule(store, rule, window, { metrics: [{ op: 'count' }], samples: true }),
  ]);
  const current = new Map(currents.map((r) => [groupKey(rule.groupBy, r.group), r]));
  // A group missing from a full answer (10,000 groups) may still have events: then its samples are searched.
  const complete = currents.length < GROUP_LIMIT;
  const hits: Promise<Hit>[] = [];
  for (const row of references) {
    const reference = scale(row.values[0] ?? 0);
    const cur = current.get(groupKey(rule.groupBy, row.group));
    const now = cur?.values[0] ?? 0;
    const text = spikeText(condition, now, reference);
    const sampleIds = cur?.sampleIds ?? (complete ? [] : undefined);
    if (text !== null) hits.push(groupHit(store, rule, window, { group: row.group, observed: now / reference, condition: text, sampleIds }));
  }
  return Promise.all(hits);
}

/** The condition in words when the group spikes, else null. */
function spikeText(condition: SpikeCondition, current: number, reference: number): string | null {
  if (reference <= 0 || reference < condition.minReference) return null;
  const ratio = formatNumber(current / reference);
  const ref = formatNumber(reference);
  const up = condition.direction !== 'down' && current >= condition.minCurrent && current >= condition.factor * reference;
  if (up) return `count ${current} >= ${condition.factor} x reference ${ref} (ratio ${ratio})`;
  const down = condition.direction !== 'up' && current <= reference / condition.factor;
  if (down) return `count ${current} <= reference ${ref} / ${condition.factor} (ratio ${ratio})`;
  return null;
}
