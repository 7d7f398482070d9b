import type { Rule } from '../rule';

export interface Window {
  /** Inclusive, epoch ms. */
  readonly from: number;
  /** Exclusive, epoch ms. */
  readonly to: number;
}

export interface WindowPlan {
  /** Windows to evaluate, oldest first; empty when nothing new is due. */
  readonly windows: readonly Window[];
  /** Ends skipped because the rule was stopped longer than the catch-up bound. */
  readonly skipped: number;
}

/** At most this many evaluation steps are caught up after a stop; older ones are skipped (and said). */
export const MAX_CATCH_UP_STEPS = 60;

/**
 * Which windows a rule evaluates now. Evaluation ends are aligned to multiples of `every` and lag
 * `delay` behind the clock (late events). Each end is evaluated once: the next run starts after the
 * checkpoint (the last evaluated end). `match` rules look at exactly the gap since the previous end;
 * the other types at the sliding window [end - window, end).
 */
export function planWindows(rule: Pick<Rule, 'condition' | 'windowMs' | 'everyMs' | 'delayMs'>, checkpoint: number | null, now: number, maxSteps = MAX_CATCH_UP_STEPS): WindowPlan {
  const lastEnd = Math.floor((now - rule.delayMs) / rule.everyMs) * rule.everyMs;
  const firstEnd = checkpoint === null ? lastEnd : checkpoint + rule.everyMs;
  if (firstEnd > lastEnd) return { windows: [], skipped: 0 };
  const steps = Math.floor((lastEnd - firstEnd) / rule.everyMs) + 1;
  const skipped = Math.max(0, steps - maxSteps);
  const windows: Window[] = [];
  for (let end = firstEnd + skipped * rule.everyMs; end <= lastEnd; end += rule.everyMs) {
    windows.push({ from: rule.condition.type === 'match' ? end - rule.everyMs : end - rule.windowMs, to: end });
  }
  return { windows, skipped };
}
