import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait';

const ROOT = join(__dirname, '..', '..');

/** Runs `canh <args>` from the TypeScript sources in a child process. */
export function spawnCanh(args: string[], env: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/register-ts.js'), join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    // Tests run several services at once: the syslog receiver takes a free port unless told one;
    // retention is long enough for the 2015 sample log.
    env: { PATH: process.env.PATH, CANH_SYSLOG_PORT: '0', CANH_RETENTION_DAYS: '36500', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  return Object.assign(child, { output: () => out });
}

/** Resolves with the exit code (or signal) of a child process. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? String(signal))));
}

const running: ChildProcess[] = [];

/** Runs `canh start` in a child process and resolves once it listens, with its address. */
export async function startCanhChild(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess & { output: () => string }; address: string }> {
  const child = spawnCanh(['start'], env);
  running.push(child);
  const address = await waitFor(
    'canh to listen',
    () => /"address":"(http:\/\/[^"]+)"/.exec(child.output())?.[1] ?? (child.exitCode !== null ? Promise.reject(new Error(child.output())) : undefined),
    30_000,
  );
  return { child, address };
}

/** Kills every child startCanhChild started that still runs (for afterAll, also after a failure). */
export async function killCanhChildren(): Promise<void> {
  for (const c of running.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await exited(c);
  }
}
