import { errors } from '../errors';
import { MAX_RUNS_PER_RULE, type Checkpoint, type RuleRun } from '../store/rule-state-store';
import { need, sameRecord, type Conflict, type Planner } from './types';

/**
 * Rule checkpoints: each rule resumes where it stopped on the source, so no window is evaluated
 * twice (no duplicate hits) and none is skipped.
 */
export const planCheckpoints: Planner = async (from, to) => {
  const { checkpoints } = await need(from.ruleState, 'exportState', 'RuleStateStore')();
  const fresh: Checkpoint[] = [];
  const conflicts: Conflict[] = [];
  let present = 0;
  for (const c of checkpoints) {
    const there = await to.ruleState.getCheckpoint(c.ruleId);
    if (there === null) fresh.push(c);
    else if (sameRecord(there, c)) present++;
    else conflicts.push({ kind: 'checkpoints', id: c.ruleId, reason: `the target evaluated this rule up to ${new Date(there.evaluatedTo).toISOString()} (source: ${new Date(c.evaluatedTo).toISOString()})` });
  }
  return {
    kind: 'checkpoints', source: checkpoints.length, present, conflicts,
    async copy(progress) {
      for (const [i, c] of fresh.entries()) {
        if (!(await to.ruleState.advanceCheckpoint(c.ruleId, c.ruleVersion, null, c.evaluatedTo))) {
          throw errors.conflict(`The checkpoint of rule ${c.ruleId} was written on the target during the migration: is a Canh running on it?`, { ruleId: c.ruleId });
        }
        progress(i + 1);
      }
      return fresh.length;
    },
  };
};

/** Named values of the rules (e.g. the baselines of new-value rules). */
export const planRuleValues: Planner = async (from, to) => {
  const { values } = await need(from.ruleState, 'exportState', 'RuleStateStore')();
  const fresh: typeof values[number][] = [];
  const conflicts: Conflict[] = [];
  let present = 0;
  for (const v of values) {
    const there = await to.ruleState.getValue<unknown>(v.ruleId, v.key);
    if (there === null) fresh.push(v);
    else if (sameRecord(there, v.value)) present++;
    else conflicts.push({ kind: 'rule_values', id: `${v.ruleId}/${v.key}`, reason: 'the target holds another value under this rule and key' });
  }
  return {
    kind: 'rule_values', source: values.length, present, conflicts,
    async copy(progress) {
      for (const [i, v] of fresh.entries()) {
        await to.ruleState.putValue(v.ruleId, v.key, v.value);
        progress(i + 1);
      }
      return fresh.length;
    },
  };
};

const RUNS_PER_CHUNK = 500;

/** The run history of every rule (the newest MAX_RUNS_PER_RULE a rule), oldest first. A run is its whole record. */
export const planRuleRuns: Planner = async (from, to) => {
  const fresh: RuleRun[] = [];
  let source = 0;
  let present = 0;
  for (const last of await from.ruleState.lastRuns()) {
    const runs = await from.ruleState.listRuns(last.ruleId, MAX_RUNS_PER_RULE);
    const there = new Set((await to.ruleState.listRuns(last.ruleId, MAX_RUNS_PER_RULE)).map((r) => JSON.stringify(runKey(r))));
    source += runs.length;
    for (const r of runs) {
      if (there.has(JSON.stringify(runKey(r)))) present++;
      else fresh.push(r);
    }
  }
  fresh.sort((a, b) => a.startedAt - b.startedAt);
  return {
    kind: 'rule_runs', source, present, conflicts: [],
    async copy(progress) {
      // Concurrent writes of a chunk: stores that group-commit (DuckDB) write a chunk in one transaction.
      for (let i = 0; i < fresh.length; i += RUNS_PER_CHUNK) {
        await Promise.all(fresh.slice(i, i + RUNS_PER_CHUNK).map((r) => to.ruleState.recordRun(r)));
        progress(Math.min(fresh.length, i + RUNS_PER_CHUNK));
      }
      return fresh.length;
    },
  };
};

/** The fields of a run in a fixed order (hitsByLocality by sorted locality), to compare runs of two stores. */
function runKey(r: RuleRun): unknown[] {
  const byLocality = r.hitsByLocality === undefined ? null : Object.entries(r.hitsByLocality).sort(([a], [b]) => (a < b ? -1 : 1));
  return [r.ruleId, r.ruleVersion, r.startedAt, r.durationMs, r.from, r.to, r.hits, r.skipped, r.error, byLocality];
}
