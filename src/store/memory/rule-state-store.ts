import { MAX_RUNS_PER_RULE, type Checkpoint, type RuleRun, type RuleStateExport, type RuleStateStore } from '../rule-state-store';

/** In-memory RuleStateStore for unit tests; kept honest by the contract suite. */
export class MemoryRuleStateStore implements RuleStateStore {
  private readonly checkpoints = new Map<string, Checkpoint>();
  private readonly runs = new Map<string, RuleRun[]>();
  private readonly values = new Map<string, string>();

  async init(): Promise<void> {}
  async close(): Promise<void> {}

  async getCheckpoint(ruleId: string): Promise<Checkpoint | null> {
    return this.checkpoints.get(ruleId) ?? null;
  }

  async advanceCheckpoint(ruleId: string, ruleVersion: string, expectedFrom: number | null, to: number): Promise<boolean> {
    const current = this.checkpoints.get(ruleId)?.evaluatedTo ?? null;
    if (current !== expectedFrom) return false;
    this.checkpoints.set(ruleId, { ruleId, ruleVersion, evaluatedTo: to });
    return true;
  }

  async recordRun(run: RuleRun): Promise<void> {
    const list = this.runs.get(run.ruleId) ?? [];
    list.unshift({ ...run });
    list.sort((a, b) => b.startedAt - a.startedAt);
    this.runs.set(run.ruleId, list.slice(0, MAX_RUNS_PER_RULE));
  }

  async listRuns(ruleId: string, limit: number): Promise<readonly RuleRun[]> {
    return (this.runs.get(ruleId) ?? []).slice(0, limit).map((r) => ({ ...r }));
  }

  async lastRuns(): Promise<readonly RuleRun[]> {
    return [...this.runs.values()].map((l) => ({ ...l[0] })).sort((a, b) => (a.ruleId < b.ruleId ? -1 : 1));
  }

  async getValue<T>(ruleId: string, key: string): Promise<T | null> {
    const raw = this.values.get(`${ruleId}\u0000${key}`);
    return raw === undefined ? null : (JSON.parse(raw) as T);
  }

  async putValue(ruleId: string, key: string, value: unknown): Promise<void> {
    this.values.set(`${ruleId}\u0000${key}`, JSON.stringify(value));
  }

  async exportState(): Promise<RuleStateExport> {
    const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const checkpoints = [...this.checkpoints.values()].sort((a, b) => byText(a.ruleId, b.ruleId)).map((c) => ({ ...c }));
    const values = [...this.values.entries()]
      .map(([k, raw]) => {
        const [ruleId, key] = k.split('\u0000');
        return { ruleId, key, value: JSON.parse(raw) as unknown };
      })
      .sort((a, b) => byText(a.ruleId, b.ruleId) || byText(a.key, b.key));
    return { checkpoints, values };
  }
}
