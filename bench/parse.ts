import { performance } from 'node:perf_hooks';
import type { LineContext } from '../src/ingest/line-context';
import { processLine } from '../src/ingest/process-line';

/**
 * Parse + normalize throughput of access lines (apache_combined) on one core: processLine over
 * `lines`, repeated until at least ~1 s has been measured, after one warm-up pass.
 */
export async function benchParse(lines: string[]): Promise<{ linesPerSec: number }> {
  if (lines.length === 0) return { linesPerSec: 0 };
  const base: Omit<LineContext, 'line'> = {
    source: { id: 'bench', locality: '00001', province: '01', kind: 'access', format: 'apache_combined' },
    batchId: 'bench-batch',
    receivedAt: Date.UTC(2026, 10, 23),
    now: Date.UTC(2026, 10, 23, 0, 0, 1),
    piiSalt: 'bench-salt',
  };
  const pass = (): number => {
    let ok = 0;
    for (let i = 0; i < lines.length; i++) if (processLine(lines[i], undefined, { ...base, line: i + 1 }).ok) ok++;
    return ok;
  };
  pass();
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < 1000) {
    pass();
    done += lines.length;
  }
  const seconds = (performance.now() - start) / 1000;
  return { linesPerSec: Math.round(done / seconds) };
}
