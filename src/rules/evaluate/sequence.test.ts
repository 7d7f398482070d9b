import { parseFilter } from '../../query/parse';
import { evaluateRule } from './index';
import { findCompletions, type SequenceEvent } from './sequence';
import { MINUTE, WINDOW, byGroup, makeEvent, makeRule, storeWith } from './test-support';

const SPAN = 10 * MINUTE;
const step = (filterText: string, count: number) => ({ filter: parseFilter(filterText), filterText, count });
const otpRule = (failures = 3, span = SPAN) => makeRule(
  { type: 'sequence', steps: [step('event.outcome:failure', failures), step('event.outcome:success', 1)], spanMs: span },
  { groupBy: ['organization.id', 'user.name'], filterText: 'event.action:otp-verify' },
);
const otp = (at: number, outcome: 'failure' | 'success', id: string, user = 'alice', org = '00004') =>
  makeEvent(at, { 'organization.id': org, 'user.name': user, 'event.outcome': outcome, 'event.action': 'otp-verify' }, id);
const fails = (times: number[], user = 'alice', prefix = 'f') => times.map((t, i) => otp(t, 'failure', `${prefix}${i + 1}-${user}`, user));
const F = WINDOW.from;
const run = async (events: ReturnType<typeof otp>[], rule = otpRule()) => evaluateRule(rule, WINDOW, await storeWith(events));

describe('sequence', () => {
  it('fires when the steps happen in order within the span, completing in the window', async () => {
    const hits = await run([...fails([F - 3 * MINUTE, F - 2 * MINUTE, F - MINUTE]), otp(F + MINUTE, 'success', 's1')]);
    expect(hits).toEqual([{
      ruleId: 'test-rule', ruleVersion: 'v1', group: { 'organization.id': '00004', 'user.name': 'alice' }, locality: '00004',
      window: { ...WINDOW }, observed: 1,
      condition: `sequence 3 x (event.outcome:failure) then 1 x (event.outcome:success) within ${SPAN} ms`,
      sampleEventIds: ['s1', 'f3-alice', 'f2-alice', 'f1-alice'],
      evidenceQuery: '(event.action:otp-verify) AND ((event.outcome:failure) OR (event.outcome:success)) AND organization.id:"00004" AND user.name:"alice"',
    }]);
  });

  it('does not fire out of order or with too few events in a step', async () => {
    expect(await run([otp(F, 'success', 's1'), ...fails([F + 1, F + 2, F + 3])])).toEqual([]);
    expect(await run([...fails([F, F + 1]), otp(F + 2, 'success', 's1')])).toEqual([]);
    // The next step counts only events strictly after the previous step was satisfied.
    expect(await run([...fails([F, F + 1, F + 2]), otp(F + 2, 'success', 's1')])).toEqual([]);
  });

  it('fires when the span is exactly met, not when it is exceeded', async () => {
    expect(await run([...fails([F - 6 * MINUTE, F, F + 1]), otp(F - 6 * MINUTE + SPAN, 'success', 's1')])).toHaveLength(1);
    expect(await run([...fails([F - 6 * MINUTE, F, F + 1]), otp(F - 6 * MINUTE + SPAN + 1, 'success', 's1')])).toEqual([]);
  });

  it('a later start can still complete within the span when the first is too slow', async () => {
    const hits = await run([...fails([F - 20 * MINUTE, F - 2 * MINUTE, F - MINUTE, F]), otp(F + MINUTE, 'success', 's1')]);
    expect(hits.map((h) => h.sampleEventIds)).toEqual([['s1', 'f4-alice', 'f3-alice', 'f2-alice']]);
  });

  it('does not report a sequence that completed in the previous window', async () => {
    expect(await run([...fails([F - 3 * MINUTE, F - 2 * MINUTE, F - MINUTE]), otp(F - 1, 'success', 's1'), otp(F + MINUTE, 'success', 's2')])).toEqual([]);
  });

  it('completes at from (included) but not at to (excluded)', async () => {
    expect(await run([...fails([F - 3, F - 2, F - 1]), otp(F, 'success', 's1')])).toHaveLength(1);
    expect(await run([...fails([WINDOW.to - 3, WINDOW.to - 2, WINDOW.to - 1]), otp(WINDOW.to, 'success', 's1')])).toEqual([]);
  });

  it('counts distinct completions and keeps groups apart', async () => {
    const hits = byGroup(await run([
      ...fails([F, F + 1, F + 2]), otp(F + 3, 'success', 's1'), ...fails([F + 4, F + 5, F + 6], 'alice', 'g'), otp(F + 7, 'success', 's2'),
      ...fails([F, F + 1], 'bob'), otp(F + 3, 'success', 's-bob', 'bob'),
      ...fails([F, F + 1, F + 2], 'carol'), otp(F + 3, 'success', 's-carol', 'carol'),
    ]));
    expect(hits.map((h) => [h.group['user.name'], h.observed, h.sampleEventIds[0]])).toEqual([['alice', 2, 's2'], ['carol', 1, 's-carol']]);
  });

  it('ignores events outside the rule filter and dataset', async () => {
    const other = makeEvent(F + 1, { 'user.name': 'alice', 'event.outcome': 'success', 'event.action': 'login' }, 'login');
    const otherDataset = makeEvent(F + 1, { 'user.name': 'alice', 'event.outcome': 'success', 'event.action': 'otp-verify', 'event.dataset': 'x' }, 'x');
    expect(await run([...fails([F - 3, F - 2, F - 1]), other, otherDataset])).toEqual([]);
  });

  it('reads past the first search page', async () => {
    const many = fails(Array.from({ length: 1500 }, (_, i) => F + i * 100));
    const hits = await run([...many, otp(F + 1500 * 100, 'success', 's1')], otpRule(1500));
    expect(hits.map((h) => [h.observed, h.sampleEventIds.length])).toEqual([[1, 10]]);
  });
});

describe('findCompletions', () => {
  const ev = (at: number, id: string, ...steps: boolean[]): SequenceEvent => ({ at, id, steps });
  const condition = { steps: [step('a:1', 1), step('b:1', 2)], spanMs: 100 };

  it('lets one event count for every step it matches, in time order', () => {
    const events = [ev(0, 'x', true, false), ev(10, 'y', true, true), ev(20, 'z', false, true)];
    expect(findCompletions(events, condition, { from: 0, to: 50 }).map((c) => [c.end.id, c.events.map((e) => e.id)]))
      .toEqual([['z', ['x', 'y', 'z']]]);
  });
});
