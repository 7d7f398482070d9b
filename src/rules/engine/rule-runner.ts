import { createHash } from 'node:crypto';
import type { Clock } from '../../lib/clock';
import type { EventStore } from '../../store/event-store';
import type { RuleStateStore } from '../../store/rule-state-store';
import type { Hit, Rule } from '../rule';
import { planWindows, type Window } from './plan-windows';

/** Where hits go: the `incidents` queue. Enqueuing the same hit twice keeps one (ids from hitId). */
export interface HitSink {
  enqueue(hits: readonly Hit[]): Promise<void>;
}

export type Evaluate = (rule: Rule, window: Window, store: EventStore) => Promise<Hit[]>;

export interface RunSummary {
  readonly windows: number;
  readonly hits: number;
  readonly skipped: number;
  readonly error: string | null;
}

/** Stable key of a hit's group: the same group values give the same key. */
export function groupKey(group: Hit['group']): string {
  return createHash('sha1').update(JSON.stringify(Object.entries(group).sort(([a], [b]) => (a < b ? -1 : 1)))).digest('hex').slice(0, 16);
}

/** The queue job id of a hit: one per rule, group and window end (BullMQ ids may not contain ':'). */
export function hitId(hit: Hit): string {
  return `hit-${hit.ruleId}-${groupKey(hit.group)}-${hit.window.to}`;
}

const SUPPRESS_KEY = 'suppress';

/**
 * Runs one rule: evaluates every due window (plan-windows.ts), drops hits of groups still
 * suppressed, queues the rest, then moves the checkpoint past the window. The hits are queued
 * before the checkpoint moves, and their job ids are derived from the hit, so a crash in between
 * re-raises the same ids (deduplicated by the queue) rather than losing them; a lost checkpoint race
 * means another engine did this window, and this run stops.
 */
export class RuleRunner {
  constructor(
    private readonly store: EventStore,
    private readonly state: RuleStateStore,
    private readonly hits: HitSink,
    private readonly clock: Clock,
    private readonly evaluate: Evaluate,
  ) {}

  async run(rule: Rule): Promise<RunSummary> {
    const startedAt = this.clock.now();
    const checkpoint = await this.state.getCheckpoint(rule.id);
    const plan = planWindows(rule, checkpoint?.evaluatedTo ?? null, startedAt);
    let expected = checkpoint?.evaluatedTo ?? null;
    let raised = 0;
    let done = 0;
    let error: string | null = null;
    try {
      for (const window of plan.windows) {
        const hits = await this.unsuppressed(rule, await this.evaluate(rule, window, this.store));
        await this.hits.enqueue(hits);
        if (!(await this.state.advanceCheckpoint(rule.id, rule.version, expected, window.to))) break;
        expected = window.to;
        raised += hits.length;
        done++;
      }
    } catch (err) {
      error = (err as Error).message;
    }
    if (plan.windows.length > 0 || error) {
      const last = plan.windows[Math.max(0, done - 1)] ?? { from: startedAt, to: startedAt };
      await this.state.recordRun({
        ruleId: rule.id, ruleVersion: rule.version, startedAt, durationMs: this.clock.now() - startedAt,
        from: plan.windows[0]?.from ?? last.from, to: last.to, hits: raised, skipped: plan.skipped, error,
      });
    }
    if (error) throw new Error(`rule ${rule.id}: ${error}`);
    return { windows: done, hits: raised, skipped: plan.skipped, error };
  }

  /** Hits of groups not raised within the rule's suppression time; remembers the ones let through. */
  private async unsuppressed(rule: Rule, hits: readonly Hit[]): Promise<Hit[]> {
    if (hits.length === 0) return [];
    const last = (await this.state.getValue<Record<string, number>>(rule.id, SUPPRESS_KEY)) ?? {};
    const fresh = hits.filter((h) => {
      const key = groupKey(h.group);
      const previous = last[key];
      if (previous !== undefined && h.window.to - previous < rule.suppressMs && h.window.to > previous) return false;
      last[key] = h.window.to;
      return true;
    });
    // Forget groups quiet for longer than the suppression time, so the map stays small.
    const horizon = hits[0].window.to - rule.suppressMs;
    for (const [k, t] of Object.entries(last)) if (t < horizon) delete last[k];
    await this.state.putValue(rule.id, SUPPRESS_KEY, last);
    return fresh;
  }
}
