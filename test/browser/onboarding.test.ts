/**
 * Onboarding in Debian's Chromium against a real Canh (real Redis, real DuckDB files): a commune's
 * locality admin creates a source (key shown once, five shipper configurations), watches its page
 * turn from "waiting" to "receiving" while the test ships lines with the key (one unparsable: a dead
 * letter shown as text), rotates the key (the old one gets 401), revokes it (the new one gets 401)
 * and edits the commune's contacts; an analyst of the commune sees the list read-only.
 * Screenshots go to test-artifacts/console/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';
import { artifact, buildConsole, describeBrowser, launchChromium, nginxTime, STEP_TIMEOUT_MS } from './chromium';

jest.setTimeout(180_000);

const PASSWORD = 'mật-khẩu-đủ-dài-2026';
const BROKEN = 'đây không phải log truy cập <img src=x onerror=window.__xss=1>';

describeBrowser('onboarding pages in Chromium (real service)', () => {
  let svc: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let sourceId = '';
  let firstKey = '';
  let secondKey = '';

  const ingest = (key: string, lines: string[]) => fetch(`${svc.url}/api/v1/ingest`, {
    method: 'POST', headers: { authorization: `ApiKey ${key}`, 'content-type': 'text/plain' }, body: lines.join('\n'),
  });

  /** Signs in from the address bar (the app sends an unsigned user to /login) and lands on the queue. */
  const signIn = async (p: Page, username: string) => {
    await p.goto(`${svc.url}/incidents`);
    await p.waitForURL(/\/login/);
    await p.fill('input[name=username]', username);
    await p.fill('input[name=password]', PASSWORD);
    await p.click('button[type=submit]');
    await p.waitForURL(/\/incidents$/);
  };

  beforeAll(async () => {
    buildConsole();
    [svc, browser] = await Promise.all([startTestService({}, ['api', 'ingest']), launchChromium()]);
    await svc.admin('/api/v1/localities', { body: { code: '00', name: 'Trung ương', level: 'central' } });
    await svc.admin('/api/v1/localities', { body: { code: '48', name: 'Đà Nẵng', level: 'province', parent_code: '00' } });
    await svc.admin('/api/v1/localities', { body: { code: '20194', name: 'Hải Châu', level: 'commune', parent_code: '48' } });
    await svc.admin('/api/v1/localities', { body: { code: '20200', name: 'Thanh Khê', level: 'commune', parent_code: '48' } });
    for (const [username, role, name] of [['lan.tran', 'locality_admin', 'Trần Thị Lan'], ['binh.le', 'analyst', 'Lê Văn Bình']]) {
      const r = await svc.admin('/api/v1/users', { body: { username, password: PASSWORD, display_name: name, role, locality: '20194' } });
      expect(r.status).toBe(201);
    }
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', timezoneId: 'Europe/Paris' });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await svc?.stop();
  });

  it('the locality admin creates a source for their commune and sees the key once with five configurations', async () => {
    await signIn(page, 'lan.tran');
    await page.click('a.nav-link[href="/sources"]');
    await page.waitForURL(/\/sources$/);
    await page.locator('[data-testid=sources-page]').waitFor();
    await page.click('a[href="/sources/new"]');
    await page.waitForURL(/\/sources\/new$/);

    // Only the admin's own commune is offered (the scope of GET /localities).
    const select = page.locator('select[name=locality]');
    await waitFor('the localities', async () => (await select.locator('option').count()) > 0, 10_000);
    expect(await select.locator('option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))).toEqual(['20194']);
    expect(await select.inputValue()).toBe('20194');

    await page.fill('input[name=name]', 'Cổng dịch vụ công Hải Châu');
    await page.check('input[name=kind][value=access]');
    await page.check('input[name=format][value=nginx_combined]');
    await page.screenshot({ path: artifact('onboarding-01-new-source.png'), fullPage: true });
    await page.click('button[type=submit]');

    await page.locator('[data-testid=source-created]').waitFor();
    firstKey = (await page.locator('[data-testid=api-key]').textContent()) ?? '';
    expect(firstKey.length).toBeGreaterThan(20);
    expect(await page.locator('[data-testid=key-once]').textContent()).toContain('sẽ không được hiện lại');
    const configs: Record<string, string> = {};
    for (const shipper of ['vector', 'fluent_bit', 'filebeat', 'rsyslog', 'curl']) {
      await page.click(`button[role=tab][data-shipper=${shipper}]`);
      configs[shipper] = (await page.locator(`pre[data-testid=config-${shipper}]`).textContent()) ?? '';
      expect(configs[shipper]).toContain(firstKey);
    }
    expect(configs.curl).toContain(svc.url);
    expect(configs.curl).toContain('/api/v1/ingest');
    await page.click('[data-testid=copy-key]');
    await waitFor('the copy to be confirmed', async () => /Đã sao chép|Ctrl\+C/.test((await page.locator('[data-testid=key-once]').textContent()) ?? ''), 5_000);
    await page.screenshot({ path: artifact('onboarding-02-key-once.png'), fullPage: true });

    await page.click('text=Mở trang của nguồn');
    await page.waitForURL(/\/sources\/[^/]+$/);
    sourceId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    await page.locator('[data-testid=source-page]').waitFor();
    expect(await page.locator('[data-testid=status-panel] [data-testid=source-status]').textContent()).toBe('Đang chờ');
    // The page's configurations hold a placeholder, never the key.
    expect(await page.locator('pre[data-testid=config-vector]').textContent()).toContain('<YOUR_KEY>');
    expect(await page.locator('[data-testid=source-page]').textContent()).not.toContain(firstKey);
  });

  it('turns to "receiving" without reload as lines arrive, with the parse rate and the dead letter as text', async () => {
    const at = nginxTime(Date.now() - 10_000);
    const res = await ingest(firstKey, [
      `203.0.113.9 - - [${at}] "GET /dich-vu-cong HTTP/1.1" 200 512 "-" "Mozilla/5.0"`,
      `203.0.113.9 - - [${at}] "POST /dang-nhap HTTP/1.1" 401 120 "-" "Mozilla/5.0"`,
      BROKEN,
    ]);
    expect(res.status).toBe(202);

    const status = page.locator('[data-testid=status-panel] [data-testid=source-status]');
    await waitFor('the status to turn to receiving', async () => (await status.textContent()) === 'Đang nhận', 20_000, 200);
    expect(await page.locator('[data-testid=events]').textContent()).toBe('2');
    const rate = (await page.locator('[data-testid=parse-rate]').textContent()) ?? '';
    expect(rate).toMatch(/%$/);
    expect(Number(rate.replace(/[^\d,.]/g, '').replace(',', '.'))).toBeLessThan(100);
    expect(await page.locator('[data-testid=last-event]').textContent()).not.toBe('—');

    const raw = page.locator('[data-testid=dead-letter-raw]');
    await waitFor('the dead letter', async () => (await raw.count()) === 1, 10_000, 200);
    expect(await raw.textContent()).toBe(BROKEN);
    expect(await page.locator('[data-testid=dead-letters] img').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    await page.screenshot({ path: artifact('onboarding-03-receiving.png'), fullPage: true });
  });

  it('rotates the key (the old one is refused) and revokes it (the new one is refused)', async () => {
    await page.click('[data-testid=rotate]');
    await page.locator('[data-testid=confirm-dialog]').waitFor();
    await page.screenshot({ path: artifact('onboarding-04-rotate-confirm.png') });
    await page.click('[data-testid=confirm-ok]');
    await page.locator('[data-testid=rotated] [data-testid=api-key]').waitFor();
    secondKey = (await page.locator('[data-testid=rotated] [data-testid=api-key]').textContent()) ?? '';
    expect(secondKey.length).toBeGreaterThan(20);
    expect(secondKey).not.toBe(firstKey);
    expect(await page.locator('[data-testid=rotated] pre[data-testid=config-vector]').textContent()).toContain(secondKey);
    expect((await ingest(firstKey, ['x'])).status).toBe(401);
    expect((await ingest(secondKey, [`203.0.113.9 - - [${nginxTime(Date.now())}] "GET / HTTP/1.1" 200 1 "-" "-"`])).status).toBe(202);

    await page.click('[data-testid=revoke]');
    const dialog = page.locator('[data-testid=confirm-dialog]');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('hết hiệu lực ngay');
    await page.click('[data-testid=confirm-ok]');
    await page.locator('.source .badge.src-revoked').waitFor();
    expect((await ingest(secondKey, ['x'])).status).toBe(401);
    await page.screenshot({ path: artifact('onboarding-05-revoked.png'), fullPage: true });

    // The list shows the source with its state.
    await page.click('a.nav-link[href="/sources"]');
    const row = page.locator(`tr[data-id="${sourceId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Đã thu hồi');
  });

  it('edits the commune\'s contacts: the API\'s problem shows next to its field, a webhook secret is never shown back', async () => {
    await page.click('a[href="/localities/20194/contacts"]');
    await page.locator('[data-testid=contacts-page]').waitFor();
    await page.click('text=Thêm email');
    await page.fill('input[name=email-0]', 'không-phải-email');
    await page.click('text=Thêm webhook');
    await page.fill('input[name=webhook-1]', 'https://hooks.example.vn/canh');
    await page.fill('input[name=secret-1]', 'một-bí-mật-đủ-dài-2026');
    await page.click('[data-testid=contacts-save]');
    const fieldError = page.locator('[data-testid=contact]').nth(0).locator('.field-error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain('email');
    await page.screenshot({ path: artifact('onboarding-06-contacts-error.png'), fullPage: true });

    await page.fill('input[name=email-0]', 'soc@haichau.danang.gov.vn');
    await page.selectOption('select[name=language-0]', 'en');
    await page.click('[data-testid=contacts-save]');
    await page.locator('[data-testid=contacts-saved]').waitFor();
    await page.locator('[data-testid=secret-set]').waitFor();
    expect(await page.locator('input[name=secret-0], input[name=secret-1]').inputValue()).toBe('');
    const stored = await svc.admin('/api/v1/localities/20194/contacts');
    expect(stored.body.contacts).toEqual([{ email: 'soc@haichau.danang.gov.vn', language: 'en' }, { webhook: 'https://hooks.example.vn/canh', secret_set: true }]);
  });

  it('the commune\'s analyst sees the sources read-only, without "New source"', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    try {
      const p = await ctx.newPage();
      p.setDefaultTimeout(STEP_TIMEOUT_MS);
      await signIn(p, 'binh.le');
      await p.click('a.nav-link[href="/sources"]');
      await p.locator(`tr[data-id="${sourceId}"]`).waitFor();
      expect(await p.locator('[data-testid=read-only]').isVisible()).toBe(true);
      expect(await p.locator('a[href="/sources/new"]').count()).toBe(0);
      await p.click(`tr[data-id="${sourceId}"] a`);
      await p.locator('[data-testid=source-page]').waitFor();
      expect(await p.locator('[data-testid=rotate], [data-testid=revoke], [data-testid=toggle-enabled]').count()).toBe(0);
      await p.screenshot({ path: artifact('onboarding-07-analyst.png'), fullPage: true });
    } finally {
      await ctx.close();
    }
  });
});
