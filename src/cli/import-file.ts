import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ApiClient } from './api-client';

interface Stats {
  received: number;
  stored: number;
  dead_lettered: number;
}

export interface ImportSummary {
  readonly sent: number;
  readonly stored: number;
  readonly deadLettered: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

const BATCH_LINES = 5000;

/**
 * Backfills a log file through the normal pipeline (API → queue → worker → store): sends it in
 * batches to /api/v1/sources/{id}/import, then waits until the worker has processed every line.
 */
export async function importFile(api: ApiClient, file: string, sourceId: string, out: NodeJS.WriteStream = process.stderr): Promise<ImportSummary> {
  const size = statSync(file).size;
  const before = await api.request<Stats>('GET', `/api/v1/sources/${encodeURIComponent(sourceId)}/stats`);
  const started = Date.now();
  const progress = makeProgress(out, size);
  let batch: string[] = [];
  let bytes = 0;
  let sent = 0;
  const flush = async () => {
    if (!batch.length) return;
    const r = await api.request<{ accepted: number }>('POST', `/api/v1/sources/${encodeURIComponent(sourceId)}/import`, batch.join('\n'), 'text/plain');
    sent += r.accepted;
    batch = [];
    progress(bytes, `sent ${sent} lines`);
  };
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    bytes += Buffer.byteLength(line) + 1;
    if (line.trim()) batch.push(line);
    if (batch.length >= BATCH_LINES) await flush();
  }
  await flush();
  const after = await waitProcessed(api, sourceId, before.received + sent, (s) => progress(size, `processed ${s.received - before.received}/${sent}`));
  const seconds = (Date.now() - started) / 1000;
  progress.done();
  const stored = after.stored - before.stored;
  return { sent, stored, deadLettered: after.dead_lettered - before.dead_lettered, seconds, eventsPerSecond: Math.round(sent / Math.max(seconds, 0.001)) };
}

async function waitProcessed(api: ApiClient, sourceId: string, target: number, tick: (s: Stats) => void): Promise<Stats> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const s = await api.request<Stats>('GET', `/api/v1/sources/${encodeURIComponent(sourceId)}/stats`);
    tick(s);
    if (s.received >= target) return s;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the ingest worker: ${s.received} of ${target} lines processed. Is a worker running (canh start --roles ingest)?`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function makeProgress(out: NodeJS.WriteStream, total: number) {
  const tty = Boolean(out.isTTY);
  const fn = (done: number, label: string) => {
    if (!tty) return;
    const pct = total ? Math.min(1, done / total) : 1;
    const width = 30;
    const bar = '█'.repeat(Math.round(pct * width)).padEnd(width, '░');
    out.write(`\r${bar} ${(pct * 100).toFixed(0).padStart(3)}% ${label}   `);
  };
  fn.done = () => {
    if (tty) out.write('\n');
  };
  return fn;
}
