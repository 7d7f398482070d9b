import { DAY, HOUR, MINUTE, T0, packRule, probe, run, summary, times } from './pack-support';

/** The shipped rules of rules/uptime.yaml, on hand-made Heartbeat-like probe results. */

const MONITORS: Record<string, { name: string; url: string }> = {
  'dvc-hn': { name: 'Cổng DVC Hà Nội', url: 'https://dichvucong.hanoi.gov.vn/' },
  'dvc-hcm': { name: 'Cổng DVC TP. Hồ Chí Minh', url: 'https://dichvucong.hochiminhcity.gov.vn/' },
  'cong-ttdt-bn': { name: 'Cổng TTĐT Bắc Ninh', url: 'https://bacninh.gov.vn/' },
  'hkd-qn': { name: 'Đăng ký hộ kinh doanh Quảng Ninh', url: 'https://hkd.quangninh.gov.vn/' },
};

/** A probe result of `monitor`: `up` with a 200 or `down` with a 503, taking `ms` milliseconds. */
function result(at: number, monitor: string, status: 'up' | 'down', ms: number, observer = 'probe-hcm-1') {
  const m = MONITORS[monitor];
  return probe(at, {
    'monitor.id': monitor, 'monitor.name': m.name, 'monitor.type': 'http', 'monitor.status': status,
    'monitor.duration.us': ms * 1000, 'event.duration': ms * 1_000_000, 'url.full': m.url,
    'http.response.status_code': status === 'up' ? 200 : 503, 'error.message': status === 'up' ? null : 'HTTP 503',
    'event.outcome': status === 'up' ? 'success' : 'failure', 'observer.name': observer, 'canh.source_id': 'src-probe',
  });
}

describe('service-down', () => {
  const sequence = (monitor: string, statuses: string, observer: string, from = T0) =>
    [...statuses].map((s, i) => result(from + i * 30_000, monitor, s === 'd' ? 'down' : 'up', s === 'd' ? 3000 : 420, observer));

  it('fires when at least 2 locations see the service down within 3 minutes', async () => {
    const rule = await packRule('service-down');
    expect(rule.autoResolveAfter).toBe(3);
    const events = [
      // dvc-hn: down from Hà Nội and from TP. Hồ Chí Minh, up from Đà Nẵng: 2 of 3 locations.
      ...sequence('dvc-hn', 'dddd', 'hanoi'),
      ...sequence('dvc-hn', 'dddd', 'hcm'),
      ...sequence('dvc-hn', 'uuuu', 'danang'),
      // Near miss: one location's own network trouble (down from hanoi only, many times).
      ...sequence('dvc-hcm', 'dddddd', 'hanoi'),
      ...sequence('dvc-hcm', 'uuuuuu', 'hcm'),
      // Near miss: the two locations saw it down 4 minutes apart (never together in a window).
      ...sequence('cong-ttdt-bn', 'd', 'hanoi', T0 - 3 * MINUTE),
      ...sequence('cong-ttdt-bn', 'd', 'hcm', T0 + MINUTE),
    ];
    const hits = await run(rule, events, { from: T0 - 30_000, to: T0 + 3 * MINUTE - 30_000 });
    expect(summary(hits)).toEqual([{ group: { 'organization.id': '00004', 'monitor.id': 'dvc-hn' }, observed: 2 }]);
  });

  it('counts locations, not results: 3 locations down read 3', async () => {
    const rule = await packRule('service-down');
    const events = ['hanoi', 'hcm', 'danang'].flatMap((o) => sequence('hkd-qn', 'dd', o));
    expect(summary(await run(rule, events, { from: T0 - 30_000, to: T0 + 3 * MINUTE - 30_000 }))).toEqual([
      { group: { 'organization.id': '00004', 'monitor.id': 'hkd-qn' }, observed: 3 },
    ]);
  });
});

describe('probe-silent', () => {
  it('fires for a monitor seen in the last day with no result for 15 minutes', async () => {
    const rule = await packRule('probe-silent');
    expect(rule.windowMs).toBe(15 * MINUTE);
    const events = [
      // dvc-hn: a result every minute for an hour, then nothing.
      ...times(60, T0 - HOUR, MINUTE, (at) => result(at, 'dvc-hn', 'up', 350)),
      // Near miss: dvc-hcm keeps reporting (down results count: the probe is alive).
      ...times(75, T0 - HOUR, MINUTE, (at) => result(at, 'dvc-hcm', 'down', 10_000)),
      // Near miss: a single result in the window is enough.
      result(T0 - 2 * HOUR, 'cong-ttdt-bn', 'up', 500),
      result(T0 + 14 * MINUTE, 'cong-ttdt-bn', 'up', 500),
      // Near miss: a monitor removed two days ago.
      result(T0 - 2 * DAY, 'hkd-qn', 'up', 500),
    ];
    const hits = await run(rule, events);
    expect(summary(hits)).toEqual([{ group: { 'organization.id': '00004', 'monitor.id': 'dvc-hn' }, observed: 0 }]);
    expect(hits[0].sampleEventIds).toHaveLength(10);
  });

  it('fires when no probe result arrives at all, for every monitor seen', async () => {
    const rule = await packRule('probe-silent');
    const events = [
      ...times(30, T0 - HOUR, 2 * MINUTE, (at) => result(at, 'dvc-hn', 'up', 350)),
      ...times(30, T0 - HOUR, 2 * MINUTE, (at) => result(at, 'dvc-hcm', 'up', 350, 'probe-hn-1')),
    ];
    expect(summary(await run(rule, events))).toEqual([
      { group: { 'organization.id': '00004', 'monitor.id': 'dvc-hcm' }, observed: 0 },
      { group: { 'organization.id': '00004', 'monitor.id': 'dvc-hn' }, observed: 0 },
    ]);
  });
});

describe('service-slow', () => {
  it('fires when the p95 response time of up checks is above 5 s over 15 minutes', async () => {
    const rule = await packRule('service-slow');
    const slow = (monitor: string, msList: number[]) => msList.map((ms, i) => result(T0 + i * 30_000, monitor, 'up', ms));
    const events = [
      // dvc-hn: 20 checks, 3 of them at 7.2 s: the 19th of 20 (nearest rank) is 7.2 s.
      ...slow('dvc-hn', [...Array<number>(17).fill(800), 7200, 7200, 7200]),
      // Near miss: one slow check in 20 (p95 is 0.8 s).
      ...slow('dvc-hcm', [...Array<number>(19).fill(800), 9000]),
      // Near miss: exactly 5 s is not above 5 s.
      ...slow('cong-ttdt-bn', Array<number>(20).fill(5000)),
      // Near miss: the slow results are timeouts of down checks (service-down's business).
      ...slow('hkd-qn', Array<number>(10).fill(900)),
      ...times(5, T0 + 10 * MINUTE, MINUTE, (at) => result(at, 'hkd-qn', 'down', 10_000)),
    ];
    expect(summary(await run(rule, events))).toEqual([{ group: { 'organization.id': '00004', 'monitor.id': 'dvc-hn' }, observed: 7_200_000 }]);
  });
});
