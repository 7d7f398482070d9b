/**
 * The statistics dashboard in Debian's Chromium against a real Canh (real Redis, real DuckDB files):
 * incidents in several localities and severities (some acknowledged and resolved, with known times),
 * OTP and probe events ingested through sources; a central reviewer lands on /stats, sees charts
 * drawn and the exact numbers in the tables, switches the range, downloads a CSV; a commune analyst
 * sees only the commune's numbers. No CSP violation. Screenshots go to test-artifacts/console/.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { IncidentService } from '../../src/incidents/incident-service';
import { FakeClock } from '../../src/lib/clock';
import type { Hit } from '../../src/rules/rule';
import { ALL_SCOPE } from '../../src/store/scope';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';
import { artifact, buildConsole, describeBrowser, launchChromium, STEP_TIMEOUT_MS } from './chromium';

jest.setTimeout(180_000);

const PASSWORD = 'mật-khẩu-đủ-dài-2026';
const MIN = 60_000;
const RULES: Record<string, { title: string; severity: 'low' | 'medium' | 'high' | 'critical'; category: 'intrusion-attempts' | 'fraud' | 'availability' | 'other' }> = {
  'web-bruteforce': { title: 'Dò mật khẩu cổng dịch vụ công', severity: 'high', category: 'intrusion-attempts' },
  'otp-flood': { title: 'Gửi OTP hàng loạt', severity: 'critical', category: 'fraud' },
  'probe-down': { title: 'Dịch vụ công gián đoạn', severity: 'medium', category: 'availability' },
  noise: { title: 'Quét cổng', severity: 'low', category: 'other' },
};
const PROVINCE: Record<string, string> = { '00004': '01', '00007': '01', '26734': '79' };

describeBrowser('statistics dashboard in Chromium (real service)', () => {
  let svc: TestService;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const consoleCsp: string[] = [];

  /** A page that records CSP violations (the DOM event, and Chromium's console message). */
  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'en-US', timezoneId: 'Europe/Paris', acceptDownloads: true });
    contexts.push(context);
    await context.addInitScript('window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));');
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) consoleCsp.push(m.text()); });
    return page;
  };
  const cspViolations = async (page: Page) => [...(await page.evaluate('window.__csp') as string[]), ...consoleCsp];

  const signIn = async (page: Page, username: string, landing: RegExp) => {
    await page.goto(`${svc.url}/`);
    await page.waitForURL(/\/login$/);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(landing);
  };
  const table = (page: Page, id: string) => page.locator(`[data-testid=stats-table-${id}]`);
  /** The cells of a table's rows, as text. */
  const rows = async (page: Page, id: string): Promise<string[][]> => {
    await table(page, id).waitFor();
    return table(page, id).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));
  };
  const rowOf = async (page: Page, id: string, first: string) => (await rows(page, id)).find((r) => r[0] === first);
  /** How many pixels of the chart's canvas are painted (a chart with bars paints many). */
  const painted = (page: Page, id: string): Promise<number> => page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid="stats-chart-${id}"] canvas');
    if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
    return n;
  })()`);

  beforeAll(async () => {
    buildConsole();
    [svc, browser] = await Promise.all([startTestService({}, ['api', 'ingest']), launchChromium()]);
    const localities = [
      { code: '00', name: 'Trung ương', level: 'central' }, { code: '01', name: 'Hà Nội', level: 'province', parent_code: '00' },
      { code: '79', name: 'TP. Hồ Chí Minh', level: 'province', parent_code: '00' },
      { code: '00004', name: 'Ba Đình', level: 'commune', parent_code: '01' }, { code: '00007', name: 'Phúc Xá', level: 'commune', parent_code: '01' },
      { code: '26734', name: 'Bến Nghé', level: 'commune', parent_code: '79' },
    ];
    for (const l of localities) expect((await svc.admin('/api/v1/localities', { body: l })).status).toBe(201);
    for (const [username, role, locality] of [['binh.tran', 'central_reviewer', '00'], ['an.nguyen', 'analyst', '00004']]) {
      expect((await svc.admin('/api/v1/users', { body: { username, password: PASSWORD, display_name: username, role, locality } })).status).toBe(201);
    }

    // OTP and probe results through sources, an hour ago (inside every range the test picks).
    const at = new Date(Date.now() - 60 * MIN).toISOString();
    const send = async (name: string, locality: string, kind: 'otp' | 'probe', docs: unknown[], bad: string[] = []) => {
      const source = (await svc.admin('/api/v1/sources', { body: { name, locality, kind, format: 'json' } })).body;
      const body = [...docs.map((d) => JSON.stringify(d)), ...bad].join('\n');
      const res = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'application/x-ndjson' }, body });
      expect(res.status).toBe(202);
    };
    const otp = (action: string, user: string) => ({ timestamp: at, action, user_id: user, service: 'dvc-portal', channel: 'sms', phone: '0912345678', code: '123456' });
    await send('otp ba-dinh', '00004', 'otp', [otp('otp-sent', 'u1'), otp('otp-verified', 'u1'), otp('otp-verified', 'u2'), otp('otp-verified', 'u3'), otp('otp-verify-failed', 'u4')],
      [JSON.stringify({ timestamp: at, action: 'otp-teleported', user_id: 'u5' })]);
    await send('otp ben-nghe', '26734', 'otp', [otp('otp-verified', 'u6'), otp('otp-verify-failed', 'u7')]);
    const probe = (monitor: string, status: string) => ({ timestamp: at, monitor_id: monitor, name: monitor, type: 'http', status, duration_ms: 120, url: `https://${monitor}.example.vn/` });
    await send('probe phuc-xa', '00007', 'probe', [probe('dvc-hn', 'up'), probe('dvc-hn', 'up'), probe('dvc-hn', 'up'), probe('dvc-hn', 'down')]);
    await send('probe ba-dinh', '00004', 'probe', [probe('bd-portal', 'up'), probe('bd-portal', 'up')]);
    await waitFor('the OTP and probe events', async () => {
      const [o, a] = await Promise.all([svc.admin('/api/v1/stats/otp?from=now-1d'), svc.admin('/api/v1/stats/availability?from=now-1d')]);
      const attempts = (o.body.rows ?? []).reduce((s: number, r: { attempts: number }) => s + r.attempts, 0);
      const probes = (a.body.rows ?? []).reduce((s: number, r: { probes: number }) => s + r.probes, 0);
      return attempts === 6 && probes === 6 ? true : undefined;
    }, 30_000, 100);

    // Incidents with known times: acknowledged after 1, 3, 5 and 2 minutes; resolved after 10 and 20.
    const clock = new FakeClock();
    const incidents = new IncidentService(svc.container.incidents, clock, {
      ruleLookup: (id) => RULES[id],
      localityLookup: (code) => ({ code, province: PROVINCE[code] ?? null }),
      centralCode: '00',
      ackDueOf: (i, since) => (i.severity === 'low' ? null : since + 15 * MIN),
    });
    let n = 0;
    const raise = async (ruleId: string, locality: string) => {
      const now = clock.now();
      const hit: Hit = {
        ruleId, ruleVersion: 'v1', group: { 'organization.id': locality, n: String(++n) }, locality, window: { from: now - 5 * MIN, to: now },
        observed: 25, condition: 'count >= 20', sampleEventIds: [], evidenceQuery: `organization.id:"${locality}"`,
      };
      const r = await incidents.applyHit(hit, `stats-hit-${n}`);
      if (r.outcome !== 'created') throw new Error(`expected a new incident, got ${r.outcome}`);
      return r.incident;
    };
    const t0 = Math.floor((Date.now() - 120 * MIN) / MIN) * MIN;
    clock.set(t0 - 3 * 24 * 60 * MIN);
    await raise('noise', '00007');
    clock.set(t0);
    const a = await raise('web-bruteforce', '00004');
    const b = await raise('web-bruteforce', '00007');
    const c = await raise('web-bruteforce', '26734');
    await raise('otp-flood', '00004');
    const e = await raise('otp-flood', '26734');
    await raise('probe-down', '00007');
    const ack = async (id: string, version: number, after: number) => {
      clock.set(t0 + after * 1000);
      return incidents.acknowledge(id, version, 'user:an.nguyen', ALL_SCOPE);
    };
    const a1 = await ack(a.id, a.version, 60);
    const b1 = await ack(b.id, b.version, 180);
    await ack(c.id, c.version, 300);
    await ack(e.id, e.version, 120);
    clock.set(t0 + 600_000);
    await incidents.resolve(a.id, a1.version, 'user:an.nguyen', ALL_SCOPE, { resolution: 'true_positive' });
    clock.set(t0 + 1_200_000);
    await incidents.resolve(b.id, b1.version, 'user:an.nguyen', ALL_SCOPE, { resolution: 'benign' });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await svc?.stop();
  });

  let page: Page;

  it('the central reviewer lands on /stats and sees charts with the exact numbers in the tables', async () => {
    page = await newPage();
    await signIn(page, 'binh.tran', /\/stats$/);
    expect(await page.locator('h1').textContent()).toBe('Thống kê');
    expect(await page.locator('.nav-link.active').textContent()).toBe('Thống kê');

    // Incidents over the last 7 days (the default), stacked by severity: the totals row.
    expect(await rowOf(page, 'incidents', 'Tổng')).toEqual(['Tổng', '2', '3', '1', '1', '7']);
    expect(await table(page, 'incidents').locator('thead th').allTextContents()).toEqual(['Từ lúc', 'Nghiêm trọng', 'Cao', 'Trung bình', 'Thấp', 'Tổng']);
    // MTTA of the three high incidents: 60, 180, 300 s (mean 3 min, p50 3 min, p90 276 s); MTTR 600 and 1,200 s.
    expect(await rowOf(page, 'response-times-severity', 'Cao')).toEqual(['Cao', '3', '3', '3 phút', '3 phút', '4 phút 36 giây', '2', '15 phút', '15 phút', '19 phút', '0']);
    expect(await rowOf(page, 'response-times-severity', 'Nghiêm trọng')).toEqual(['Nghiêm trọng', '2', '1', '2 phút', '2 phút', '2 phút', '0', '—', '—', '—', '0']);
    expect(await rowOf(page, 'response-times-locality', 'Ba Đình (00004)')).toEqual(['Ba Đình (00004)', '2', '1', '1 phút', '1 phút', '1 phút', '1', '10 phút', '10 phút', '10 phút', '0']);
    // Backlog now: two critical (one open, one acknowledged), both between 1 and 4 hours old.
    expect(await rowOf(page, 'backlog', 'Nghiêm trọng')).toEqual(['Nghiêm trọng', '1', '1', '2', '0', '2', '0', '0', '0']);
    expect(await rowOf(page, 'backlog', 'Thấp')).toEqual(['Thấp', '1', '0', '1', '0', '0', '0', '1', '0']);
    // SLA: the open critical and medium incidents are past their 15-minute deadline: 2 of 7.
    expect(await rowOf(page, 'sla', 'Tổng')).toEqual(['Tổng', '', '7', '2', '28,6%']);
    expect((await rows(page, 'sla')).find((r) => r[0] === 'Ba Đình (00004)' && r[1] === 'Nghiêm trọng')).toEqual(['Ba Đình (00004)', 'Nghiêm trọng', '1', '1', '100%']);
    expect((await rows(page, 'top-rules')).map((r) => [r[0], r[4]])).toEqual([['web-bruteforce', '3'], ['otp-flood', '2'], ['noise', '1'], ['probe-down', '1']]);
    // OTP: 3 of 4 verifications in Ba Đình (the send is no attempt), 1 of 2 in Bến Nghé.
    expect(await rowOf(page, 'otp', 'Ba Đình (00004)')).toEqual(['Ba Đình (00004)', 'dvc-portal', '4', '3', '1', '75%']);
    expect(await rowOf(page, 'otp', 'Bến Nghé (26734)')).toEqual(['Bến Nghé (26734)', 'dvc-portal', '2', '1', '1', '50%']);
    expect(await rowOf(page, 'availability', 'dvc-hn')).toEqual(['dvc-hn', '—', 'Phúc Xá (00007)', '4', '3', '1', '75%']);
    expect(await rowOf(page, 'availability', 'bd-portal')).toEqual(['bd-portal', '—', 'Ba Đình (00004)', '2', '2', '0', '100%']);
    // Source health: 1 dead letter next to 5 events in the window.
    const otpSource = await rowOf(page, 'sources', 'otp ba-dinh');
    expect([otpSource?.[1], otpSource?.[3], ...(otpSource ?? []).slice(5)]).toEqual(['Ba Đình (00004)', 'Đang nhận', '5', '1', '16,7%']);

    // Every chart is drawn: a canvas with painted bars.
    for (const id of ['incidents', 'backlog', 'response-times-severity', 'response-times-locality', 'sla', 'top-rules', 'otp', 'availability', 'sources']) {
      expect(await painted(page, id)).toBeGreaterThan(200);
    }
    expect(await cspViolations(page)).toEqual([]);
    await page.screenshot({ path: artifact('stats-01-reviewer-7d.png'), fullPage: true });
  });

  it('switching the range to 24 h leaves out the three-day-old incident; by locality regroups', async () => {
    await page.click('button[data-range="24h"]');
    await page.waitForURL(/range=24h/);
    await waitFor('the 24 h totals', async () => {
      const total = await rowOf(page, 'incidents', 'Tổng');
      return total?.at(-1) === '6' ? total : undefined;
    }, 10_000, 100);
    // Every panel loads on its own: wait for the SLA panel's answer for the new range too.
    const sla = await waitFor('the 24 h SLA totals', async () => {
      const total = await rowOf(page, 'sla', 'Tổng');
      return total?.[2] === '6' ? total : undefined;
    }, 10_000, 100);
    expect(sla).toEqual(['Tổng', '', '6', '2', '33,3%']);
    // The three-day-old incident's rule drops out of the top rules once that panel has reloaded.
    await waitFor('top rules without the old incident\'s rule', async () => {
      const ids = (await rows(page, 'top-rules')).map((r) => r[0]);
      return ids.length > 0 && !ids.includes('noise') ? ids : undefined;
    }, 10_000, 100);
    await page.selectOption('select[name=by]', 'locality');
    await page.waitForURL(/by=locality/);
    await waitFor('incidents by locality', async () =>
      ((await table(page, 'incidents').locator('thead th').allTextContents()).includes('Ba Đình (00004)') ? true : undefined), 10_000, 100);
    expect(await rowOf(page, 'incidents', 'Tổng')).toEqual(['Tổng', '2', '2', '2', '6']);
    expect(await painted(page, 'incidents')).toBeGreaterThan(200);

    // A custom range before any data: every incident panel says so.
    await page.click('button[data-range="custom"]');
    await page.fill('input[name=from]', '2020-01-01T00:00');
    await page.fill('input[name=to]', '2020-01-02T00:00');
    await page.click('.stats-range button[type=submit]');
    await page.waitForURL(/range=custom/);
    await page.locator('[data-testid=stats-panel-incidents] [data-testid=stats-empty]').waitFor();
    expect(await page.locator('[data-testid=stats-panel-incidents] [data-testid=stats-empty]').textContent()).toBe('Không có dữ liệu trong khoảng này.');
    await page.screenshot({ path: artifact('stats-02-reviewer-custom-empty.png'), fullPage: true });
    await page.goBack();
    await page.waitForURL(/by=locality/);
    await table(page, 'incidents').waitFor();
    expect(await cspViolations(page)).toEqual([]);
  });

  it('downloads a panel as CSV (the session cookie authenticates it)', async () => {
    await page.click('button[data-range="7d"]');
    await page.waitForURL((u) => !u.search.includes('range='));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=stats-csv-response-times-severity]')]);
    expect(download.suggestedFilename()).toBe('canh-stats-response-times.csv');
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toBe('severity,incidents,mtta_n,mtta_mean_s,mtta_p50_s,mtta_p90_s,mttr_n,mttr_mean_s,mttr_p50_s,mttr_p90_s,auto_resolved');
    expect(csv.find((l) => l.startsWith('high,'))).toMatch(/^high,3,3,180,180,276(\.0*\d*)?,2,900,900,1140(\.0*\d*)?,0$/);
  });

  it('a commune analyst sees only the commune\'s numbers', async () => {
    const analyst = await newPage();
    await signIn(analyst, 'an.nguyen', /\/incidents$/);
    await analyst.click('.nav-link:has-text("Thống kê")');
    await analyst.waitForURL(/\/stats$/);
    expect(await rowOf(analyst, 'incidents', 'Tổng')).toEqual(['Tổng', '1', '1', '2']);
    expect(await rowOf(analyst, 'sla', 'Tổng')).toEqual(['Tổng', '', '2', '1', '50%']);
    expect((await rows(analyst, 'otp')).map((r) => r[0])).toEqual(['Ba Đình (00004)']);
    expect((await rows(analyst, 'availability')).map((r) => r[0])).toEqual(['bd-portal']);
    expect((await rows(analyst, 'sources')).map((r) => r[0])).toEqual(['otp ba-dinh', 'probe ba-dinh']);
    await rows(analyst, 'top-rules');
    await rows(analyst, 'backlog');
    const text = (await analyst.locator('.stats-table').allTextContents()).join('\n');
    for (const other of ['00007', '26734', 'Phúc Xá', 'Bến Nghé', '(01)', '(79)']) expect(text).not.toContain(other);
    expect(await cspViolations(analyst)).toEqual([]);
    await analyst.screenshot({ path: artifact('stats-03-commune-analyst.png'), fullPage: true });
  });
});
