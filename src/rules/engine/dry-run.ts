import type { EventStore } from '../../store/event-store';
import type { Hit, Rule } from '../rule';
import type { Window } from './plan-windows';
import { groupKey, type Evaluate } from './rule-runner';

export interface DryRunResult {
  readonly windows: number;
  readonly hits: readonly Hit[];
}

/** Longest range a dry run replays, in evaluation steps. */
export const MAX_DRY_RUN_STEPS = 10_000;

/**
 * Replays a rule over [from, to) as the engine would have run it: one evaluation per `every`
 * (ends aligned as in plan-windows.ts, delay ignored since the events are already there), with the
 * same suppression, raising nothing and writing no state. `onProgress` gets (done, total).
 */
export async function dryRun(rule: Rule, range: Window, store: EventStore, evaluate: Evaluate, onProgress?: (done: number, total: number) => void): Promise<DryRunResult> {
  const first = Math.ceil((range.from + (rule.condition.type === 'match' ? rule.everyMs : rule.windowMs)) / rule.everyMs) * rule.everyMs;
  const ends: number[] = [];
  for (let end = first; end <= range.to; end += rule.everyMs) ends.push(end);
  if (ends.length > MAX_DRY_RUN_STEPS) ends.splice(0, ends.length - MAX_DRY_RUN_STEPS);
  const lastHit = new Map<string, number>();
  const hits: Hit[] = [];
  for (const [i, end] of ends.entries()) {
    const window = { from: rule.condition.type === 'match' ? end - rule.everyMs : end - rule.windowMs, to: end };
    for (const hit of await evaluate(rule, window, store)) {
      const key = groupKey(hit.group);
      const previous = lastHit.get(key);
      if (previous !== undefined && end - previous < rule.suppressMs) continue;
      lastHit.set(key, end);
      hits.push(hit);
    }
    onProgress?.(i + 1, ends.length);
  }
  return { windows: ends.length, hits };
}
