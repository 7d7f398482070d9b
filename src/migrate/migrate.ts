import { errors } from '../errors';
import { MAX_PAGE_SIZE } from '../store/cursor';
import { copyDeadLetters } from './copy-dead-letters';
import { copyEvents } from './copy-events';
import { planAudit } from './plan-audit';
import { planContacts, planLocalities, planSources } from './plan-directory';
import { planIncidents } from './plan-incidents';
import { planCheckpoints, planRuleRuns, planRuleValues } from './plan-rule-state';
import { planTokens, planUsers } from './plan-users';
import type {
  CheckedOptions, Conflict, KindPlan, KindReport, MigrationOptions, MigrationReport, MigrationStores, Planner, ProgressListener,
} from './types';

/** The record kinds, in the order they are copied: a record comes after what it refers to. */
const PLANNERS: readonly Planner[] = [
  planLocalities, planSources, planContacts, planUsers, planTokens, planIncidents, planCheckpoints, planRuleValues, planRuleRuns, planAudit,
];

/** Applies the defaults; throws kind `invalid` naming the option. */
export function checkOptions(o: MigrationOptions): CheckedOptions {
  const checked = {
    since: o.since ?? 0, dryRun: o.dryRun ?? false, pageSize: o.pageSize ?? MAX_PAGE_SIZE, batchSize: o.batchSize ?? 5000,
    settleMs: o.settleMs ?? 60_000, maxConflicts: o.maxConflicts ?? 100,
  };
  if (!Number.isSafeInteger(checked.since)) throw errors.invalidRequest('since must be whole epoch milliseconds', { field: 'since' });
  if (!Number.isInteger(checked.pageSize) || checked.pageSize < 1 || checked.pageSize > MAX_PAGE_SIZE) {
    throw errors.invalidRequest(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`, { field: 'pageSize' });
  }
  for (const field of ['batchSize', 'settleMs', 'maxConflicts'] as const) {
    if (!Number.isSafeInteger(checked[field]) || checked[field] < 0) throw errors.invalidRequest(`${field} must be a whole number`, { field });
  }
  return checked;
}

/** A kind's plan with the planner that made it (run again to verify the copy). */
interface Planned {
  readonly planner: Planner;
  readonly plan: KindPlan;
}

/** Reads both sides of every record kind, writing nothing. */
async function planAll(from: MigrationStores, to: MigrationStores, options: CheckedOptions, onProgress: ProgressListener): Promise<Planned[]> {
  const plans: Planned[] = [];
  for (const planner of PLANNERS) {
    const plan = await planner(from, to, options);
    onProgress({ kind: plan.kind, phase: 'checking', done: plan.source, total: plan.source });
    plans.push({ planner, plan });
  }
  return plans;
}

/**
 * Copies everything of one installation into another through the ports (`canh migrate`,
 * docs/scaling.md): localities, sources with their key hashes, contacts, users and token hashes,
 * incidents with their timelines and processed hits, rule checkpoints, values and runs, audit
 * entries, then events and dead letters.
 *
 * It first reads every record kind on both sides. When the target holds different data under an id
 * of the source, it writes nothing and answers `refused` with the conflicts. Otherwise it writes
 * what the target lacks (records it holds identically are skipped: running it again copies
 * nothing twice, and an interrupted run completes), then checks each kind by reading or counting
 * the target. A dry run stops after the reading and counting.
 *
 * Both sides must be quiet: nothing else should write to the source, or to the target's records.
 */
export async function migrate(from: MigrationStores, to: MigrationStores, options: MigrationOptions = {}, onProgress: ProgressListener = () => undefined): Promise<MigrationReport> {
  const opts = checkOptions(options);
  const planned = await planAll(from, to, opts, onProgress);
  const plans = planned.map((p) => p.plan);
  const conflicts: Conflict[] = plans.flatMap((p) => p.conflicts).slice(0, opts.maxConflicts);
  const unverified = (p: KindPlan, copied: number): KindReport => ({
    kind: p.kind, source: p.source, present: p.present, copied, target: p.present, verified: false,
  });
  if (conflicts.length > 0) return { outcome: 'refused', conflicts, kinds: plans.map((p) => unverified(p, 0)) };
  if (opts.dryRun) {
    const kinds = plans.map((p) => unverified(p, p.source - p.present));
    kinds.push(await copyEvents(from.events, to.events, opts, onProgress));
    kinds.push(await copyDeadLetters(from.events, to.events, opts, onProgress));
    return { outcome: 'dry_run', conflicts: [], kinds };
  }
  const kinds: KindReport[] = [];
  for (const { plan, planner } of planned) {
    const total = plan.source - plan.present;
    onProgress({ kind: plan.kind, phase: 'copying', done: 0, total });
    const copied = await plan.copy((done) => onProgress({ kind: plan.kind, phase: 'copying', done, total }));
    onProgress({ kind: plan.kind, phase: 'verifying', done: 0, total: plan.source });
    const again = await planner(from, to, opts);
    kinds.push({
      kind: plan.kind, source: plan.source, present: plan.present, copied, target: again.present,
      verified: again.present === plan.source && again.source === plan.source && again.conflicts.length === 0,
    });
  }
  kinds.push(await copyEvents(from.events, to.events, opts, onProgress));
  kinds.push(await copyDeadLetters(from.events, to.events, opts, onProgress));
  return { outcome: 'copied', conflicts: [], kinds };
}
