import { DAY_MS } from './new-value';
import { evaluateRule } from './index';
import { WINDOW, byGroup, makeEvent, makeRule, storeWith } from './test-support';

const newValue = (fields: string[], lookbackDays = 7, groupBy = ['organization.id']) =>
  makeRule({ type: 'new_value', fields, lookbackDays }, { groupBy, filterText: 'event.outcome:success' });
const login = (at: number, user: string | null, ip: string | null, org = '00004', id?: string) =>
  makeEvent(at, { 'organization.id': org, 'user.name': user, 'source.ip': ip, 'event.outcome': 'success' }, id);
const LOOKBACK_START = WINDOW.from - 7 * DAY_MS;

describe('new_value', () => {
  it('fires for a value absent from the lookback, with group = group by + fields', async () => {
    const store = await storeWith([login(WINDOW.from - DAY_MS, 'alice', null), login(WINDOW.from, 'alice', null), login(WINDOW.from + 1, 'bob', null, '00004', 'b1'), login(WINDOW.from + 2, 'bob', null, '00004', 'b2')]);
    const hits = await evaluateRule(newValue(['user.name']), WINDOW, store);
    expect(hits).toEqual([{
      ruleId: 'test-rule', ruleVersion: 'v1', group: { 'organization.id': '00004', 'user.name': 'bob' }, locality: '00004',
      window: { ...WINDOW }, observed: 2, condition: 'new value of user.name (not seen in 7 days)', sampleEventIds: ['b2', 'b1'],
      evidenceQuery: '(event.outcome:success) AND organization.id:"00004" AND user.name:"bob"',
    }]);
  });

  it('uses the lookback edges: seen at its start is known, seen just before it is new again', async () => {
    const store = await storeWith([login(LOOKBACK_START, 'alice', null), login(LOOKBACK_START - 1, 'bob', null), login(WINDOW.from, 'alice', null), login(WINDOW.to - 1, 'bob', null), login(WINDOW.to, 'carol', null)]);
    expect((await evaluateRule(newValue(['user.name']), WINDOW, store)).map((h) => h.group['user.name'])).toEqual(['bob']);
  });

  it('is per group: a value known in one locality is new in another', async () => {
    const store = await storeWith([login(WINDOW.from - 1, 'alice', null, '00001'), login(WINDOW.from, 'alice', null, '00001'), login(WINDOW.from, 'alice', null, '00002')]);
    expect((await evaluateRule(newValue(['user.name']), WINDOW, store)).map((h) => h.locality)).toEqual(['00002']);
  });

  it('treats the fields as a tuple, and a tuple with a missing field as no value', async () => {
    const store = await storeWith([
      login(WINDOW.from - 1, 'alice', '10.0.0.1'), login(WINDOW.from - 1, 'bob', '10.0.0.2'),
      login(WINDOW.from, 'alice', '10.0.0.2'), login(WINDOW.from, 'bob', '10.0.0.2'), login(WINDOW.from, 'carol', null),
    ]);
    const hits = byGroup(await evaluateRule(newValue(['user.name', 'source.ip']), WINDOW, store));
    expect(hits.map((h) => h.group)).toEqual([{ 'organization.id': '00004', 'user.name': 'alice', 'source.ip': '10.0.0.2' }]);
    expect(hits[0].evidenceQuery).toBe('(event.outcome:success) AND organization.id:"00004" AND user.name:"alice" AND source.ip:"10.0.0.2"');
  });

  it('handles a null group-by value and a field also in group by', async () => {
    const store = await storeWith([login(WINDOW.from - 1, 'alice', null), login(WINDOW.from, 'alice', null), login(WINDOW.from, 'dave', null)]);
    const rule = newValue(['user.name'], 7, ['user.name', 'source.ip']);
    const hits = await evaluateRule(rule, WINDOW, store);
    expect(hits.map((h) => [h.group, h.locality, h.evidenceQuery])).toEqual([[
      { 'user.name': 'dave', 'source.ip': null }, null, '(event.outcome:success) AND user.name:"dave" AND NOT _exists_:source.ip',
    ]]);
  });

  it('checks the lookback in chunks: many new and known values', async () => {
    const users = Array.from({ length: 450 }, (_, i) => `u${i}`);
    const store = await storeWith([
      ...users.filter((_, i) => i % 3 === 0).map((u) => login(WINDOW.from - DAY_MS, u, null)),
      ...users.map((u) => login(WINDOW.from, u, null)),
    ]);
    const hits = await evaluateRule(newValue(['user.name']), WINDOW, store);
    expect(hits.map((h) => h.group['user.name']).sort()).toEqual(users.filter((_, i) => i % 3 !== 0).sort());
  });
});
