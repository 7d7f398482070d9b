import { parseFilter } from '../../query/parse';
import { toPredicate } from '../../query/predicate';
import { evaluateRule } from './index';
import { DATASET, MINUTE, T0, WINDOW, byGroup, groups, makeEvent, makeRule, series, storeWith } from './test-support';

const threshold = (count: number, filterText = '') => makeRule({ type: 'threshold', count }, { filterText });

describe('threshold', () => {
  it('fires at the threshold with the full hit shape', async () => {
    const events = series(3, T0 + MINUTE, 1000, { 'http.response.status_code': 500 });
    const store = await storeWith(events);
    const hits = await evaluateRule(threshold(3, 'http.response.status_code:>=500'), WINDOW, store);
    expect(hits).toEqual([{
      ruleId: 'test-rule', ruleVersion: 'v1', group: { 'organization.id': '00004' }, locality: '00004',
      window: { from: WINDOW.from, to: WINDOW.to }, observed: 3, condition: 'count >= 3',
      sampleEventIds: events.map((e) => (e.event as { id: string }).id).reverse(),
      evidenceQuery: '(http.response.status_code:>=500) AND organization.id:"00004"',
    }]);
  });

  it('does not fire one below the threshold, fires above it', async () => {
    const store = await storeWith(series(4, T0, 1000));
    expect(await evaluateRule(threshold(5), WINDOW, store)).toEqual([]);
    expect((await evaluateRule(threshold(4), WINDOW, store)).map((h) => h.observed)).toEqual([4]);
    expect((await evaluateRule(threshold(2), WINDOW, store)).map((h) => h.observed)).toEqual([4]);
  });

  it('counts an event exactly at from and not one exactly at to', async () => {
    const store = await storeWith([
      makeEvent(WINDOW.from - 1), makeEvent(WINDOW.from, {}, 'at-from'), makeEvent(WINDOW.to - 1, {}, 'before-to'), makeEvent(WINDOW.to),
    ]);
    const [hit] = await evaluateRule(threshold(1), WINDOW, store);
    expect(hit.observed).toBe(2);
    expect(hit.sampleEventIds).toEqual(['before-to', 'at-from']);
  });

  it('only counts events matching the filter in the rule dataset', async () => {
    const store = await storeWith([
      ...series(2, T0, 1000, { 'http.response.status_code': 500 }),
      ...series(5, T0, 1000, { 'http.response.status_code': 200 }),
      ...series(5, T0, 1000, { 'http.response.status_code': 500, 'event.dataset': 'apache.access' }),
    ]);
    const hits = await evaluateRule(threshold(2, 'http.response.status_code:500'), WINDOW, store);
    expect(hits.map((h) => h.observed)).toEqual([2]);
    expect(await evaluateRule(threshold(3, 'http.response.status_code:500'), WINDOW, store)).toEqual([]);
  });

  it('gives one hit per group over the threshold, including a null group', async () => {
    const store = await storeWith([
      ...series(3, T0, 1000, { 'organization.id': '00001', 'service.name': 'dvc' }),
      ...series(3, T0, 1000, { 'organization.id': '00002', 'service.name': 'dvc' }),
      ...series(3, T0, 1000, { 'organization.id': '00002' }),
      ...series(2, T0, 1000, { 'organization.id': '00003', 'service.name': 'dvc' }),
    ]);
    const rule = makeRule({ type: 'threshold', count: 3 }, { groupBy: ['organization.id', 'service.name'], filterText: 'event.dataset:*' });
    const hits = byGroup(await evaluateRule(rule, WINDOW, store));
    expect(groups(hits)).toEqual([
      { 'organization.id': '00001', 'service.name': 'dvc' },
      { 'organization.id': '00002', 'service.name': 'dvc' },
      { 'organization.id': '00002', 'service.name': null },
    ]);
    expect(hits[2].evidenceQuery).toBe('(event.dataset:*) AND organization.id:"00002" AND NOT _exists_:service.name');
    expect(hits.every((h) => h.sampleEventIds.length === 3)).toBe(true);
  });

  it('has a null locality when not grouped by organization.id, and at most 10 samples', async () => {
    const store = await storeWith(series(12, T0, 1000, { 'user.name': 'an"d\\y' }));
    const rule = makeRule({ type: 'threshold', count: 12 }, { groupBy: ['user.name'] });
    const [hit] = await evaluateRule(rule, WINDOW, store);
    expect(hit.locality).toBeNull();
    expect(hit.sampleEventIds).toHaveLength(10);
    expect(hit.evidenceQuery).toBe('user.name:"an\\"d\\\\y"');
  });

  it('writes an evidence query that parses and selects exactly the group events', async () => {
    const events = [
      ...series(3, T0, 1000, { 'organization.id': '00001', 'service.name': 'dvc' }),
      ...series(3, T0, 1000, { 'organization.id': '00001' }),
      ...series(3, T0, 1000, { 'organization.id': '00002', 'service.name': 'dvc' }),
    ];
    const store = await storeWith(events);
    const rule = makeRule({ type: 'threshold', count: 1 }, { groupBy: ['organization.id', 'service.name'], filterText: 'NOT service.name:x' });
    for (const hit of await evaluateRule(rule, WINDOW, store)) {
      const predicate = toPredicate(parseFilter(hit.evidenceQuery));
      const selected = events.filter(predicate).map((e) => (e.event as { id: string }).id);
      expect(selected.sort()).toEqual([...hit.sampleEventIds].sort());
    }
  });

  it('evaluates every locality of the dataset', async () => {
    const store = await storeWith([makeEvent(T0, { 'organization.id': '01' }), makeEvent(T0, { 'organization.id': '02', 'event.dataset': DATASET })]);
    expect((await evaluateRule(threshold(1), WINDOW, store)).map((h) => h.locality).sort()).toEqual(['01', '02']);
  });
});
