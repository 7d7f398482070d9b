import type { RuleRun, RuleStateStore } from '../../src/store/rule-state-store';

const T = Date.UTC(2026, 10, 23, 2, 0, 0);
const run = (ruleId: string, startedAt: number, over: Partial<RuleRun> = {}): RuleRun => ({
  ruleId, ruleVersion: 'v1', startedAt, durationMs: 12, from: startedAt - 60_000, to: startedAt, hits: 0, skipped: 0, error: null, ...over,
});

/** The RuleStateStore contract: every adapter passes it. */
export function ruleStateStoreContract(name: string, make: () => Promise<{ store: RuleStateStore; reopen?: () => Promise<RuleStateStore> }>, persistent: boolean) {
  describe(`RuleStateStore contract: ${name}`, () => {
    let store: RuleStateStore;
    let reopen: (() => Promise<RuleStateStore>) | undefined;
    beforeEach(async () => {
      ({ store, reopen } = await make());
    });
    afterEach(async () => store.close());

    it('starts without a checkpoint and advances only from where it is', async () => {
      expect(await store.getCheckpoint('r1')).toBeNull();
      expect(await store.advanceCheckpoint('r1', 'v1', T, T + 60_000)).toBe(false);
      expect(await store.advanceCheckpoint('r1', 'v1', null, T)).toBe(true);
      expect(await store.advanceCheckpoint('r1', 'v1', null, T)).toBe(false);
      expect(await store.advanceCheckpoint('r1', 'v2', T, T + 60_000)).toBe(true);
      expect(await store.getCheckpoint('r1')).toEqual({ ruleId: 'r1', ruleVersion: 'v2', evaluatedTo: T + 60_000 });
    });

    it('lets exactly one of two racing evaluations of the same window win', async () => {
      await store.advanceCheckpoint('r2', 'v1', null, T);
      const results = await Promise.all([store.advanceCheckpoint('r2', 'v1', T, T + 60_000), store.advanceCheckpoint('r2', 'v1', T, T + 60_000)]);
      expect(results.sort()).toEqual([false, true]);
    });

    it('keeps runs newest first, per rule, with the last run of each rule', async () => {
      await store.recordRun(run('a', T));
      await store.recordRun(run('a', T + 2000, { hits: 3, hitsByLocality: { '00004': 2, '': 1 } }));
      await store.recordRun(run('a', T + 1000, { error: 'store unavailable', skipped: 4 }));
      await store.recordRun(run('b', T + 500));
      expect((await store.listRuns('a', 10)).map((r) => r.startedAt)).toEqual([T + 2000, T + 1000, T]);
      expect(await store.listRuns('a', 1)).toEqual([run('a', T + 2000, { hits: 3, hitsByLocality: { '00004': 2, '': 1 } })]);
      expect((await store.lastRuns())[0].hitsByLocality).toEqual({ '00004': 2, '': 1 });
      expect((await store.listRuns('a', 10))[1].hitsByLocality).toBeUndefined();
      expect((await store.listRuns('a', 10))[1]).toMatchObject({ error: 'store unavailable', skipped: 4 });
      expect((await store.lastRuns()).map((r) => [r.ruleId, r.startedAt])).toEqual([['a', T + 2000], ['b', T + 500]]);
    });

    it('stores and replaces named JSON values per rule', async () => {
      expect(await store.getValue('a', 'baseline')).toBeNull();
      await store.putValue('a', 'baseline', { '203.0.113.7': T });
      await store.putValue('a', 'baseline', { '203.0.113.7': T, '198.51.100.1': T + 1 });
      await store.putValue('b', 'baseline', ['x']);
      expect(await store.getValue('a', 'baseline')).toEqual({ '203.0.113.7': T, '198.51.100.1': T + 1 });
      expect(await store.getValue('b', 'baseline')).toEqual(['x']);
    });

    (persistent ? it : it.skip)('keeps checkpoints, runs and values across a reopen', async () => {
      await store.advanceCheckpoint('r1', 'v1', null, T);
      await store.recordRun(run('r1', T));
      await store.putValue('r1', 'k', 42);
      await store.close();
      store = await (reopen as () => Promise<RuleStateStore>)();
      expect(await store.getCheckpoint('r1')).toEqual({ ruleId: 'r1', ruleVersion: 'v1', evaluatedTo: T });
      expect(await store.listRuns('r1', 5)).toHaveLength(1);
      expect(await store.getValue('r1', 'k')).toBe(42);
    });
    it('exports every checkpoint and value, for canh migrate', async () => {
      await store.advanceCheckpoint('r2', 'v2', null, T);
      await store.advanceCheckpoint('r1', 'v1', null, T + 60_000);
      await store.putValue('r2', 'seen', ['203.0.113.7']);
      await store.putValue('r1', 'b', { n: 1 });
      await store.putValue('r1', 'a', 3);
      expect(await (store.exportState as NonNullable<RuleStateStore['exportState']>).call(store)).toEqual({
        checkpoints: [{ ruleId: 'r1', ruleVersion: 'v1', evaluatedTo: T + 60_000 }, { ruleId: 'r2', ruleVersion: 'v2', evaluatedTo: T }],
        values: [{ ruleId: 'r1', key: 'a', value: 3 }, { ruleId: 'r1', key: 'b', value: { n: 1 } }, { ruleId: 'r2', key: 'seen', value: ['203.0.113.7'] }],
      });
    });
  });
}
