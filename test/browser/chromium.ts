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
