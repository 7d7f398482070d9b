import { FakeClock } from '../../lib/clock';
import { MemoryEventStore } from '../../store/memory/event-store';
import { MemoryRuleStateStore } from '../../store/memory/rule-state-store';
import { MATCH_ALL } from '../../query/ast';
import type { Hit, Rule } from '../rule';
import type { Window } from './plan-windows';
import { hitId, RuleRunner, type Evaluate } from './rule-runner';

const M = 60_000;
const T = Date.UTC(2026, 10, 23, 2, 0, 0);

const rule: Rule = {
  id: 'brute-force', version: 'v1', title: 't', description: '', severity: 'high', category: 'intrusion-attempts', tags: [],
  dataset: 'web.access', filter: MATCH_ALL, filterText: '', condition: { type: 'threshold', count: 5 }, groupBy: ['source.ip'],
  windowMs: 5 * M, everyMs: M, delayMs: 0, suppressMs: 3 * M, enabled: true, origin: { file: 'x.yaml', line: 1 },
};

const hit = (w: Window, ip: string): Hit => ({
  ruleId: rule.id, ruleVersion: rule.version, group: { 'source.ip': ip }, locality: null, window: w, observed: 9,
  condition: 'count >= 5', sampleEventIds: [], evidenceQuery: '',
});

function setup(evaluate: Evaluate) {
  const clock = new FakeClock(T);
  const state = new MemoryRuleStateStore();
  const queued: Hit[] = [];
  const runner = new RuleRunner(new MemoryEventStore(), state, { enqueue: async (h) => void queued.push(...h) }, clock, evaluate);
  return { clock, state, queued, runner };
}

describe('RuleRunner', () => {
  it('evaluates each due window once and moves the checkpoint past it', async () => {
    const seen: Window[] = [];
    const { clock, state, runner } = setup(async (_r, w) => (seen.push(w), []));
    await runner.run(rule);
    clock.advance(3 * M);
    await runner.run(rule);
    await runner.run(rule);
    expect(seen.map((w) => w.to)).toEqual([T, T + M, T + 2 * M, T + 3 * M]);
    expect((await state.getCheckpoint(rule.id))?.evaluatedTo).toBe(T + 3 * M);
    expect((await state.listRuns(rule.id, 10)).map((r) => r.to)).toEqual([T + 3 * M, T]);
  });

  it('suppresses a group for suppressMs after a hit, but not other groups', async () => {
    const { clock, queued, runner } = setup(async (_r, w) => [hit(w, '203.0.113.7'), ...(w.to === T + 2 * M ? [hit(w, '198.51.100.1')] : [])]);
    await runner.run(rule);
    clock.advance(4 * M);
    await runner.run(rule);
    expect(queued.map((h) => `${h.group['source.ip']}@${(h.window.to - T) / M}`)).toEqual(['203.0.113.7@0', '198.51.100.1@2', '203.0.113.7@3']);
    expect(new Set(queued.map(hitId)).size).toBe(queued.length);
  });

  it('stops when another engine moved the checkpoint during the evaluation', async () => {
    let other: MemoryRuleStateStore | null = null;
    const { clock, state, runner } = setup(async (_r, w) => {
      // The other engine evaluates and commits the same window while this one is busy with it.
      if (w.to === T + M) await other?.advanceCheckpoint(rule.id, 'v1', T, T + M);
      return [hit(w, '10.0.0.1')];
    });
    other = state;
    await runner.run(rule);
    clock.advance(2 * M);
    const summary = await runner.run(rule);
    expect(summary.windows).toBe(0);
    expect((await state.getCheckpoint(rule.id))?.evaluatedTo).toBe(T + M);
  });

  it('records a failed evaluation and leaves the checkpoint where it was, so the window is retried', async () => {
    let fail = true;
    const { clock, state, runner } = setup(async () => {
      if (fail) throw new Error('store unavailable');
      return [];
    });
    await expect(runner.run(rule)).rejects.toThrow('rule brute-force: store unavailable');
    expect(await state.getCheckpoint(rule.id)).toBeNull();
    expect((await state.listRuns(rule.id, 1))[0]).toMatchObject({ error: 'store unavailable', hits: 0 });
    fail = false;
    clock.advance(1000);
    expect((await runner.run(rule)).windows).toBe(1);
    expect((await state.getCheckpoint(rule.id))?.evaluatedTo).toBe(T);
  });
});
