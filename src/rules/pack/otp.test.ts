import { DAY, HOUR, MINUTE, T0, otp, packRule, run, summary, times } from './pack-support';

/** The shipped rules of rules/otp.yaml, on hand-made OTP events (no phone number, no code: only its hash). */

type Action = 'otp-requested' | 'otp-sent' | 'otp-delivery-failed' | 'otp-verified' | 'otp-verify-failed' | 'otp-expired' | 'otp-locked';
const OUTCOME: Record<Action, string> = {
  'otp-requested': 'success', 'otp-sent': 'success', 'otp-verified': 'success',
  'otp-delivery-failed': 'failure', 'otp-verify-failed': 'failure', 'otp-expired': 'failure', 'otp-locked': 'failure',
};

/** An OTP event as the otp-json parser stores it. */
function act(at: number, action: Action, user: string, more: Record<string, string | number | null> = {}) {
  return otp(at, {
    'event.action': action, 'event.outcome': OUTCOME[action], 'event.category': 'authentication', 'event.type': 'info',
    'user.id': user, 'service.name': 'dvc-portal', 'event.provider': 'viettel-sms', 'otp.channel': 'sms',
    'otp.destination.hash': `9f2c${user.replace(/\D/g, '').padStart(8, '0')}a1e07b44d3`, 'source.ip': '113.161.7.20',
    'canh.source_id': 'src-otp', ...more,
  });
}

describe('otp-failure-ratio', () => {
  it('fires when half of 30+ verifications of a service fail', async () => {
    const rule = await packRule('otp-failure-ratio');
    const svc = (s: string) => ({ 'service.name': s });
    const events = [
      // dvc-portal: 20 wrong codes, 4 expired codes, 16 successes: 24 / 40 = 0.6.
      ...times(20, T0, 20_000, (at, i) => act(at, 'otp-verify-failed', `u-${1000 + i}`, { 'event.reason': 'wrong-code', 'otp.attempt': 1 })),
      ...times(4, T0, 60_000, (at, i) => act(at, 'otp-expired', `u-${1100 + i}`)),
      ...times(16, T0, 30_000, (at, i) => act(at, 'otp-verified', `u-${1200 + i}`)),
      // Near miss: 19 failures out of 40 (0.475).
      ...times(19, T0, 20_000, (at, i) => act(at, 'otp-verify-failed', `u-${2000 + i}`, svc('hkd-portal'))),
      ...times(21, T0, 20_000, (at, i) => act(at, 'otp-verified', `u-${2100 + i}`, svc('hkd-portal'))),
      // Near miss: every verification fails but only 29 (below min_total 30).
      ...times(29, T0, 20_000, (at, i) => act(at, 'otp-verify-failed', `u-${3000 + i}`, svc('bhxh-portal'))),
      // Near miss: failures that are not verifications (delivery) do not count.
      ...times(30, T0, 20_000, (at, i) => act(at, 'otp-verified', `u-${4000 + i}`, svc('thue-portal'))),
      ...times(40, T0, 10_000, (at, i) => act(at, 'otp-delivery-failed', `u-${4100 + i}`, svc('thue-portal'))),
    ];
    const hits = await run(rule, events);
    expect(summary(hits)).toEqual([{ group: { 'organization.id': '00004', 'service.name': 'dvc-portal' }, observed: 0.6 }]);
    expect(hits[0].locality).toBe('00004');
  });

  it('fires at exactly one half', async () => {
    const rule = await packRule('otp-failure-ratio');
    const events = [
      ...times(15, T0, 20_000, (at, i) => act(at, 'otp-verify-failed', `u-${i}`)),
      ...times(15, T0, 20_000, (at, i) => act(at, 'otp-verified', `u-${100 + i}`)),
    ];
    expect(summary(await run(rule, events))).toEqual([{ group: { 'organization.id': '00004', 'service.name': 'dvc-portal' }, observed: 0.5 }]);
  });
});

