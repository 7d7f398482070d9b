/**
 * The web console in Debian's Chromium against a real Canh (real Redis, real DuckDB files): sign in
 * as a commune analyst, find the incident, see hostile log content as text, acknowledge and resolve
 * it, watch a new incident arrive without reload, and fail to open another commune's incident by URL.
 * Screenshots go to test-artifacts/console/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { IncidentService } from '../../src/incidents/incident-service';
import type { Hit } from '../../src/rules/rule';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';
import { artifact, buildConsole, describeBrowser, launchChromium, nginxTime, STEP_TIMEOUT_MS } from './chromium';

jest.setTimeout(180_000);

const PASSWORD = 'mật-khẩu-đủ-dài-2026';
const IMG = '<img src=x onerror=window.__xss=1>';
const SCRIPT = '<script>window.__xss=2</script>';

describeBrowser('web console in Chromium (real service)', () => {
  let svc: TestService;
  let incidents: IncidentService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const cspViolations: string[] = [];
  const ids: Record<string, string> = {};
  let hostileLine = '';

  const hit = (locality: string, group: Record<string, string>, sampleEventIds: string[] = []): Hit => {
    const now = Date.now();
    return {
      ruleId: 'web-bruteforce', ruleVersion: 'v1', group: { 'organization.id': locality, ...group }, locality, window: { from: now - 300_000, to: now },
      observed: 25, condition: 'count >= 20', sampleEventIds, evidenceQuery: `organization.id:"${locality}"`,
    };
  };
  const raise = async (h: Hit, hitId: string) => {
    const r = await incidents.applyHit(h, hitId);
    if (r.outcome === 'duplicate_hit') throw new Error('duplicate hit');
    return r.incident.id;
  };

  beforeAll(async () => {
    buildConsole();
    [svc, browser] = await Promise.all([startTestService({}, ['api', 'ingest']), launchChromium()]);
    await svc.admin('/api/v1/localities', { body: { code: '00', name: 'Trung ương', level: 'central' } });
    await svc.admin('/api/v1/localities', { body: { code: '01', name: 'Hà Nội', level: 'province', parent_code: '00' } });
    await svc.admin('/api/v1/localities', { body: { code: '00004', name: 'Ba Đình', level: 'commune', parent_code: '01' } });
    await svc.admin('/api/v1/localities', { body: { code: '00007', name: 'Phúc Xá', level: 'commune', parent_code: '01' } });
    expect((await svc.admin('/api/v1/users', { body: { username: 'an.nguyen', password: PASSWORD, display_name: 'Nguyễn Văn An', role: 'analyst', locality: '00004' } })).status).toBe(201);

    const source = (await svc.admin('/api/v1/sources', { body: { name: 'cổng dịch vụ công', locality: '00004', kind: 'access', format: 'nginx_combined' } })).body;
    const at = nginxTime(Date.now() - 5_000);
    hostileLine = `203.0.113.9 - - [${at}] "GET /tim-kiem?q=${SCRIPT} HTTP/1.1" 404 0 "-" "Mozilla/5.0 ${IMG} ${SCRIPT}"`;
    const lines = [`203.0.113.9 - - [${at}] "POST /dang-nhap HTTP/1.1" 401 120 "-" "Mozilla/5.0"`, hostileLine];
    const res = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'text/plain' }, body: lines.join('\n') });
    expect(res.status).toBe(202);
    const events = await waitFor('the two events', async () => {
      const r = await svc.admin('/api/v1/events?q=*&from=now-1d');
      return r.body.events?.length === 2 ? (r.body.events as { event: { id: string } }[]) : undefined;
    }, 30_000, 100);

    incidents = new IncidentService(svc.container.incidents, svc.container.clock, {
      ruleLookup: () => ({ title: 'Dò mật khẩu cổng dịch vụ công', severity: 'high', category: 'intrusion-attempts' }),
      localityLookup: (code) => ({ code, province: code === '00' ? null : '01' }),
      centralCode: '00',
    });
    ids.own = await raise(hit('00004', { 'source.ip': '203.0.113.9', 'user_agent.original': IMG }, events.map((e) => e.event.id)), 'browser-own');
    ids.other = await raise(hit('00007', { 'source.ip': '198.51.100.7' }), 'browser-other');

    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', timezoneId: 'Europe/Paris' });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await svc?.stop();
  });

  it('signs in as a commune analyst and sees the commune\'s incident in the queue', async () => {
    await page.goto(`${svc.url}/`);
    await page.waitForURL(/\/login$/);
    await page.fill('input[name=username]', 'an.nguyen');
    await page.fill('input[name=password]', 'sai mật khẩu nhé');
    await page.click('button[type=submit]');
    expect(await page.locator('[data-testid=login-error]').textContent()).toBe('Sai tên đăng nhập hoặc mật khẩu.');
    await page.screenshot({ path: artifact('00-login-failed.png') });

    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/incidents$/);
    const row = page.locator(`tr[data-id="${ids.own}"]`);
    await row.waitFor();
    expect(await page.locator('h1').textContent()).toBe('Hàng đợi sự cố');
    expect(await page.locator('[data-testid=whoami]').textContent()).toContain('Nguyễn Văn An');
    expect(await page.locator('[data-testid=whoami]').textContent()).toContain('Ba Đình (00004)');
    expect(await row.textContent()).toContain('Dò mật khẩu cổng dịch vụ công');
    // Only the analyst's commune: the other commune's incident is not listed.
    expect(await page.locator('tbody tr').count()).toBe(1);
    // Times in Vietnam's zone whatever the browser's (Europe/Paris here): the label says so.
    expect(await page.locator('.footer').textContent()).toContain('Asia/Ho_Chi_Minh');
    await page.screenshot({ path: artifact('01-queue.png'), fullPage: true });
  });

  it('filters and sort are kept in the URL query', async () => {
    await page.click('th button:has-text("Mức độ")');
    await page.waitForURL(/sort=severity/);
    expect(await page.locator('th[aria-sort=descending]').textContent()).toContain('Mức độ');
    await page.goBack();
    await page.waitForURL(/\/incidents$/);
    await page.selectOption('select[name=status]', 'resolved');
    await page.waitForURL(/status=resolved/);
    await page.locator('.empty').waitFor();
    await page.goBack();
    await page.waitForURL(/\/incidents$/);
    await page.locator(`tr[data-id="${ids.own}"]`).waitFor();
  });

  it('opens the incident from the keyboard: the hostile raw line is literal text and runs nothing', async () => {
    await page.locator('h1').click();
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/incidents/${ids.own}$`));
    const raw = page.locator('[data-testid=raw-line]');
    await raw.first().waitFor();
    const texts = await raw.allTextContents();
    expect(texts).toContain(hostileLine);
    expect(texts.join('\n')).toContain(IMG);
    expect(texts.join('\n')).toContain(SCRIPT);
    expect(await page.locator('[data-testid=summary]').textContent()).toContain(IMG);
    const injected = await page.evaluate(`({
      xss: window.__xss,
      elements: document.querySelectorAll('.raw img, .raw script, .facts img, .facts script').length,
      images: document.images.length,
    })`);
    expect(injected).toEqual({ xss: undefined, elements: 0, images: 0 });
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: artifact('02-incident-hostile-evidence.png'), fullPage: true });
  });

  it('acknowledges and resolves the incident; the timeline shows both', async () => {
    const timeline = page.locator('[data-testid=timeline]');
    expect(await timeline.locator('li[data-action=created]').count()).toBe(1);
    await page.click('button:has-text("Tiếp nhận")');
    await timeline.locator('li[data-action=acknowledged]').waitFor();
    expect(await timeline.locator('li[data-action=acknowledged]').textContent()).toContain('user:an.nguyen');
    expect(await page.locator('.incident-head .status').textContent()).toBe('Đã tiếp nhận');

    await page.selectOption('[data-testid=resolve-form] select[name=resolution]', 'false_positive');
    await page.fill('[data-testid=resolve-form] textarea[name=note]', 'Máy quét của đơn vị kiểm thử');
    await page.click('[data-testid=resolve-form] button[type=submit]');
    const resolved = timeline.locator('li[data-action=resolved]');
    await resolved.waitFor();
    expect(await resolved.textContent()).toContain('Máy quét của đơn vị kiểm thử');
    expect(await page.locator('.incident-head .status').textContent()).toBe('Đã xử lý');
    expect(await page.locator('[data-testid=summary]').textContent()).toContain('Cảnh báo nhầm');
    const stored = (await svc.admin(`/api/v1/incidents/${ids.own}`)).body;
    expect(stored).toMatchObject({ status: 'resolved', resolution: 'false_positive' });
    expect(cspViolations).toEqual([]);
    await page.screenshot({ path: artifact('03-incident-resolved.png'), fullPage: true });
  });

  it('a stale version asks to reload instead of overwriting', async () => {
    // Someone else reopens it behind the page's back: the page still holds the old version.
    const current = (await svc.admin(`/api/v1/incidents/${ids.own}`)).body;
    expect((await svc.admin(`/api/v1/incidents/${ids.own}/reopen`, { body: { version: current.version } })).status).toBe(200);
    await page.click('button:has-text("Mở lại")');
    await page.locator('[data-testid=conflict]').waitFor();
    await page.click('[data-testid=conflict] button');
    await page.locator('[data-testid=timeline] li[data-action=reopened]').waitFor();
  });

  it('a new incident shows up in the queue without reloading', async () => {
    await page.click('a.back');
    await page.locator(`tr[data-id="${ids.own}"]`).waitFor();
    ids.fresh = await raise(hit('00004', { 'source.ip': '192.0.2.44' }), 'browser-fresh');
    const pill = page.locator('[data-testid=new-pill]');
    await pill.waitFor({ timeout: 15_000 });
    expect(await pill.textContent()).toContain('1');
    await pill.click();
    await page.locator(`tr[data-id="${ids.fresh}"]`).waitFor();
    await page.screenshot({ path: artifact('04-queue-new-incident.png'), fullPage: true });
  });

  it("cannot open another commune's incident by URL: not found", async () => {
    const answer = await page.evaluate(async (id) => (await fetch(`/api/v1/incidents/${id}`)).status, ids.other);
    expect(answer).toBe(404);
    await page.goto(`${svc.url}/incidents/${ids.other}`);
    const notFound = page.locator('[data-testid=not-found]');
    await notFound.waitFor();
    expect(await notFound.textContent()).toContain('Không tìm thấy sự cố');
    expect(await page.locator('body').textContent()).not.toContain('198.51.100.7');
    await page.screenshot({ path: artifact('05-other-commune-not-found.png'), fullPage: true });
  });

  it('switches to English, remembers it after a reload, signs out, and signs in again through a link', async () => {
    await page.click('button:has-text("English")');
    await page.goto(`${svc.url}/incidents`);
    await page.locator('h1:has-text("Incident queue")').waitFor();
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/\/login$/);
    // The session is gone server-side too: the API answers 401 to the browser now.
    expect(await page.evaluate(async () => (await fetch('/api/v1/incidents')).status)).toBe(401);
    // A link to an incident while signed out: sign in, then land on it.
    await page.goto(`${svc.url}/incidents/${ids.fresh}`);
    await page.waitForURL(/\/login\?next=/);
    await page.fill('input[name=username]', 'an.nguyen');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(new RegExp(`/incidents/${ids.fresh}$`));
    await page.locator('[data-testid=incident-page]').waitFor();
    expect(dialogs).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
