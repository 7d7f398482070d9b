import type { MetricOp } from '../rule';
import { evaluateRule } from './index';
import { T0, WINDOW, byGroup, makeEvent, makeRule, storeWith } from './test-support';

const metric = (op: MetricOp, bounds: { above?: number; below?: number }) =>
  makeRule({ type: 'metric', field: 'event.duration', op, ...bounds });
const durations = (values: (number | null)[], org = '00004', at = T0) => values.map((v) => makeEvent(at, { 'organization.id': org, 'event.duration': v }));

describe('metric', () => {
  it('fires strictly above `above`: equal does not fire', async () => {
    const store = await storeWith(durations([100, 200, 300]));
    expect(await evaluateRule(metric('avg', { above: 200 }), WINDOW, store)).toEqual([]);
    const [hit] = await evaluateRule(metric('avg', { above: 199 }), WINDOW, store);
    expect([hit.observed, hit.condition, hit.sampleEventIds.length]).toEqual([200, 'avg(event.duration) 200 > 199', 3]);
    expect((await evaluateRule(metric('max', { above: 299 }), WINDOW, store)).map((h) => h.observed)).toEqual([300]);
    expect((await evaluateRule(metric('sum', { above: 599 }), WINDOW, store)).map((h) => h.observed)).toEqual([600]);
  });

  it('fires strictly below `below`', async () => {
    const store = await storeWith(durations([100, 200, 300]));
    expect(await evaluateRule(metric('min', { below: 100 }), WINDOW, store)).toEqual([]);
    expect((await evaluateRule(metric('min', { below: 101 }), WINDOW, store)).map((h) => h.condition)).toEqual(['min(event.duration) 100 < 101']);
  });

  it('with both bounds fires when either is crossed, per group', async () => {
    const store = await storeWith([...durations([5], '00001'), ...durations([50], '00002'), ...durations([500], '00003')]);
    const hits = byGroup(await evaluateRule(metric('avg', { above: 100, below: 10 }), WINDOW, store));
    expect(hits.map((h) => [h.locality, h.condition])).toEqual([['00001', 'avg(event.duration) 5 < 10'], ['00003', 'avg(event.duration) 500 > 100']]);
  });

  it('never fires for a group without values, and ignores events outside the window', async () => {
    const store = await storeWith([...durations([null, null], '00001'), ...durations([1000], '00002', WINDOW.to), ...durations([1], '00002', WINDOW.from)]);
    const hits = await evaluateRule(metric('avg', { below: 1000 }), WINDOW, store);
    expect(hits.map((h) => [h.locality, h.observed])).toEqual([['00002', 1]]);
  });

  it('computes p95 and fires nothing without bounds', async () => {
    const store = await storeWith(durations(Array.from({ length: 21 }, (_, i) => i * 10)));
    expect((await evaluateRule(metric('p95', { above: 189 }), WINDOW, store)).map((h) => h.observed)).toEqual([190]);
    expect(await evaluateRule(metric('p95', {}), WINDOW, store)).toEqual([]);
  });
});