describe('otp-delivery-failures', () => {
  it('fires on 20 delivery failures of one provider, all localities together', async () => {
    const rule = await packRule('otp-delivery-failures');
    const failed = (at: number, i: number, provider: string, org: string) =>
      act(at, 'otp-delivery-failed', `u-${i}`, { 'event.provider': provider, 'organization.id': org, 'event.reason': 'provider-timeout' });
    const events = [
      // viettel-sms: 12 in Hà Nội (00001) and 8 in Hà Giang (00002): 20 across localities.
      ...times(12, T0, 30_000, (at, i) => failed(at, i, 'viettel-sms', '00001')),
      ...times(8, T0, 45_000, (at, i) => failed(at, 100 + i, 'viettel-sms', '00002')),
      // Near miss: 19 failures of another provider.
      ...times(19, T0, 30_000, (at, i) => failed(at, 200 + i, 'vnpt-sms', '00001')),
      // Near miss: 30 messages delivered.
      ...times(30, T0, 20_000, (at, i) => act(at, 'otp-sent', `u-${300 + i}`, { 'event.provider': 'mobifone-sms' })),
      // Near miss: failures before the window.
      ...times(25, T0 - 10 * MINUTE, 20_000, (at, i) => failed(at, 400 + i, 'zalo-zns', '00004')),
    ];
    const hits = await run(rule, events);
    expect(summary(hits)).toEqual([{ group: { 'event.provider': 'viettel-sms' }, observed: 20 }]);
    expect(hits[0].locality).toBeNull();
  });
});

describe('otp-guess-then-success', () => {
  it('fires on 5 wrong codes then a success within 10 minutes', async () => {
    const rule = await packRule('otp-guess-then-success');
    const fail = (at: number, user: string) => act(at, 'otp-verify-failed', user, { 'event.reason': 'wrong-code' });
    const ok = (at: number, user: string) => act(at, 'otp-verified', user);
    const events = [
      // u-1001: 5 wrong codes 30 s apart, then the right one.
      ...times(5, T0 + MINUTE, 30_000, (at) => fail(at, 'u-1001')),
      ok(T0 + 4 * MINUTE, 'u-1001'),
      // Near miss: 4 wrong codes then a success.
      ...times(4, T0 + MINUTE, 30_000, (at) => fail(at, 'u-1002')),
      ok(T0 + 4 * MINUTE, 'u-1002'),
      // Near miss: out of order, the success came first.
      ok(T0 + MINUTE, 'u-1003'),
      ...times(5, T0 + 2 * MINUTE, 30_000, (at) => fail(at, 'u-1003')),
      // Near miss: the success 11 minutes after the first failure (span 10m).
      ...times(5, T0, MINUTE, (at) => fail(at, 'u-1004')),
      ok(T0 + 11 * MINUTE, 'u-1004'),
      // Near miss: 5 failures spread over two users, then a success of one of them.
      ...times(3, T0 + MINUTE, 30_000, (at) => fail(at, 'u-1005')),
      ...times(2, T0 + MINUTE, 30_000, (at) => fail(at, 'u-1006')),
      ok(T0 + 4 * MINUTE, 'u-1005'),
      // Near miss: 5 expired codes (not wrong ones), then a success.
      ...times(5, T0 + MINUTE, 30_000, (at) => act(at, 'otp-expired', 'u-1007')),
      ok(T0 + 4 * MINUTE, 'u-1007'),
    ];
    const hits = await run(rule, events);
    expect(summary(hits)).toEqual([{ group: { 'organization.id': '00004', 'user.id': 'u-1001' }, observed: 1 }]);
    expect(hits[0].sampleEventIds).toHaveLength(6);
  });

  it('counts an occurrence once: in the window where the success lands', async () => {
    const rule = await packRule('otp-guess-then-success');
    const events = [
      ...times(5, T0 - 8 * MINUTE, MINUTE, (at) => act(at, 'otp-verify-failed', 'u-2001')),
      act(T0 - MINUTE, 'otp-verified', 'u-2001'),
    ];
    // The failures and the success lie before this window: nothing.
    expect(await run(rule, events)).toEqual([]);
    // In the previous window (which holds the success): one hit.
    expect(summary(await run(rule, events, { from: T0 - 15 * MINUTE, to: T0 }))).toEqual([
      { group: { 'organization.id': '00004', 'user.id': 'u-2001' }, observed: 1 },
    ]);
  });
});

