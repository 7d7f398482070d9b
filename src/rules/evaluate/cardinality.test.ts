import { evaluateRule } from './index';
import { T0, WINDOW, byGroup, makeEvent, makeRule, storeWith } from './test-support';

const cardinality = (count: number) => makeRule({ type: 'cardinality', field: 'user.name', count });
const users = (names: (string | null)[], org = '00004', at = T0) => names.map((n) => makeEvent(at, { 'organization.id': org, 'user.name': n }));

describe('cardinality', () => {
  it('counts distinct non-null values, firing at the count and not below', async () => {
    const store = await storeWith(users(['a', 'b', 'b', 'c', null, null]));
    const [hit] = await evaluateRule(cardinality(3), WINDOW, store);
    expect([hit.observed, hit.condition, hit.locality]).toEqual([3, 'distinct user.name >= 3', '00004']);
    expect(hit.sampleEventIds).toHaveLength(6);
    expect(await evaluateRule(cardinality(4), WINDOW, store)).toEqual([]);
    expect((await evaluateRule(cardinality(2), WINDOW, store)).map((h) => h.observed)).toEqual([3]);
  });

  it('counts values at from and not at to', async () => {
    const store = await storeWith([...users(['a'], '00004', WINDOW.from), ...users(['b'], '00004', WINDOW.to), ...users(['c'], '00004', WINDOW.from - 1), ...users(['d'], '00004', WINDOW.to - 1)]);
    expect((await evaluateRule(cardinality(2), WINDOW, store)).map((h) => h.observed)).toEqual([2]);
    expect(await evaluateRule(cardinality(3), WINDOW, store)).toEqual([]);
  });

  it('evaluates each group on its own', async () => {
    const store = await storeWith([...users(['a', 'b'], '00001'), ...users(['a', 'b', 'c'], '00002'), ...users(['a'], '00003')]);
    expect(byGroup(await evaluateRule(cardinality(2), WINDOW, store)).map((h) => [h.locality, h.observed])).toEqual([['00001', 2], ['00002', 3]]);
  });
});
