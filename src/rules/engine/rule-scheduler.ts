import type { Queue } from 'bullmq';
import type { RuleJob } from '../../queue/jobs';
import type { Rule } from '../rule';

const PREFIX = 'rule:';

/** Margin after a window end (+ delay) before the run starts, so the window is surely due. */
export const SCHEDULE_MARGIN_MS = 50;

/**
 * Where in each `every` period a rule runs: just after its window end plus its delay (window ends
 * are multiples of `every`: plan-windows.ts). Rules of the same `every` and delay thus run at the
 * same instant, which lets their evaluations share passes over the store (batching-store.ts), and
 * a window is evaluated as soon as it is due.
 */
export function scheduleOffset(rule: Pick<Rule, 'everyMs' | 'delayMs'>): number {
  return Math.min(rule.everyMs - 1, (rule.delayMs % rule.everyMs) + SCHEDULE_MARGIN_MS);
}

/**
 * Keeps one BullMQ job scheduler per enabled rule (`rule:<id>`, repeating every `every`) and none
 * for anything else. Upserts are idempotent, so every process may sync; a changed interval replaces
 * the scheduler, a removed or disabled rule loses it.
 */
export async function syncRuleSchedulers(queue: Queue<RuleJob>, rules: readonly Rule[]): Promise<{ upserted: number; removed: number }> {
  const wanted = new Map(rules.filter((r) => r.enabled).map((r) => [PREFIX + r.id, r]));
  let removed = 0;
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const id = s.key ?? s.id;
    if (id && id.startsWith(PREFIX) && !wanted.has(id)) {
      await queue.removeJobScheduler(id);
      removed++;
    }
  }
  for (const [id, rule] of wanted) {
    await queue.upsertJobScheduler(id, { every: rule.everyMs, offset: scheduleOffset(rule) }, { name: 'evaluate', data: { ruleId: rule.id }, opts: { removeOnComplete: 100, removeOnFail: 500 } });
  }
  return { upserted: wanted.size, removed };
}
