import { evaluateRule } from './index';
import { T0, WINDOW, byGroup, makeEvent, makeRule, series, storeWith } from './test-support';

describe('match', () => {
  const match = (filterText = '') => makeRule({ type: 'match' }, { filterText });

  it('gives one hit per group with the count of matching events, not one per event', async () => {
    const store = await storeWith([
      ...series(4, T0, 1000, { 'organization.id': '00001', 'url.path': '/.env' }),
      makeEvent(T0, { 'organization.id': '00002', 'url.path': '/.env' }),
      makeEvent(T0, { 'organization.id': '00003', 'url.path': '/' }),
    ]);
    const hits = byGroup(await evaluateRule(match('url.path:"/.env"'), WINDOW, store));
    expect(hits.map((h) => [h.locality, h.observed, h.condition])).toEqual([['00001', 4, 'count >= 1'], ['00002', 1, 'count >= 1']]);
    expect(hits[0].sampleEventIds).toHaveLength(4);
    expect(hits[0].evidenceQuery).toBe('(url.path:"/.env") AND organization.id:"00001"');
  });

  it('respects the window edges', async () => {
    const store = await storeWith([makeEvent(WINDOW.to), makeEvent(WINDOW.from - 1)]);
    expect(await evaluateRule(match(), WINDOW, store)).toEqual([]);
    const edge = await storeWith([makeEvent(WINDOW.from, {}, 'x')]);
    expect((await evaluateRule(match(), WINDOW, edge)).map((h) => h.sampleEventIds)).toEqual([['x']]);
  });

  it('with no filter text the evidence is only the group terms', async () => {
    const store = await storeWith([makeEvent(T0)]);
    const [hit] = await evaluateRule(match(), WINDOW, store);
    expect(hit.evidenceQuery).toBe('organization.id:"00004"');
  });

  it('with no group by gives one hit for everything and evidence "*" without a filter', async () => {
    const store = await storeWith([makeEvent(T0, { 'organization.id': '1' }), makeEvent(T0, { 'organization.id': '2' })]);
    const hits = await evaluateRule(makeRule({ type: 'match' }, { groupBy: [] }), WINDOW, store);
    expect(hits.map((h) => [h.group, h.locality, h.observed, h.evidenceQuery])).toEqual([[{}, null, 2, '*']]);
  });
});
