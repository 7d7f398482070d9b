import { evaluateRule } from './index';
import { MINUTE, WINDOW, byGroup, makeEvent, makeRule, series, storeWith } from './test-support';

const LOOKBACK = 60 * MINUTE;
const absence = (fewerThan: number, filterText = '') =>
  makeRule({ type: 'absence', fewerThan, lookbackMs: LOOKBACK }, { filterText, groupBy: ['organization.id', 'monitor.id'] });
const probe = (at: number, org: string, monitor: string, status = 'up', id?: string) =>
  makeEvent(at, { 'organization.id': org, 'monitor.id': monitor, 'monitor.status': status }, id);

describe('absence', () => {
  it('fires for a group seen in the lookback and silent in the window, with the last events as samples', async () => {
    const store = await storeWith([probe(WINDOW.from - 10 * MINUTE, '00001', 'web', 'up', 'last-seen'), probe(WINDOW.from - 20 * MINUTE, '00001', 'web', 'up', 'before')]);
    const hits = await evaluateRule(absence(1, 'monitor.status:up'), WINDOW, store);
    expect(hits).toEqual([{
      ruleId: 'test-rule', ruleVersion: 'v1', group: { 'organization.id': '00001', 'monitor.id': 'web' }, locality: '00001',
      window: { ...WINDOW }, observed: 0, condition: `count < 1 (seen in the previous ${LOOKBACK} ms)`,
      sampleEventIds: ['last-seen', 'before'], evidenceQuery: '(monitor.status:up) AND organization.id:"00001" AND monitor.id:"web"',
    }]);
  });

  it('never fires for a group not seen in the lookback', async () => {
    const store = await storeWith([probe(WINDOW.from - LOOKBACK - 1, '00001', 'web'), probe(WINDOW.to, '00002', 'web')]);
    expect(await evaluateRule(absence(1), WINDOW, store)).toEqual([]);
  });

  it('counts only events matching the filter: a service with only failed probes is absent', async () => {
    const store = await storeWith([probe(WINDOW.from - MINUTE, '00001', 'web'), probe(WINDOW.from + MINUTE, '00001', 'web', 'down')]);
    expect((await evaluateRule(absence(1, 'monitor.status:up'), WINDOW, store)).map((h) => h.observed)).toEqual([0]);
    expect(await evaluateRule(absence(1), WINDOW, store)).toEqual([]);
  });

  it('fires below fewerThan, not at it', async () => {
    const store = await storeWith([probe(WINDOW.from - MINUTE, '00001', 'web'), ...series(2, WINDOW.from, MINUTE, { 'organization.id': '00001', 'monitor.id': 'web' })]);
    expect((await evaluateRule(absence(3), WINDOW, store)).map((h) => [h.observed, h.condition])).toEqual([[2, `count < 3 (seen in the previous ${LOOKBACK} ms)`]]);
    expect(await evaluateRule(absence(2), WINDOW, store)).toEqual([]);
  });

  it('uses the edges: seen at from - lookbackMs counts, an event at to does not save the group, one at from does', async () => {
    const store = await storeWith([
      probe(WINDOW.from - LOOKBACK, '00001', 'web'), probe(WINDOW.to, '00001', 'web'),
      probe(WINDOW.from - 1, '00002', 'web'), probe(WINDOW.from, '00002', 'web'),
    ]);
    expect((await evaluateRule(absence(1), WINDOW, store)).map((h) => h.locality)).toEqual(['00001']);
  });

  it('evaluates groups apart, including a null group', async () => {
    const store = await storeWith([
      probe(WINDOW.from - MINUTE, '00001', 'web'), probe(WINDOW.from - MINUTE, '00001', 'mail'), probe(WINDOW.from + MINUTE, '00001', 'mail'),
      makeEvent(WINDOW.from - MINUTE, { 'organization.id': '00003' }),
    ]);
    const hits = byGroup(await evaluateRule(absence(1), WINDOW, store));
    expect(hits.map((h) => h.group)).toEqual([{ 'organization.id': '00001', 'monitor.id': 'web' }, { 'organization.id': '00003', 'monitor.id': null }]);
    expect(hits[1].evidenceQuery).toBe('organization.id:"00003" AND NOT _exists_:monitor.id');
    expect(hits[1].sampleEventIds).toHaveLength(1);
  });

  it('asks the count of a seen group the window aggregate left out (more than 10,000 groups)', async () => {
    const busy = Array.from({ length: 10_000 }, (_, i) => [probe(WINDOW.from, 'busy', `m${i}`), probe(WINDOW.from + 1, 'busy', `m${i}`)]).flat();
    const store = await storeWith([...busy, probe(WINDOW.from - MINUTE, '00001', 'web'), probe(WINDOW.from, '00001', 'web'), probe(WINDOW.from - MINUTE, '00001', 'mail')]);
    const hits = await evaluateRule(absence(1), WINDOW, store);
    expect(hits.map((h) => h.group)).toEqual([{ 'organization.id': '00001', 'monitor.id': 'mail' }]);
  });
});
