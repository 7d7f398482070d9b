import { LoginThrottle } from './login-throttle';

const MIN = 60_000;

describe('LoginThrottle', () => {
  it('locks a username for 15 minutes after 5 failures within 15 minutes', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 4; i++) t.fail('an', i * MIN);
    expect(t.lockedFor('an', 4 * MIN)).toBe(0);
    t.fail('an', 4 * MIN);
    expect(t.lockedFor('an', 4 * MIN)).toBe(15 * MIN);
    expect(t.lockedFor('an', 18 * MIN)).toBe(MIN);
    expect(t.lockedFor('an', 19 * MIN)).toBe(0);
    expect(t.lockedFor('binh', 4 * MIN)).toBe(0);
  });

  it('forgets failures older than the window, and all of them after a success', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 4; i++) t.fail('an', i * MIN);
    t.fail('an', 16 * MIN); // the first one (at 0) is out of the window
    expect(t.lockedFor('an', 16 * MIN)).toBe(0);
    t.succeed('an');
    for (let i = 0; i < 4; i++) t.fail('an', 17 * MIN);
    expect(t.lockedFor('an', 17 * MIN)).toBe(0);
  });

  it('tracks a bounded number of usernames', () => {
    const t = new LoginThrottle({ maxFailures: 1, windowMs: MIN, lockMs: MIN, maxTracked: 2 });
    t.fail('a', 0);
    t.fail('b', 0);
    t.fail('c', 0);
    expect(t.lockedFor('a', 1)).toBe(0);
    expect(t.lockedFor('c', 1)).toBeGreaterThan(0);
  });
});
