import type { Client } from '@elastic/elasticsearch';
import { MAX_RUNS_PER_RULE, type Checkpoint, type RuleRun, type RuleStateExport, type RuleStateStore } from '../rule-state-store';
import {
  MAX_SEARCH_SIZE, StateIndices, call, docId, fromJson, isConflict, searchAll, sources, toAppError, toJson, type StateStoreOptions,
} from './state-index';

/**
 * RuleStateStore on Elasticsearch: checkpoints (`_id` = rule id), runs (generated ids) and named
 * values (`_id` from rule id and key), each in its own index (mappings.ts).
 *
 * advanceCheckpoint is a compare-and-set: the first checkpoint is created with op_type `create`,
 * later ones replace the document read only if nobody wrote it since (`if_seq_no` +
 * `if_primary_term`); a 409 means another evaluation moved it first → false.
 *
 * Old runs: after recordRun, at most once a minute per rule and process, the startedAt of the
 * rule's MAX_RUNS_PER_RULE-th newest run is read and a delete_by_query removes the rule's runs
 * started before it (runs sharing that start time are kept, so a rule may keep a few more).
 */

/** A rule's runs are pruned at most this often (per process). */
const PRUNE_EVERY_MS = 60_000;

type RunDoc = Omit<RuleRun, 'hitsByLocality'> & { readonly hitsByLocality?: string };
type ValueDoc = { readonly ruleId: string; readonly key: string; readonly value: string; readonly updatedAt: number };

export class ElasticsearchRuleStateStore implements RuleStateStore {
  private readonly indices: StateIndices;
  private readonly lastPrune = new Map<string, number>();

  constructor(private readonly client: Client, options: StateStoreOptions = {}) {
    this.indices = new StateIndices(client, options);
  }

  async init(): Promise<void> {
    await this.indices.ensure(['checkpoints', 'ruleRuns', 'ruleState']);
  }

  /** The client belongs to the caller, who closes it. */
  async close(): Promise<void> {}

  async getCheckpoint(ruleId: string): Promise<Checkpoint | null> {
    return (await this.readCheckpoint(ruleId))?.checkpoint ?? null;
  }

  async advanceCheckpoint(ruleId: string, ruleVersion: string, expectedFrom: number | null, to: number): Promise<boolean> {
    const document: Checkpoint = { ruleId, ruleVersion, evaluatedTo: to };
    const index = this.indices.name('checkpoints');
    let cas: { if_seq_no: number; if_primary_term: number } | { op_type: 'create' } = { op_type: 'create' };
    if (expectedFrom !== null) {
      const current = await this.readCheckpoint(ruleId);
      if (!current || current.checkpoint.evaluatedTo !== expectedFrom) return false;
      cas = { if_seq_no: current.seqNo, if_primary_term: current.primaryTerm };
    }
    try {
      await this.client.index({ index, id: docId(ruleId), document, refresh: this.indices.refresh, ...cas });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw toAppError(err, `moving the checkpoint of rule ${ruleId}`);
    }
  }

  async recordRun(run: RuleRun): Promise<void> {
    const { hitsByLocality, ...rest } = run;
    const document: RunDoc = hitsByLocality === undefined ? rest : { ...rest, hitsByLocality: toJson(hitsByLocality) };
    await call(`recording a run of rule ${run.ruleId}`, () => this.client.index({
      index: this.indices.name('ruleRuns'), document, refresh: this.indices.refresh,
    }));
    try {
      await this.prune(run.ruleId);
    } catch {
      // The run is recorded; pruning is housekeeping and is tried again with the rule's next run.
      this.lastPrune.delete(run.ruleId);
    }
  }

  async listRuns(ruleId: string, limit: number): Promise<readonly RuleRun[]> {
    const size = Math.max(0, Math.min(Math.floor(limit), MAX_SEARCH_SIZE));
    if (size === 0) return [];
    const res = await call(`listing the runs of rule ${ruleId}`, () => this.client.search<RunDoc>({
      index: this.indices.name('ruleRuns'), query: { term: { ruleId } }, sort: [{ startedAt: 'desc' }], size, track_total_hits: false,
    }));
    return sources(res).map(toRun);
  }

