import { MATCH_ALL } from '../../query/ast';
import { MemoryEventStore } from '../../store/memory/event-store';
import type { Hit, Rule } from '../rule';
import { dryRun } from './dry-run';
import type { Window } from './plan-windows';

const M = 60_000;
const T = Date.UTC(2026, 10, 23, 2, 0, 0);
const base: Rule = {
  id: 'r', version: 'v1', title: 't', description: '', severity: 'low', category: 'other', tags: [], dataset: 'web.access',
  filter: MATCH_ALL, filterText: '', condition: { type: 'threshold', count: 1 }, groupBy: ['source.ip'],
  windowMs: 5 * M, everyMs: M, delayMs: 30_000, suppressMs: 5 * M, enabled: true, origin: { file: 'x', line: 1 },
};
const hitFor = (w: Window, ip: string): Hit => ({
  ruleId: 'r', ruleVersion: 'v1', group: { 'source.ip': ip }, locality: null, window: w, observed: 1, condition: '', sampleEventIds: [], evidenceQuery: '',
});

describe('dryRun', () => {
  it('evaluates one window per step of the range, each ending inside it, and never before a full window fits', async () => {
    const seen: Window[] = [];
    const r = await dryRun(base, { from: T, to: T + 10 * M }, new MemoryEventStore(), async (_rule, w) => (seen.push(w), []));
    expect(r.windows).toBe(6);
    expect(seen[0]).toEqual({ from: T, to: T + 5 * M });
    expect(seen[5]).toEqual({ from: T + 5 * M, to: T + 10 * M });
  });

  it('gives match rules back-to-back windows covering the whole range', async () => {
    const seen: Window[] = [];
    await dryRun({ ...base, condition: { type: 'match' } }, { from: T, to: T + 3 * M }, new MemoryEventStore(), async (_rule, w) => (seen.push(w), []));
    expect(seen).toEqual([{ from: T, to: T + M }, { from: T + M, to: T + 2 * M }, { from: T + 2 * M, to: T + 3 * M }]);
  });

  it('applies the rule\'s suppression as the engine would, and reports progress', async () => {
    const progress: number[] = [];
    const r = await dryRun(base, { from: T, to: T + 15 * M }, new MemoryEventStore(), async (_rule, w) => [hitFor(w, '203.0.113.7')], (done) => progress.push(done));
    expect(r.hits.map((h) => (h.window.to - T) / M)).toEqual([5, 10, 15]);
    expect(progress).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });
});
