import { createHash } from 'node:crypto';
import type { Clock } from '../../lib/clock';
import type { EventStore } from '../../store/event-store';
import type { RuleStateStore } from '../../store/rule-state-store';
import type { Clear, Hit, Rule } from '../rule';
import { planWindows, type Window } from './plan-windows';

/**
 * Where hits and clears go: the `incidents` queue. Enqueuing the same hit (or clear) twice keeps
 * one (ids from hitId and clearId).
 */
export interface HitSink {
  enqueue(hits: readonly Hit[]): Promise<void>;
  /** Clears of auto-resolving rules (jobs named 'clear'). */
  enqueueClears(clears: readonly Clear[]): Promise<void>;
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

/** The queue job id of a clear: one per rule, group and window end (no ':'). */
export function clearId(clear: Clear): string {
  return `clear-${clear.ruleId}-${groupKey(clear.group)}-${clear.window.to}`;
}

const SUPPRESS_KEY = 'suppress';
const FIRING_KEY = 'firing';

/** A group an auto-resolving rule saw fire, and how many evaluations in a row it has been clear since. */
export interface FiringGroup {
  readonly group: Hit['group'];
  readonly locality: string | null;
  readonly clear: number;
}

/**
 * The stored clear tracking of an auto-resolving rule (value `firing`): the groups after the
 * evaluation of the window ending at `to`, and the groups before it (`base`). A window evaluated
 * again (a crash after the state was written but before the checkpoint moved) starts again from
 * `base`, so it is never counted twice, and raises the same clears (same ids).
 */
interface FiringState {
  readonly to: number;
  readonly base: Record<string, FiringGroup>;
  readonly groups: Record<string, FiringGroup>;
}

/**
 * Runs one rule: evaluates every due window (plan-windows.ts), drops hits of groups still
 * suppressed, queues the rest, then moves the checkpoint past the window. The hits are queued
 * before the checkpoint moves, and their job ids are derived from the hit, so a crash in between
 * re-raises the same ids (deduplicated by the queue) rather than losing them; a lost checkpoint race
 * means another engine did this window, and this run stops.
 *
 * Auto-resolving rules (autoResolveAfter set) also track, per group that fired, how many windows in
 * a row it has been clear (trackClears), and queue a clear for a group once that reaches
 * autoResolveAfter, with the hits and before the checkpoint moves. Other rules run as before.
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
    const byLocality: Record<string, number> = {};
    let done = 0;
    let error: string | null = null;
    try {
      for (const window of plan.windows) {
        const all = await this.evaluate(rule, window, this.store);
        const clears = rule.autoResolveAfter ? await this.trackClears(rule, rule.autoResolveAfter, window, all) : [];
        const hits = await this.unsuppressed(rule, all);
        await this.hits.enqueue(hits);
        if (clears.length > 0) await this.hits.enqueueClears(clears);
        if (!(await this.state.advanceCheckpoint(rule.id, rule.version, expected, window.to))) break;
        expected = window.to;
        raised += hits.length;
        for (const h of hits) byLocality[h.locality ?? ''] = (byLocality[h.locality ?? ''] ?? 0) + 1;
        done++;
      }
    } catch (err) {
      error = (err as Error).message;
    }
    if (plan.windows.length > 0 || error) {
      const last = plan.windows[Math.max(0, done - 1)] ?? { from: startedAt, to: startedAt };
      await this.state.recordRun({
        ruleId: rule.id, ruleVersion: rule.version, startedAt, durationMs: this.clock.now() - startedAt,
        from: plan.windows[0]?.from ?? last.from, to: last.to, hits: raised, hitsByLocality: byLocality, skipped: plan.skipped, error,
      });
    }
    if (error) throw new Error(`rule ${rule.id}: ${error}`);
    return { windows: done, hits: raised, skipped: plan.skipped, error };
  }

  /**
   * Clear tracking of an auto-resolving rule, for one evaluated window: groups with a hit in the
   * window (before suppression: a suppressed group is still firing) are firing again (clear = 0);
   * every other tracked group has one more clear evaluation, and the groups reaching `after` are
   * returned as clears and forgotten.
   */
  private async trackClears(rule: Rule, after: number, window: Window, hits: readonly Hit[]): Promise<Clear[]> {
    const stored = await this.state.getValue<FiringState>(rule.id, FIRING_KEY);
    // Another engine already went past this window: its checkpoint will win, leave its state alone.
    if (stored && stored.to > window.to) return [];
    const start = stored ? (stored.to === window.to ? stored.base : stored.groups) : {};
    const groups: Record<string, FiringGroup> = {};
    const clears: Clear[] = [];
    const firing = new Set<string>();
    for (const h of hits) {
      const key = groupKey(h.group);
      firing.add(key);
      groups[key] = { group: h.group, locality: h.locality, clear: 0 };
    }
    for (const [key, g] of Object.entries(start)) {
      if (firing.has(key)) continue;
      const clear = g.clear + 1;
      if (clear >= after) {
        clears.push({ ruleId: rule.id, ruleVersion: rule.version, group: g.group, locality: g.locality, window: { from: window.from, to: window.to }, clearEvaluations: clear });
      } else {
        groups[key] = { ...g, clear };
      }
    }
    await this.state.putValue(rule.id, FIRING_KEY, { to: window.to, base: start, groups } satisfies FiringState);
    return clears;
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
