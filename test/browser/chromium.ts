/** Debian's Chromium driven by playwright-core (no browser is ever downloaded). */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CANH_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ROOT = join(__dirname, '..', '..');
/** Screenshots of the browser tests (gitignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
}

/** Builds the console from console/src into dist/console (what the server serves by default). */
export function buildConsole(): void {
  // Built once by the project's globalSetup (test/browser/global-setup.js) when jest runs it.
  if (process.env.CANH_CONSOLE_BUILT === '1') return;
  execFileSync(process.execPath, [join(ROOT, 'console', 'build.js')], { cwd: ROOT, stdio: 'pipe' });
}

/**
 * How long a page step may wait (Playwright's default timeout for the tests' pages). Generous: the
 * whole suite runs on 2 cores, and a browser test may share them with a heavy integration test.
 */
export const STEP_TIMEOUT_MS = 30_000;

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An nginx access-log time (UTC) for `ms`, e.g. a few seconds ago, so events fall in the current windows. */
export function nginxTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/**
 * `describe` for browser tests: skipped with a message when Chromium is absent, except under
 * CI=true (.ci/run installs it), where a missing browser is a failure, never a silent skip.
 */
export function describeBrowser(name: string, fn: () => void): void {
  if (HAVE_CHROMIUM) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    it(`${name}: has Debian's Chromium in CI`, () => {
      throw new Error(`${CHROMIUM} is absent: .ci/run should have installed it (apt-get install -y chromium)`);
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`Browser tests skipped: ${CHROMIUM} is absent (apt-get install -y chromium; .ci/run installs it).`);
  describe.skip(name, fn);
}
