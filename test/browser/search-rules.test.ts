/**
 * Event search and rules pages in Debian's Chromium against a real Canh (real Redis, real DuckDB
 * files): a commune analyst searches the events of their commune only, sees the histogram, expands
 * a hostile line that shows as text, gets a bad query's position without losing it, narrows the
 * results; then lists the shipped rules and dry-runs one over the last hour with a progress bar.
 * A central reviewer sees no dry-run button. Screenshots go to test-artifacts/console/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';
import { artifact, buildConsole, describeBrowser, launchChromium, nginxTime, STEP_TIMEOUT_MS } from './chromium';

jest.setTimeout(180_000);

const PASSWORD = 'mật-khẩu-đủ-dài-2026';
const SCRIPT = '<script>window.__xss=3</script>';

describeBrowser('event search and rules in Chromium (real service)', () => {
  let svc: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const cspViolations: string[] = [];
  let hostileLine = '';

  const ingest = async (apiKey: string, lines: string[]) => {
    const res = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${apiKey}`, 'content-type': 'text/plain' }, body: lines.join('\n') });
    expect(res.status).toBe(202);
  };
  const signIn = async (p: Page, username: string) => {
    await p.goto(`${svc.url}/login`);
    await p.fill('input[name=username]', username);
    await p.fill('input[name=password]', PASSWORD);
    await p.click('button[type=submit]');
    // Each role lands on its own home page (the queue, the statistics, ...): anywhere but /login.
    await p.waitForURL((u) => u.pathname !== '/login');
    await p.locator('[data-testid=whoami]').waitFor();
  };
  const search = async (q: string) => {
    await page.fill('input[name=q]', q);
    await page.press('input[name=q]', 'Enter');
  };

  beforeAll(async () => {
    buildConsole();
    [svc, browser] = await Promise.all([startTestService({}, ['api', 'ingest']), launchChromium()]);
    await svc.admin('/api/v1/localities', { body: { code: '00', name: 'Trung ương', level: 'central' } });
    await svc.admin('/api/v1/localities', { body: { code: '01', name: 'Hà Nội', level: 'province', parent_code: '00' } });
    await svc.admin('/api/v1/localities', { body: { code: '00004', name: 'Ba Đình', level: 'commune', parent_code: '01' } });
    await svc.admin('/api/v1/localities', { body: { code: '00007', name: 'Phúc Xá', level: 'commune', parent_code: '01' } });
    expect((await svc.admin('/api/v1/users', { body: { username: 'an.nguyen', password: PASSWORD, display_name: 'Nguyễn Văn An', role: 'analyst', locality: '00004' } })).status).toBe(201);
    expect((await svc.admin('/api/v1/users', { body: { username: 'giam.sat', password: PASSWORD, display_name: 'Giám sát TW', role: 'central_reviewer', locality: '00' } })).status).toBe(201);

    const own = (await svc.admin('/api/v1/sources', { body: { name: 'cổng Ba Đình', locality: '00004', kind: 'access', format: 'nginx_combined' } })).body;
    const other = (await svc.admin('/api/v1/sources', { body: { name: 'cổng Phúc Xá', locality: '00007', kind: 'access', format: 'nginx_combined' } })).body;
    const at = nginxTime(Date.now() - 30_000);
    hostileLine = `203.0.113.9 - - [${at}] "GET /tim-kiem?q=${SCRIPT} HTTP/1.1" 404 0 "-" "Mozilla/5.0 ${SCRIPT}"`;
    await ingest(own.api_key, [
      `203.0.113.9 - - [${at}] "POST /dang-nhap HTTP/1.1" 401 120 "-" "Mozilla/5.0"`,
      hostileLine,
      `198.18.0.1 - - [${at}] "GET / HTTP/1.1" 200 5120 "-" "Mozilla/5.0"`,
    ]);
    await ingest(other.api_key, [
      `192.0.2.7 - - [${at}] "GET /phuc-xa HTTP/1.1" 200 10 "-" "curl/8.0"`,
      `192.0.2.7 - - [${at}] "POST /dang-nhap HTTP/1.1" 401 10 "-" "curl/8.0"`,
    ]);
    await waitFor('the five events', async () => {
      const r = await svc.admin('/api/v1/events?q=*&from=now-1d');
      return r.body.total === 5 ? true : undefined;
    }, 30_000, 100);

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

  it('searches * and sees only the commune\'s events, with a histogram', async () => {
    await signIn(page, 'an.nguyen');
    await page.click('nav a:has-text("Tìm kiếm")');
    await page.waitForURL(/\/search$/);
    await search('*');
    await page.waitForURL(/\/search\?q=\*$/);
    const total = page.locator('[data-testid=search-total]');
    await waitFor('three results', async () => ((await total.textContent())?.startsWith('3 sự kiện') ? true : undefined), 10_000, 50);
    expect(await page.locator('tr.search-row').count()).toBe(3);
    expect(await page.locator('[data-testid=search-results]').textContent()).not.toContain('192.0.2.7');
    expect(await page.locator('[data-testid=search-results]').textContent()).toContain('Ba Đình');
    const bars = page.locator('rect.search-bar:not([data-count="0"])');
    expect(await bars.count()).toBeGreaterThan(0);
    const counted = await bars.evaluateAll((rects) => rects.reduce((n, r) => n + Number(r.getAttribute('data-count')), 0));
    expect(counted).toBe(3);
    await page.screenshot({ path: artifact('search-00-results.png'), fullPage: true });
  });

  it('expands the hostile event: the raw line is literal text and runs nothing', async () => {
    const row = page.locator('tr.search-row', { hasText: 'window.__xss' });
    await row.locator('button.search-toggle').click();
    const raw = page.locator('[data-testid=event-detail] [data-testid=raw-line]');
    await raw.waitFor();
    expect(await raw.textContent()).toBe(hostileLine);
    expect(await page.locator('[data-testid=event-detail]').textContent()).toContain('organization.id');
    const injected = await page.evaluate('({ xss: window.__xss, scripts: document.querySelectorAll(".search script, .search img").length })');
    expect(injected).toEqual({ xss: undefined, scripts: 0 });
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: artifact('search-01-expanded-hostile.png'), fullPage: true });
  });

  it('a bad query shows the error at its position and keeps the text', async () => {
    const bad = 'url.original:(';
    await search(bad);
    const error = page.locator('[data-testid=query-error]');
    await error.waitFor();
    const answer = await page.evaluate(async (q) => (await fetch(`/api/v1/events?q=${encodeURIComponent(q)}`)).json() as Promise<{ code: string; message: string; details: { position: number } }>, bad);
    expect(answer.code).toBe('CANH_QUERY_INVALID');
    const position = answer.details.position;
    expect(await page.locator('[data-testid=query-error-message]').textContent()).toContain(answer.message);
    expect(await page.locator('[data-testid=query-error-message]').textContent()).toContain(`ký tự ${position + 1}`);
    const [line, caret] = (await page.locator('[data-testid=query-error-caret]').textContent())!.split('\n');
    expect(line).toBe(bad);
    expect(caret.indexOf('^')).toBe(position);
    expect(await page.inputValue('input[name=q]')).toBe(bad);
    expect(await page.locator('tr.search-row').count()).toBe(0);
    await page.screenshot({ path: artifact('search-02-query-error.png'), fullPage: true });
  });

  it('a query narrows the results; a bar narrows the range; the search is in the URL', async () => {
    await search('http.response.status_code:401');
    await page.waitForURL(/q=http\.response\.status_code%3A401/);
    await waitFor('one result', async () => ((await page.locator('[data-testid=search-total]').textContent())?.startsWith('1 sự kiện') ? true : undefined), 10_000, 50);
    expect(await page.locator('[data-testid=query-error]').count()).toBe(0);
    expect(await page.locator('tr.search-row').textContent()).toContain('/dang-nhap');
    await page.locator('g.search-bar-group:has(rect.search-bar:not([data-count="0"]))').first().click();
    await page.waitForURL(/from=.*&to=/);
    expect(new URL(page.url()).searchParams.get('q')).toBe('http.response.status_code:401');
    await waitFor('still one result', async () => ((await page.locator('[data-testid=search-total]').textContent())?.startsWith('1 sự kiện') ? true : undefined), 10_000, 50);
    expect(cspViolations).toEqual([]);
  });

  it('lists the shipped rules and dry-runs one over the last hour with progress', async () => {
    await page.click('nav a:has-text("Luật")');
    await page.waitForURL(/\/rules$/);
    const row = page.locator('tr[data-rule-id="web-login-brute-force"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('web.access');
    await page.screenshot({ path: artifact('rules-00-list.png'), fullPage: true });

    await row.locator('a').click();
    await page.waitForURL(/\/rules\/web-login-brute-force$/);
    await page.locator('[data-testid=dry-run]').waitFor();
    expect(await page.locator('[data-testid=dry-run] button[data-range="1h"]').getAttribute('aria-pressed')).toBe('true');
    await page.click('[data-testid=dry-run-start]');
    await page.locator('[data-testid=dry-run-progress] progress').waitFor();
    const summary = page.locator('[data-testid=dry-run-summary]');
    await summary.waitFor({ timeout: 30_000 });
    const m = /Đã đánh giá (\d+) cửa sổ, (\d+) cảnh báo/.exec((await summary.textContent()) ?? '');
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    // The progress bar ends full: done = total.
    const progress = await page.locator('[data-testid=dry-run-progress] progress').evaluate((p) => [(p as unknown as { value: number }).value, (p as unknown as { max: number }).max]);
    expect(progress[0]).toBe(progress[1]);
    expect(dialogs).toEqual([]);
    expect(cspViolations).toEqual([]);
    await page.screenshot({ path: artifact('rules-01-dry-run.png'), fullPage: true });
  });

  it('a central reviewer sees the rule but no dry-run button', async () => {
    const reviewer = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const p = await reviewer.newPage();
      p.setDefaultTimeout(STEP_TIMEOUT_MS);
      await signIn(p, 'giam.sat');
      await p.goto(`${svc.url}/rules/web-login-brute-force`);
      await p.locator('[data-testid=dry-run-read-only]').waitFor();
      expect(await p.locator('[data-testid=dry-run-start]').count()).toBe(0);
      expect(await p.locator('[data-testid=rule-facts]').textContent()).toContain('web-login-brute-force');
    } finally {
      await reviewer.close();
    }
  });
});
