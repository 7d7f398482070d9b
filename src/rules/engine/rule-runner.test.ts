import { FakeClock } from '../../lib/clock';
import { MemoryEventStore } from '../../store/memory/event-store';
import { MemoryRuleStateStore } from '../../store/memory/rule-state-store';
import { MATCH_ALL } from '../../query/ast';
import type { Clear, Hit, Rule } from '../rule';
import type { Window } from './plan-windows';
import { clearId, hitId, RuleRunner, type Evaluate } from './rule-runner';

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
  const clears: Clear[] = [];
  const sink = { enqueue: async (h: readonly Hit[]) => void queued.push(...h), enqueueClears: async (c: readonly Clear[]) => void clears.push(...c) };
  const runner = new RuleRunner(new MemoryEventStore(), state, sink, clock, evaluate);
  return { clock, state, queued, clears, runner };
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

  describe('auto-resolve (clear tracking)', () => {
    const auto: Rule = { ...rule, autoResolveAfter: 3 };
    /** Runs the rule one window at a time: window k ends at T + k minutes; `firing(k)` gives its groups. */
    async function windows(r: Rule, n: number, firing: (k: number) => string[]) {
      const s = setup(async (_r, w) => firing((w.to - T) / M).map((ip) => hit(w, ip)));
      for (let k = 0; k < n; k++) {
        await s.runner.run(r);
        s.clock.advance(M);
      }
      return s;
    }
    const at = (c: Clear) => `${c.group['source.ip']}@${(c.window.to - T) / M}`;

    it('clears a group after autoResolveAfter consecutive clear windows, once', async () => {
      const two = await windows(auto, 3, (k) => (k === 0 ? ['10.0.0.1'] : []));
      expect(two.clears).toEqual([]);
      const s = await windows(auto, 8, (k) => (k === 0 ? ['10.0.0.1'] : []));
      expect(s.clears.map(at)).toEqual(['10.0.0.1@3']);
      expect(s.clears[0]).toEqual({
        ruleId: 'brute-force', ruleVersion: 'v1', group: { 'source.ip': '10.0.0.1' }, locality: null,
        window: { from: T - 2 * M, to: T + 3 * M }, clearEvaluations: 3,
      });
      expect(clearId(s.clears[0])).toMatch(/^clear-brute-force-[0-9a-f]{16}-\d+$/);
      expect(clearId(s.clears[0])).not.toContain(':');
    });

    it('never clears a group that keeps firing while suppressed', async () => {
      // suppress 3m: of the hits every minute only one in three is queued, yet the group is firing.
      const s = await windows(auto, 10, () => ['10.0.0.1']);
      expect(s.queued.length).toBeLessThan(10);
      expect(s.clears).toEqual([]);
    });

    it('starts the count over when the group fires again (flapping)', async () => {
      const on = new Set([0, 2, 5, 6]);
      const s = await windows(auto, 12, (k) => (on.has(k) ? ['10.0.0.1'] : []));
      expect(s.clears.map(at)).toEqual(['10.0.0.1@9']);
    });

    it('tracks groups separately and keeps their locality', async () => {
      const s = setup(async (_r, w) => {
        const k = (w.to - T) / M;
        return [...(k === 0 ? [{ ...hit(w, 'a'), locality: '00004' }] : []), ...(k <= 2 ? [hit(w, 'b')] : [])];
      });
      for (let k = 0; k < 7; k++) {
        await s.runner.run(auto);
        s.clock.advance(M);
      }
      expect(s.clears.map((c) => [at(c), c.locality])).toEqual([['a@3', '00004'], ['b@5', null]]);
    });

    it('counts a window evaluated again after a crash only once, and raises the same clear', async () => {
      let crash = false;
      const s = setup(async (_r, w) => ((w.to - T) / M === 0 ? [hit(w, '10.0.0.1')] : []));
      const advance = s.state.advanceCheckpoint.bind(s.state);
      s.state.advanceCheckpoint = async (...args) => (crash ? Promise.reject(new Error('crashed')) : advance(...args));
      for (let k = 0; k < 3; k++) {
        await s.runner.run(auto);
        s.clock.advance(M);
      }
      // Window 3 completes the clear run, but the checkpoint cannot move: it is evaluated again.
      crash = true;
      await expect(s.runner.run(auto)).rejects.toThrow('crashed');
      crash = false;
      await s.runner.run(auto);
      s.clock.advance(M);
      await s.runner.run(auto);
      expect(s.clears.map(at)).toEqual(['10.0.0.1@3', '10.0.0.1@3']);
      expect(new Set(s.clears.map(clearId)).size).toBe(1);
    });

    it('does nothing for rules without auto-resolve', async () => {
      const s = await windows({ ...rule, autoResolveAfter: null }, 6, (k) => (k === 0 ? ['10.0.0.1'] : []));
      expect(s.clears).toEqual([]);
      expect(await s.state.getValue(rule.id, 'firing')).toBeNull();
    });
  });
});