describe('otp-request-flood', () => {
  it('fires on 10 OTP requests of one user in 10 minutes', async () => {
    const rule = await packRule('otp-request-flood');
    const req = (at: number, user: string, org = '00004') => act(at, 'otp-requested', user, { 'organization.id': org });
    const events = [
      ...times(10, T0, 50_000, (at) => req(at, 'vneid-0004-88213')),
      // Near miss: 9 requests.
      ...times(9, T0, 50_000, (at) => req(at, 'vneid-0004-11072')),
      // Near miss: 10 codes sent (not requested) to one user.
      ...times(10, T0, 50_000, (at) => act(at, 'otp-sent', 'vneid-0004-55310')),
      // Near miss: the same user id in two localities, 5 requests each.
      ...times(5, T0, 60_000, (at) => req(at, 'vneid-0027-40001', '00004')),
      ...times(5, T0, 60_000, (at) => req(at, 'vneid-0027-40001', '00027')),
      // Near miss: 6 before the window, 6 in it.
      ...times(6, T0 - 6 * MINUTE, 50_000, (at) => req(at, 'vneid-0004-70707')),
      ...times(6, T0, 50_000, (at) => req(at, 'vneid-0004-70707')),
    ];
    expect(summary(await run(rule, events))).toEqual([{ group: { 'organization.id': '00004', 'user.id': 'vneid-0004-88213' }, observed: 10 }]);
  });
});

describe('otp-lockout-spike', () => {
  it('fires on 5 × the previous day lockout rate, with at least 10 lockouts in 30 minutes', async () => {
    const rule = await packRule('otp-lockout-spike');
    expect(rule.windowMs).toBe(30 * MINUTE);
    const locked = (at: number, i: number, org: string) => act(at, 'otp-locked', `u-${org}-${i}`, { 'organization.id': org, 'event.reason': 'too-many-attempts' });
    const day = (n: number, org: string) => times(n, T0 - DAY, Math.floor(DAY / n), (at, i) => locked(at, i, org));
    const now = (n: number, org: string) => times(n, T0, MINUTE, (at, i) => locked(at, 1000 + i, org));
    const events = [
      // 00004: 48 lockouts yesterday (1 per 30 min), 10 now: 10 x.
      ...day(48, '00004'), ...now(10, '00004'),
      // Near miss: the same baseline, 9 now (below min_current).
      ...day(48, '00027'), ...now(9, '00027'),
      // Near miss: a baseline of 23 (0.48 per window, below min_reference 0.5), 12 now.
      ...day(23, '00031'), ...now(12, '00031'),
      // Near miss: 144 yesterday (3 per window), 14 now: 4.67 x.
      ...day(144, '00001'), ...now(14, '00001'),
      // Near miss: no lockout yesterday (no baseline), 20 now.
      ...now(20, '00002'),
      // Near miss: many wrong codes now, but not lockouts.
      ...times(30, T0, MINUTE / 2, (at, i) => act(at, 'otp-verify-failed', `u-${i}`, { 'organization.id': '00008' })),
      ...day(48, '00008'),
    ];
    expect(summary(await run(rule, events))).toEqual([{ group: { 'organization.id': '00004' }, observed: 10 }]);
  });
});

describe('otp-source-silent', () => {
  it('fires for an OTP source seen in the last day that sent nothing for two hours', async () => {
    const rule = await packRule('otp-source-silent');
    expect(rule.windowMs).toBe(2 * HOUR);
    const src = (s: string) => ({ 'canh.source_id': s });
    const events = [
      ...times(10, T0 - 12 * HOUR, HOUR, (at, i) => act(at, 'otp-requested', `u-${i}`, src('src-otp-dvc'))),
      // Near miss: still sending (one event late in the window).
      act(T0 - HOUR, 'otp-requested', 'u-1', src('src-otp-hkd')),
      act(T0 + 119 * MINUTE, 'otp-verified', 'u-1', src('src-otp-hkd')),
      // Near miss: last event just over a day before the window.
      act(T0 - DAY - 1, 'otp-requested', 'u-2', src('src-otp-cu')),
    ];
    expect(summary(await run(rule, events))).toEqual([{ group: { 'organization.id': '00004', 'canh.source_id': 'src-otp-dvc' }, observed: 0 }]);
  });
});
