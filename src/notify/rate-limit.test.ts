import { MemoryNotifyLimiter } from './memory-rate-limiter';
import { rateWindow } from './rate-limit';
import { sampleNotification, T0 } from './test-support';

describe('rateWindow', () => {
  it('aligns windows to multiples of their length', () => {
    expect(rateWindow(T0 + 1234, 600_000)).toEqual({ index: Math.floor((T0 + 1234) / 600_000), start: T0, end: T0 + 600_000 });
    expect(rateWindow(T0 + 600_000, 600_000).start).toBe(T0 + 600_000);
  });
});

describe('MemoryNotifyLimiter (the rate-limit logic the Redis limiter follows)', () => {
  const n = (k: number) => sampleNotification({ id: `inc_${k}-incident_opened-0`, incident: { id: `inc_${k}` } });

  it('admits `limit` notifications per recipient and window, holds the rest in order, counts a retried id once', async () => {
    const limiter = new MemoryNotifyLimiter(3, 600_000);
    const answers = [];
    for (let k = 0; k < 5; k++) answers.push((await limiter.admit('r1', n(k), T0 + k)).admitted);
    expect(answers).toEqual([true, true, true, false, false]);
    expect(await limiter.admit('r1', n(1), T0 + 10)).toEqual({ admitted: true });
    expect(await limiter.admit('r1', n(4), T0 + 10)).toEqual({ admitted: false, window: rateWindow(T0, 600_000) });
    const w = rateWindow(T0, 600_000).index;
    expect((await limiter.held('r1', w)).map((x) => x.id)).toEqual([n(3).id, n(4).id]);
    expect((await limiter.admit('r2', n(9), T0)).admitted).toBe(true);
    expect((await limiter.admit('r1', n(7), T0 + 600_000)).admitted).toBe(true);
    await limiter.release('r1', w, 1);
    expect((await limiter.held('r1', w)).map((x) => x.id)).toEqual([n(4).id]);
  });
});
