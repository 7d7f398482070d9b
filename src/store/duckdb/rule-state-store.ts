import { MAX_RUNS_PER_RULE, type Checkpoint, type RuleRun, type RuleStateStore } from '../rule-state-store';
import { SmallDuckDb, type Row } from './small-db';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS checkpoints (rule_id VARCHAR PRIMARY KEY, rule_version VARCHAR NOT NULL, evaluated_to BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS rule_runs (
     rule_id VARCHAR NOT NULL, rule_version VARCHAR NOT NULL, started_at BIGINT NOT NULL, duration_ms BIGINT NOT NULL,
     window_from BIGINT NOT NULL, window_to BIGINT NOT NULL, hits BIGINT NOT NULL, skipped BIGINT NOT NULL, error VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS rule_values (rule_id VARCHAR NOT NULL, key VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY (rule_id, key))`,
];

/** RuleStateStore on a DuckDB file of its own (rules.duckdb under the data directory). */
export class DuckDbRuleStateStore implements RuleStateStore {
  private readonly db: SmallDuckDb;

  constructor(options: { readonly path: string }) {
    this.db = new SmallDuckDb(options.path);
  }

  async init(): Promise<void> {
    await this.db.open(SCHEMA);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async getCheckpoint(ruleId: string): Promise<Checkpoint | null> {
    const rows = await this.db.query('SELECT * FROM checkpoints WHERE rule_id = ?', [ruleId]);
    return rows.length ? { ruleId, ruleVersion: String(rows[0].rule_version), evaluatedTo: Number(rows[0].evaluated_to) } : null;
  }

  async advanceCheckpoint(ruleId: string, ruleVersion: string, expectedFrom: number | null, to: number): Promise<boolean> {
    // One statement each way, so the check and the move cannot be split by another writer.
    const changed = expectedFrom === null
      ? await this.db.exec('INSERT INTO checkpoints VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [ruleId, ruleVersion, to])
      : await this.db.exec('UPDATE checkpoints SET rule_version = ?, evaluated_to = ? WHERE rule_id = ? AND evaluated_to = ?', [ruleVersion, to, ruleId, expectedFrom]);
    return changed === 1;
  }

  async recordRun(run: RuleRun): Promise<void> {
    await this.db.exec('INSERT INTO rule_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      run.ruleId, run.ruleVersion, run.startedAt, run.durationMs, run.from, run.to, run.hits, run.skipped, run.error,
    ]);
    await this.db.exec(
      `DELETE FROM rule_runs WHERE rule_id = ? AND started_at < (
         SELECT min(started_at) FROM (SELECT started_at FROM rule_runs WHERE rule_id = ? ORDER BY started_at DESC LIMIT ${MAX_RUNS_PER_RULE}))`,
      [run.ruleId, run.ruleId],
    );
  }

  async listRuns(ruleId: string, limit: number): Promise<readonly RuleRun[]> {
    const rows = await this.db.query('SELECT * FROM rule_runs WHERE rule_id = ? ORDER BY started_at DESC LIMIT ?', [ruleId, limit]);
    return rows.map(toRun);
  }

  async lastRuns(): Promise<readonly RuleRun[]> {
    const rows = await this.db.query('SELECT * FROM rule_runs QUALIFY row_number() OVER (PARTITION BY rule_id ORDER BY started_at DESC) = 1 ORDER BY rule_id');
    return rows.map(toRun);
  }

  async getValue<T>(ruleId: string, key: string): Promise<T | null> {
    const rows = await this.db.query('SELECT value FROM rule_values WHERE rule_id = ? AND key = ?', [ruleId, key]);
    return rows.length ? (JSON.parse(String(rows[0].value)) as T) : null;
  }

  async putValue(ruleId: string, key: string, value: unknown): Promise<void> {
    await this.db.exec('INSERT OR REPLACE INTO rule_values VALUES (?, ?, ?)', [ruleId, key, JSON.stringify(value)]);
  }
}

function toRun(r: Row): RuleRun {
  return {
    ruleId: String(r.rule_id), ruleVersion: String(r.rule_version), startedAt: Number(r.started_at), durationMs: Number(r.duration_ms),
    from: Number(r.window_from), to: Number(r.window_to), hits: Number(r.hits), skipped: Number(r.skipped), error: r.error === null ? null : String(r.error),
  };
}
