import { parseFilter } from '../../query/parse';
import type { RuleCondition } from '../rule';
import { evaluateRule } from './index';
import { T0, WINDOW, byGroup, makeEvent, makeRule, series, storeWith } from './test-support';

const ratio = (r: number, minTotal: number, matchText = 'http.response.status_code:>=500'): RuleCondition =>
  ({ type: 'ratio', match: parseFilter(matchText), matchText, ratio: r, minTotal });
const rule = (c: RuleCondition) => makeRule(c, { filterText: 'http.response.status_code:*' });
const errorsAndOks = (errors: number, oks: number, org = '00004') => [
  ...series(errors, T0, 1000, { 'organization.id': org, 'http.response.status_code': 503 }),
  ...series(oks, T0, 1000, { 'organization.id': org, 'http.response.status_code': 200 }),
];

describe('ratio', () => {
  it('fires at the ratio with the parts in the condition, samples and evidence of the matching events', async () => {
    const store = await storeWith(errorsAndOks(62, 138));
    const [hit] = await evaluateRule(rule(ratio(0.31, 200)), WINDOW, store);
    expect(hit.observed).toBe(0.31);
    expect(hit.condition).toBe('ratio 0.31 >= 0.31 (62/200)');
    expect(hit.evidenceQuery).toBe('(http.response.status_code:*) AND (http.response.status_code:>=500) AND organization.id:"00004"');
    expect(hit.sampleEventIds).toHaveLength(10);
    const stored = await store.search({ from: WINDOW.from, to: WINDOW.to, filter: parseFilter('http.response.status_code:503'), size: 100 }, { kind: 'all' });
    const errorIds = new Set(stored.events.map((e) => (e.event as { id: string }).id));
    expect(hit.sampleEventIds.every((id) => errorIds.has(id))).toBe(true);
  });

  it('does not fire just below the ratio', async () => {
    const store = await storeWith(errorsAndOks(61, 139));
    expect(await evaluateRule(rule(ratio(0.31, 1)), WINDOW, store)).toEqual([]);
    expect((await evaluateRule(rule(ratio(0.3, 1)), WINDOW, store)).map((h) => h.condition)).toEqual(['ratio 0.305 >= 0.3 (61/200)']);
  });

  it('needs the total to reach minTotal', async () => {
    const store = await storeWith(errorsAndOks(5, 4));
    expect(await evaluateRule(rule(ratio(0.5, 10)), WINDOW, store)).toEqual([]);
    expect((await evaluateRule(rule(ratio(0.5, 9)), WINDOW, store)).map((h) => h.observed)).toEqual([5 / 9]);
  });

  it('counts only the window and the rule filter in the total', async () => {
    const store = await storeWith([
      ...errorsAndOks(2, 2),
      makeEvent(WINDOW.to, { 'http.response.status_code': 200 }),
      makeEvent(WINDOW.from - 1, { 'http.response.status_code': 503 }),
      makeEvent(WINDOW.from, { 'http.response.status_code': 503 }),
      makeEvent(T0), // no status code: outside the rule filter
    ]);
    const hits = await evaluateRule(rule(ratio(0.6, 5)), WINDOW, store);
    expect(hits.map((h) => h.condition)).toEqual(['ratio 0.6 >= 0.6 (3/5)']);
  });

  it('joins groups: each group with its own ratio; a group with no matching event is 0', async () => {
    const store = await storeWith([...errorsAndOks(5, 5, '00001'), ...errorsAndOks(1, 9, '00002'), ...errorsAndOks(0, 10, '00003'), ...errorsAndOks(3, 0, '00005')]);
    const hits = byGroup(await evaluateRule(rule(ratio(0.1, 5)), WINDOW, store));
    expect(hits.map((h) => [h.locality, h.observed])).toEqual([['00001', 0.5], ['00002', 0.1]]);
    const zero = byGroup(await evaluateRule(rule(ratio(0, 5)), WINDOW, store));
    expect(zero.map((h) => [h.locality, h.observed])).toEqual([['00001', 0.5], ['00002', 0.1], ['00003', 0]]);
  });
});
