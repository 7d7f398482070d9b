/** What the benchmarks share: a `canh start` child process, its figures, Redis clean-up, formatting. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deleteKeysUnder } from '../src/queue/redis';

/** The repository root (benchmarks run from dist/bench). */
export const ROOT = join(__dirname, '..', '..');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident memory of a process, MiB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** Deletes every Redis key under `prefix:` (a bench's queues). */
export function deleteKeys(prefix: string): Promise<void> {
  return deleteKeysUnder(REDIS_URL, prefix);
}

export interface Service {
  readonly child: ChildProcess;
  readonly url: string;
  /** Admin API call (JSON in and out); throws on a non-2xx answer. */
  admin(path: string, body?: unknown, method?: string): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

/** Starts `canh start` (all roles) from dist/ with `env` on a free port; resolves once it listens. */
export async function startService(env: Record<string, string>, token: string, args: readonly string[] = []): Promise<Service> {
  const child = spawn(process.execPath, [
    ...(process.env.CANH_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.CANH_BENCH_PROFILE] : []),
    join(ROOT, 'dist/src/cli/main.js'), 'start', ...args,
  ], {
    // Retention long enough for the 2015 sample log the ingest bench replays.
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CANH_ADMIN_TOKEN: token, CANH_LOG_LEVEL: 'info', CANH_RETENTION_DAYS: '36500', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const collect = (d: Buffer) => (out += String(d));
  child.stdout?.on('data', collect);
  const deadline = Date.now() + 60_000;
  let url = '';
  for (;;) {
    const m = /"address":"(http:[^"]+)"/.exec(out);
    if (m) {
      child.stdout?.off('data', collect);
      child.stdout?.resume();
      url = m[1];
      break;
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`canh did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    url,
    async admin(path, body, method) {
      const res = await fetch(url + path, {
        method: method ?? (body === undefined ? 'GET' : 'POST'),
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, any>>;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}

/** The p-th percentile (nearest rank) of the values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A whole number with thousands separators. */
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
/** A number with `digits` decimals and thousands separators. */
export const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A positive integer from the environment, `fallback` when unset. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}
