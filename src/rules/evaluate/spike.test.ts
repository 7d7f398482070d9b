import type { RuleCondition } from '../rule';
import { evaluateRule } from './index';
import { MINUTE, WINDOW, byGroup, makeRule, series, storeWith } from './test-support';

const REFERENCE_MS = 50 * MINUTE; // 10 windows: a reference of 10n events scales to n per window
const spike = (direction: 'up' | 'down' | 'both', factor: number, minCurrent = 0, minReference = 0) =>
  makeRule({ type: 'spike', direction, factor, referenceMs: REFERENCE_MS, minCurrent, minReference } satisfies RuleCondition);

/** `n` events spread over the reference window, `m` over the current window, in `org`. */
const traffic = (reference: number, current: number, org = '00004') => [
  ...series(reference, WINDOW.from - REFERENCE_MS, REFERENCE_MS / Math.max(reference, 1), { 'organization.id': org }),
  ...series(current, WINDOW.from, (WINDOW.to - WINDOW.from) / Math.max(current, 1), { 'organization.id': org }),
];

describe('spike', () => {
  it('up: fires at factor × the scaled reference, not just below', async () => {
    const at = await storeWith(traffic(100, 30));
    const [hit] = await evaluateRule(spike('up', 3), WINDOW, at);
    expect([hit.observed, hit.condition]).toEqual([3, 'count 30 >= 3 x reference 10 (ratio 3)']);
    expect(hit.sampleEventIds).toHaveLength(10);
    expect(await evaluateRule(spike('up', 3), WINDOW, await storeWith(traffic(100, 29)))).toEqual([]);
  });

  it('up: needs minCurrent and minReference (scaled)', async () => {
    const store = await storeWith(traffic(10, 4));
    expect((await evaluateRule(spike('up', 3, 4), WINDOW, store)).map((h) => h.observed)).toEqual([4]);
    expect(await evaluateRule(spike('up', 3, 5), WINDOW, store)).toEqual([]);
    expect((await evaluateRule(spike('up', 3, 0, 1), WINDOW, store)).map((h) => h.observed)).toEqual([4]);
    expect(await evaluateRule(spike('up', 3, 0, 2), WINDOW, store)).toEqual([]);
  });

  it('up: a group with no reference never fires', async () => {
    expect(await evaluateRule(spike('up', 2), WINDOW, await storeWith(traffic(0, 50)))).toEqual([]);
  });

  it('down: fires at reference / factor, including a silent group, not just above', async () => {
    const store = await storeWith([...traffic(100, 2, '00001'), ...traffic(100, 3, '00002'), ...traffic(100, 0, '00003')]);
    const hits = byGroup(await evaluateRule(spike('down', 4), WINDOW, store));
    expect(hits.map((h) => [h.locality, h.observed, h.condition])).toEqual([
      ['00001', 0.2, 'count 2 <= reference 10 / 4 (ratio 0.2)'],
      ['00003', 0, 'count 0 <= reference 10 / 4 (ratio 0)'],
    ]);
    expect(hits[1].sampleEventIds).toEqual([]);
  });

  it('down: needs minReference; minCurrent does not apply', async () => {
    const store = await storeWith(traffic(100, 0));
    expect((await evaluateRule(spike('down', 2, 5, 10), WINDOW, store)).map((h) => h.observed)).toEqual([0]);
    expect(await evaluateRule(spike('down', 2, 0, 11), WINDOW, store)).toEqual([]);
  });

  it('both: fires up and down, not for a steady group; up-only and down-only ignore the other way', async () => {
    const store = await storeWith([...traffic(100, 40, '00001'), ...traffic(100, 10, '00002'), ...traffic(100, 1, '00003')]);
    expect(byGroup(await evaluateRule(spike('both', 4), WINDOW, store)).map((h) => h.locality)).toEqual(['00001', '00003']);
    expect((await evaluateRule(spike('up', 4), WINDOW, store)).map((h) => h.locality)).toEqual(['00001']);
    expect((await evaluateRule(spike('down', 4), WINDOW, store)).map((h) => h.locality)).toEqual(['00003']);
  });

  it('splits the windows at from: an event at from is current, one at from - referenceMs is reference', async () => {
    const edges = [
      ...series(1, WINDOW.from - REFERENCE_MS - 1, 1), // before the reference: ignored
      ...series(10, WINDOW.from - REFERENCE_MS, 0), // reference: 10 events → 1 per window
      ...series(3, WINDOW.from, 0), // current
      ...series(5, WINDOW.to, 0), // after the window: ignored
    ];
    const hits = await evaluateRule(spike('up', 3), WINDOW, await storeWith(edges));
    expect(hits.map((h) => h.condition)).toEqual(['count 3 >= 3 x reference 1 (ratio 3)']);
  });
});
