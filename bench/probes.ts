/**
 * The probe scheduler at scale: BENCH_MONITORS (default 5,000) http monitors every 30 s against a
 * local HTTP server, one probe location, real Redis (BullMQ job schedulers `monitor:<id>`), results
 * queued on a real `ingest` queue. Lateness of a check = the time it started − the time its
 * scheduler made it due; printed per round (p50, p99, max), with the checks that did not run.
 * BENCH_PROBE_ROUNDS (default 2) rounds of 30 s are measured after the schedulers are created.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { systemClock } from '../src/lib/clock';
import type { Monitor } from '../src/monitors/monitor';
import { startProbeRole } from '../src/monitors/probe-role';
import { BullMqIngestQueue } from '../src/queue/ingest-queue';
import { createRedis } from '../src/queue/redis';
import { REDIS_URL, deleteKeys, envInt, fmt, int, percentile } from './support';

const INTERVAL_MS = 30_000;

async function main(): Promise<void> {
  const count = envInt('BENCH_MONITORS', 5_000);
  const rounds = envInt('BENCH_PROBE_ROUNDS', 2);
  const server = createServer((_req, res) => res.end('ok'));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  const monitors: Monitor[] = Array.from({ length: count }, (_, i) => ({
    id: `bench-${i}`, name: `Bench ${i}`, locality: '00001', service: 'bench', intervalMs: INTERVAL_MS, timeoutMs: 5_000, enabled: true,
    check: { type: 'http', url, method: 'GET', expectedStatus: [200], bodyKeyword: null, followRedirects: false, tlsExpiryWarningDays: 14 },
    origin: { kind: 'api' },
  }));
  const prefix = `canh-bench-probes-${process.pid}`;
  const redis = createRedis(REDIS_URL, 'producer');
  await redis.connect();
  const ingest = new BullMqIngestQueue(redis, prefix);
  const runs: { scheduled: number; started: number; up: boolean }[] = [];
  const syncStart = Date.now();
  const role = await startProbeRole({
    location: 'bench', redisUrl: REDIS_URL, redis, prefix, monitors: async () => monitors, province: async () => ({ province: '01' }),
    ingestQueue: ingest, clock: systemClock, log: pino({ level: 'silent' }), syncEveryMs: 3_600_000,
    onProbe: ({ scheduledAt, startedAt, result }) => runs.push({ scheduled: scheduledAt, started: startedAt, up: result.status === 'up' }),
  });
  console.log(`probe scheduler: ${int(count)} monitors every ${INTERVAL_MS / 1000} s, schedulers created in ${fmt((Date.now() - syncStart) / 1000, 2)} s`);
  // Rounds start at the next interval boundary after the sync (the schedulers' offsets spread in it).
  const first = Math.ceil(Date.now() / INTERVAL_MS) * INTERVAL_MS;
  const end = first + rounds * INTERVAL_MS;
  while (Date.now() < end + 5_000) await new Promise((r) => setTimeout(r, 500));
  await role.stop();
  for (let i = 0; i < rounds; i++) {
    const from = first + i * INTERVAL_MS;
    const inRound = runs.filter((r) => r.scheduled >= from && r.scheduled < from + INTERVAL_MS);
    const late = inRound.map((r) => r.started - r.scheduled);
    const down = inRound.filter((r) => !r.up).length;
    console.log(`  round ${i + 1}: ${int(inRound.length)} checks (${int(count - inRound.length)} missing, ${int(down)} down); lateness p50 ${int(percentile(late, 50))} ms, p99 ${int(percentile(late, 99))} ms, max ${int(Math.max(...late))} ms`);
  }
  await ingest.close();
  redis.disconnect();
  await deleteKeys(prefix);
  server.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