  async lastRuns(): Promise<readonly RuleRun[]> {
    // One hit per rule: the newest (collapse keeps the first hit of each ruleId in sort order).
    const res = await call('reading the last run of every rule', () => this.client.search<RunDoc>({
      index: this.indices.name('ruleRuns'), query: { match_all: {} }, collapse: { field: 'ruleId' }, sort: [{ startedAt: 'desc' }],
      size: MAX_SEARCH_SIZE, track_total_hits: false,
    }));
    return sources(res).map(toRun).sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
  }

  async getValue<T>(ruleId: string, key: string): Promise<T | null> {
    const res = await call(`reading value ${key} of rule ${ruleId}`, () => this.client.get<ValueDoc>(
      { index: this.indices.name('ruleState'), id: valueId(ruleId, key) }, { ignore: [404] },
    ));
    return res.found && res._source ? fromJson<T>(res._source.value) : null;
  }

  async putValue(ruleId: string, key: string, value: unknown): Promise<void> {
    const document: ValueDoc = { ruleId, key, value: toJson(value), updatedAt: Date.now() };
    await call(`storing value ${key} of rule ${ruleId}`, () => this.client.index({
      index: this.indices.name('ruleState'), id: valueId(ruleId, key), document, refresh: this.indices.refresh,
    }));
  }

  async exportState(): Promise<RuleStateExport> {
    const checkpoints = await call('exporting checkpoints', () => searchAll<Checkpoint>(
      this.client, this.indices.name('checkpoints'), { match_all: {} }, [{ ruleId: 'asc' }],
    ));
    const values = await call('exporting rule values', () => searchAll<ValueDoc>(
      this.client, this.indices.name('ruleState'), { match_all: {} }, [{ ruleId: 'asc' }, { key: 'asc' }],
    ));
    return {
      checkpoints: checkpoints.map(({ ruleId, ruleVersion, evaluatedTo }) => ({ ruleId, ruleVersion, evaluatedTo })),
      values: values.map((v) => ({ ruleId: v.ruleId, key: v.key, value: fromJson<unknown>(v.value) })),
    };
  }

  private async readCheckpoint(ruleId: string): Promise<{ checkpoint: Checkpoint; seqNo: number; primaryTerm: number } | null> {
    const res = await call(`reading the checkpoint of rule ${ruleId}`, () => this.client.get<Checkpoint>(
      { index: this.indices.name('checkpoints'), id: docId(ruleId) }, { ignore: [404] },
    ));
    if (!res.found || !res._source || res._seq_no == null || res._primary_term == null) return null;
    const { ruleVersion, evaluatedTo } = res._source;
    return { checkpoint: { ruleId, ruleVersion, evaluatedTo }, seqNo: res._seq_no, primaryTerm: res._primary_term };
  }

  /** Deletes the rule's runs older than its MAX_RUNS_PER_RULE newest (bounded: see the class comment). */
  private async prune(ruleId: string): Promise<void> {
    const now = Date.now();
    if (now - (this.lastPrune.get(ruleId) ?? 0) < PRUNE_EVERY_MS) return;
    this.lastPrune.set(ruleId, now);
    const index = this.indices.name('ruleRuns');
    const res = await call(`pruning the runs of rule ${ruleId}`, () => this.client.search<RunDoc>({
      index, query: { term: { ruleId } }, sort: [{ startedAt: 'desc' }], from: MAX_RUNS_PER_RULE - 1, size: 1, track_total_hits: false,
    }));
    const [oldestKept] = sources(res);
    if (!oldestKept) return;
    await call(`pruning the runs of rule ${ruleId}`, () => this.client.deleteByQuery({
      index, conflicts: 'proceed', refresh: this.indices.refresh !== false,
      query: { bool: { filter: [{ term: { ruleId } }, { range: { startedAt: { lt: oldestKept.startedAt } } }] } },
    }));
  }
}

const valueId = (ruleId: string, key: string): string => docId(JSON.stringify([ruleId, key]));

function toRun(d: RunDoc): RuleRun {
  const run: RuleRun = {
    ruleId: d.ruleId, ruleVersion: d.ruleVersion, startedAt: d.startedAt, durationMs: d.durationMs, from: d.from, to: d.to,
    hits: d.hits, skipped: d.skipped, error: d.error ?? null,
  };
  return d.hitsByLocality === undefined || d.hitsByLocality === null ? run : { ...run, hitsByLocality: fromJson<Record<string, number>>(d.hitsByLocality) };
}
