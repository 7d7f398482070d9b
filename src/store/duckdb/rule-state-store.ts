import { MAX_RUNS_PER_RULE, type Checkpoint, type RuleRun, type RuleStateExport, type RuleStateStore } from '../rule-state-store';
import { SmallDuckDb, type Row } from './small-db';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS checkpoints (rule_id VARCHAR PRIMARY KEY, rule_version VARCHAR NOT NULL, evaluated_to BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS rule_runs (
     rule_id VARCHAR NOT NULL, rule_version VARCHAR NOT NULL, started_at BIGINT NOT NULL, duration_ms BIGINT NOT NULL,
     window_from BIGINT NOT NULL, window_to BIGINT NOT NULL, hits BIGINT NOT NULL, skipped BIGINT NOT NULL, error VARCHAR)`,
  `ALTER TABLE rule_runs ADD COLUMN IF NOT EXISTS hits_by_locality VARCHAR`,
  `CREATE TABLE IF NOT EXISTS rule_values (rule_id VARCHAR NOT NULL, key VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY (rule_id, key))`,
];

/** Rows per multi-row INSERT statement. */
const ROWS_PER_STATEMENT = 500;
/** Old runs are pruned at most this often. */
const PRUNE_EVERY_MS = 60_000;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * RuleStateStore on a DuckDB file of its own (rules.duckdb under the data directory).
 *
 * DuckDB answers a single-row statement in about a millisecond, so 1,000 rules each reading and
 * writing their state one statement at a time would spend over 10 s per round on bookkeeping. The
 * embedded store is opened by one process only (ADR 0001), so this adapter keeps checkpoints,
 * values and each rule's last run in memory (loaded at init) and answers reads and the
 * compare-and-set from there; writes are group-committed: every write made while the previous
 * flush ran goes to the file in ONE transaction of multi-row statements, and each write's promise
 * resolves only once its transaction committed (durable, as before).
 */
export class DuckDbRuleStateStore implements RuleStateStore {
  private readonly db: SmallDuckDb;
  private readonly checkpoints = new Map<string, Checkpoint>();
  private readonly values = new Map<string, string>();
  private readonly lastRun = new Map<string, RuleRun>();
  private dirtyCheckpoints = new Map<string, Checkpoint>();
  private dirtyValues = new Map<string, { ruleId: string; key: string; json: string }>();
  private newRuns: RuleRun[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  private lastPrune = 0;

  constructor(options: { readonly path: string }) {
    this.db = new SmallDuckDb(options.path);
  }

  async init(): Promise<void> {
    await this.db.open(SCHEMA);
    for (const r of await this.db.query('SELECT * FROM checkpoints')) {
      this.checkpoints.set(String(r.rule_id), { ruleId: String(r.rule_id), ruleVersion: String(r.rule_version), evaluatedTo: Number(r.evaluated_to) });
    }
    for (const r of await this.db.query('SELECT * FROM rule_values')) this.values.set(valueKey(String(r.rule_id), String(r.key)), String(r.value));
    for (const r of await this.db.query('SELECT * FROM rule_runs QUALIFY row_number() OVER (PARTITION BY rule_id ORDER BY started_at DESC) = 1')) {
      this.lastRun.set(String(r.rule_id), toRun(r));
    }
  }

  async close(): Promise<void> {
    await this.flushNow();
    this.db.close();
  }

  async getCheckpoint(ruleId: string): Promise<Checkpoint | null> {
    return this.checkpoints.get(ruleId) ?? null;
  }

  async advanceCheckpoint(ruleId: string, ruleVersion: string, expectedFrom: number | null, to: number): Promise<boolean> {
    // Checked and moved in one synchronous step: two racing callers cannot both see `expectedFrom`.
    const current = this.checkpoints.get(ruleId);
    if ((current?.evaluatedTo ?? null) !== expectedFrom) return false;
    const next = { ruleId, ruleVersion, evaluatedTo: to };
    this.checkpoints.set(ruleId, next);
    this.dirtyCheckpoints.set(ruleId, next);
    await this.persist();
    return true;
  }

  async recordRun(run: RuleRun): Promise<void> {
    const last = this.lastRun.get(run.ruleId);
    if (!last || run.startedAt >= last.startedAt) this.lastRun.set(run.ruleId, run);
    this.newRuns.push(run);
    await this.persist();
  }

  async listRuns(ruleId: string, limit: number): Promise<readonly RuleRun[]> {
    await this.flushNow();
    const rows = await this.db.query('SELECT * FROM rule_runs WHERE rule_id = ? ORDER BY started_at DESC LIMIT ?', [ruleId, limit]);
    return rows.map(toRun);
  }

  async lastRuns(): Promise<readonly RuleRun[]> {
    return [...this.lastRun.values()].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
  }

  async getValue<T>(ruleId: string, key: string): Promise<T | null> {
    const json = this.values.get(valueKey(ruleId, key));
    return json === undefined ? null : (JSON.parse(json) as T);
  }

  async putValue(ruleId: string, key: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    this.values.set(valueKey(ruleId, key), json);
    this.dirtyValues.set(valueKey(ruleId, key), { ruleId, key, json });
    await this.persist();
  }

  async exportState(): Promise<RuleStateExport> {
    // The maps are the state: loaded at init and changed before each write is committed.
    const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const checkpoints = [...this.checkpoints.values()].sort((a, b) => byText(a.ruleId, b.ruleId)).map((c) => ({ ...c }));
    const values = [...this.values.entries()]
      .map(([k, json]) => {
        const [ruleId, key] = JSON.parse(k) as [string, string];
        return { ruleId, key, value: JSON.parse(json) as unknown };
      })
      .sort((a, b) => byText(a.ruleId, b.ruleId) || byText(a.key, b.key));
    return { checkpoints, values };
  }

  /** Resolves once everything written so far is committed. */
  private persist(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushNow(): Promise<void> {
    if (this.flushing) await this.flushing;
    if (this.waiters.length || this.newRuns.length || this.dirtyCheckpoints.size || this.dirtyValues.size) await this.persist();
  }

  /** Commits what is pending, again and again while more arrives during a commit. */
  private async flushLoop(): Promise<void> {
    // Let the callers of this tick join the first transaction.
    await new Promise((r) => setImmediate(r));
    while (this.waiters.length) {
      const waiters = this.waiters;
      const checkpoints = [...this.dirtyCheckpoints.values()];
      const values = [...this.dirtyValues.values()];
      const runs = this.newRuns;
      this.waiters = [];
      this.dirtyCheckpoints = new Map();
      this.dirtyValues = new Map();
      this.newRuns = [];
      try {
        await this.commit(checkpoints, values, runs);
        waiters.forEach((w) => w.resolve());
      } catch (err) {
        // Nothing of it was written: mark it dirty again (unless newer writes replaced it), so the
        // next flush retries it, and fail these callers.
        for (const c of checkpoints) if (!this.dirtyCheckpoints.has(c.ruleId)) this.dirtyCheckpoints.set(c.ruleId, c);
        for (const v of values) if (!this.dirtyValues.has(valueKey(v.ruleId, v.key))) this.dirtyValues.set(valueKey(v.ruleId, v.key), v);
        this.newRuns = [...runs, ...this.newRuns];
        waiters.forEach((w) => w.reject(err));
      }
    }
    this.flushing = null;
  }

  private async commit(checkpoints: readonly Checkpoint[], values: readonly { ruleId: string; key: string; json: string }[], runs: readonly RuleRun[]): Promise<void> {
    const prune = runs.length > 0 && Date.now() - this.lastPrune >= PRUNE_EVERY_MS;
    await this.db.transaction(async () => {
      await this.insertRows('INSERT OR REPLACE INTO checkpoints VALUES', 3, checkpoints.map((c) => [c.ruleId, c.ruleVersion, c.evaluatedTo]));
      await this.insertRows('INSERT OR REPLACE INTO rule_values VALUES', 3, values.map((v) => [v.ruleId, v.key, v.json]));
      await this.insertRows(
        'INSERT INTO rule_runs (rule_id, rule_version, started_at, duration_ms, window_from, window_to, hits, skipped, error, hits_by_locality) VALUES', 10,
        runs.map((r) => [r.ruleId, r.ruleVersion, r.startedAt, r.durationMs, r.from, r.to, r.hits, r.skipped, r.error, r.hitsByLocality ? JSON.stringify(r.hitsByLocality) : null]),
      );
      if (prune) {
        await this.db.exec(`DELETE FROM rule_runs WHERE rowid IN (SELECT rowid FROM rule_runs
          QUALIFY row_number() OVER (PARTITION BY rule_id ORDER BY started_at DESC) > ${MAX_RUNS_PER_RULE})`, []);
      }
    });
    if (prune) this.lastPrune = Date.now();
  }

  private async insertRows(head: string, width: number, rows: readonly unknown[][]): Promise<void> {
    const one = `(${Array.from({ length: width }, () => '?').join(', ')})`;
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
      await this.db.exec(`${head} ${chunk.map(() => one).join(', ')}`, chunk.flat());
    }
  }
}

function valueKey(ruleId: string, key: string): string {
  return JSON.stringify([ruleId, key]);
}

function toRun(r: Row): RuleRun {
  return {
    ruleId: String(r.rule_id), ruleVersion: String(r.rule_version), startedAt: Number(r.started_at), durationMs: Number(r.duration_ms),
    from: Number(r.window_from), to: Number(r.window_to), hits: Number(r.hits), skipped: Number(r.skipped), error: r.error === null ? null : String(r.error),
    ...(r.hits_by_locality == null ? {} : { hitsByLocality: JSON.parse(String(r.hits_by_locality)) as Record<string, number> }),
  };
}
