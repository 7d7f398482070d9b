import type { Rule } from '../rule';
import { planWindows } from './plan-windows';

const M = 60_000;
const T = Date.UTC(2026, 10, 23, 2, 0, 0);
const threshold = { condition: { type: 'threshold', count: 5 } as Rule['condition'], windowMs: 5 * M, everyMs: M, delayMs: 30_000 };
const match = { ...threshold, condition: { type: 'match' } as Rule['condition'] };

describe('planWindows', () => {
  it('evaluates the window ending at the last aligned end before now - delay, on a first run', () => {
    expect(planWindows(threshold, null, T + 45_000)).toEqual({ windows: [{ from: T - 5 * M, to: T }], skipped: 0 });
    expect(planWindows(threshold, null, T + 29_999).windows[0].to).toBe(T - M);
  });

  it('evaluates nothing twice: an end already evaluated is not due again', () => {
    expect(planWindows(threshold, T, T + 45_000)).toEqual({ windows: [], skipped: 0 });
    expect(planWindows(threshold, T, T + M + 30_000).windows).toEqual([{ from: T - 4 * M, to: T + M }]);
  });

  it('covers exactly the gap after a restart or a slow run, one window per missed end', () => {
    const plan = planWindows(threshold, T, T + 3 * M + 31_000);
    expect(plan.windows.map((w) => w.to)).toEqual([T + M, T + 2 * M, T + 3 * M]);
    expect(plan.skipped).toBe(0);
  });

  it('gives match rules contiguous windows with no overlap and no hole', () => {
    const plan = planWindows(match, T, T + 3 * M + 31_000);
    expect(plan.windows).toEqual([{ from: T, to: T + M }, { from: T + M, to: T + 2 * M }, { from: T + 2 * M, to: T + 3 * M }]);
  });

  it('bounds the catch-up after a long stop and says how much it skipped', () => {
    const plan = planWindows(threshold, T, T + 100 * M + 31_000, 10);
    expect(plan.windows).toHaveLength(10);
    expect(plan.skipped).toBe(90);
    expect(plan.windows[9].to).toBe(T + 100 * M);
    expect(plan.windows[0].to).toBe(T + 91 * M);
  });
});
