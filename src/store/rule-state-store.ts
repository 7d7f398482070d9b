/**
 * Per-rule state of the rule engine: the checkpoint (the end of the last evaluated window), the run
 * history (like ElastAlert's status index) and small named values (e.g. new-value baselines).
 * Implementations: MemoryRuleStateStore, DuckDbRuleStateStore; both pass
 * test/contract/rule-state-store.contract.ts.
 */
export interface Checkpoint {
  readonly ruleId: string;
  /** Rule version the checkpoint was written under. */
  readonly ruleVersion: string;
  /** Exclusive end (epoch ms) of the last evaluated window: the next window starts here. */
  readonly evaluatedTo: number;
}

export interface RuleRun {
  readonly ruleId: string;
  readonly ruleVersion: string;
  /** Epoch ms the evaluation started. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** The evaluated window [from, to). */
  readonly from: number;
  readonly to: number;
  readonly hits: number;
  /**
   * The hits counted by locality code (`''` for hits without one), so that a caller sees only the
   * hits of their scope. Absent on runs recorded before it existed.
   */
  readonly hitsByLocality?: Readonly<Record<string, number>>;
  /** Evaluation ends skipped because the rule was stopped longer than the catch-up bound. */
  readonly skipped: number;
  /** Why the run failed, or null. */
  readonly error: string | null;
}

export interface RuleStateStore {
  init(): Promise<void>;
  close(): Promise<void>;
  /** The rule's checkpoint, or null before its first evaluation. */
  getCheckpoint(ruleId: string): Promise<Checkpoint | null>;
  /**
   * Moves the checkpoint to `to` only if it is still at `expectedFrom` (null: no checkpoint yet).
   * Returns false, changing nothing, when another evaluation moved it first: the caller must then
   * drop its hits, so two engines never raise the same window twice.
   */
  advanceCheckpoint(ruleId: string, ruleVersion: string, expectedFrom: number | null, to: number): Promise<boolean>;
  /** Appends a run to the rule's history (the newest 1,000 runs of a rule are kept). */
  recordRun(run: RuleRun): Promise<void>;
  /** The rule's runs, newest first. */
  listRuns(ruleId: string, limit: number): Promise<readonly RuleRun[]>;
  /** The newest run of every rule that has one. */
  lastRuns(): Promise<readonly RuleRun[]>;
  /** A named JSON value of the rule, or null. */
  getValue<T>(ruleId: string, key: string): Promise<T | null>;
  /** Stores a named JSON value of the rule (replacing it). */
  putValue(ruleId: string, key: string, value: unknown): Promise<void>;
  /**
   * Every checkpoint and named value, ordered by rule id (then key): what `canh migrate` copies so
   * rules neither evaluate a window twice nor skip one (runs are read with lastRuns and listRuns).
   * Optional in the type (an adapter under construction still compiles); every adapter of this
   * repository implements it and the contract suite requires it.
   */
  exportState?(): Promise<RuleStateExport>;
}

/** Everything of a RuleStateStore other than the run history. */
export interface RuleStateExport {
  readonly checkpoints: readonly Checkpoint[];
  readonly values: readonly { readonly ruleId: string; readonly key: string; readonly value: unknown }[];
}

/** Runs kept per rule. */
export const MAX_RUNS_PER_RULE = 1000;
