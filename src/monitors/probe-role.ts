import { Queue, type Job, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock';
import type { IngestQueue } from '../queue/jobs';
import { createRedis } from '../queue/redis';
import { createWorker } from '../queue/worker-factory';
import type { Monitor } from './monitor';
import { probeQueueName, scheduledAt, syncMonitorSchedulers, type ProbeJob } from './monitor-scheduler';
import { ProbeBatcher } from './probe-batcher';
import { probeDocument } from './probe-event';
import { probeHttp } from './probe-http';
import type { ProbeResult } from './probe-result';
import { probeTcp } from './probe-tcp';

export interface ProbeRoleDeps {
  /** This worker's location (CANH_PROBE_LOCATION): its queue is `probe-<location>`, its results' observer.name. */
  readonly location: string;
  readonly redisUrl: string;
  /** The producer connection (schedulers). */
  readonly redis: Redis;
  readonly prefix?: string;
  /** Every monitor, YAML and API (MonitorService.all). */
  readonly monitors: () => Promise<readonly Monitor[]>;
  /** The province of a locality; null when the locality is unknown (its monitors are skipped). */
  readonly province: (code: string) => Promise<{ readonly province: string | null } | null>;
  readonly ingestQueue: IngestQueue;
  readonly clock: Clock;
  readonly log: Logger;
  /** Checks in flight at once. @defaultValue 100 */
  readonly concurrency?: number;
  /** Monitors are read again and schedulers synced this often (besides sync() on a change). @defaultValue 15000 */
  readonly syncEveryMs?: number;
  /** @defaultValue 30000 */
  readonly lockMs?: number;
  /** Told of every check (metrics, the bench). */
  readonly onProbe?: (info: { readonly monitorId: string; readonly scheduledAt: number; readonly startedAt: number; readonly result: ProbeResult }) => void;
}

export interface ProbeRole {
  readonly queue: Queue<ProbeJob>;
  /** Reads the monitors again and syncs the schedulers (call it after a change). */
  sync(): Promise<{ upserted: number; removed: number }>;
  stop(): Promise<void>;
}

/** Runs one monitor's check. */
export function runCheck(m: Monitor, location: string): Promise<ProbeResult> {
  return m.check.type === 'http' ? probeHttp(m.check, m.timeoutMs, { userAgent: `Canh-Probe/1 (${location})` }) : probeTcp(m.check, m.timeoutMs);
}

/**
 * The `probe` role: keeps one job scheduler per enabled monitor (`monitor:<id>`) on this location's
 * queue `probe-<location>`, runs the checks, and sends each result through the ingest pipeline as a
 * `probe` source's line (docs/monitors.md). Several workers of one location share its queue (each
 * check runs once per location); every location has its own queue and schedulers.
 */
export async function startProbeRole(deps: ProbeRoleDeps): Promise<ProbeRole> {
  const log = deps.log.child({ role: 'probe', location: deps.location });
  const queue = new Queue<ProbeJob>(probeQueueName(deps.location), { connection: deps.redis, ...(deps.prefix ? { prefix: deps.prefix } : {}) });
  queue.on('error', () => undefined);
  let current = new Map<string, Monitor>();
  const provinces = new Map<string, { province: string | null } | null>();
  const warned = new Set<string>();
  const batcher = new ProbeBatcher(deps.ingestQueue, deps.location, deps.clock, (err) => log.error({ err }, 'probe results could not be queued'));

  let syncing: Promise<{ upserted: number; removed: number }> | null = null;
  const sync = async () => {
    // One sync at a time; a call during a sync waits for it, then runs again (a change may be newer).
    while (syncing) await syncing.catch(() => undefined);
    syncing = (async () => {
      const monitors = await deps.monitors();
      current = new Map(monitors.map((m) => [m.id, m]));
      provinces.clear();
      return syncMonitorSchedulers(queue, monitors);
    })();
    try {
      return await syncing;
    } finally {
      syncing = null;
    }
  };

  const provinceOf = async (code: string) => {
    if (!provinces.has(code)) provinces.set(code, await deps.province(code));
    return provinces.get(code) ?? null;
  };

  const handle = async (data: ProbeJob, job: Job<ProbeJob>) => {
    const m = current.get(data.monitorId);
    // A scheduler of a monitor deleted or disabled a moment ago may still fire once.
    if (!m || !m.enabled) return { skipped: `monitor ${data.monitorId} is not defined or disabled` };
    const locality = await provinceOf(m.locality);
    if (!locality) {
      if (!warned.has(m.id)) log.warn({ monitorId: m.id, locality: m.locality }, 'monitor of an unknown locality: not probed');
      warned.add(m.id);
      return { skipped: `locality ${m.locality} is unknown` };
    }
    const due = scheduledAt(job.id, job.timestamp);
    const result = await runCheck(m, deps.location);
    deps.onProbe?.({ monitorId: m.id, scheduledAt: due, startedAt: result.startedAt, result });
    const raw = JSON.stringify(probeDocument(m, deps.location, result));
    batcher.add({ locality: m.locality, province: locality.province, item: { raw, id: `${m.id}:${due}` } });
    return { status: result.status };
  };

  await sync();
  const connection = createRedis(deps.redisUrl, 'worker');
  connection.on('error', () => undefined);
  const worker: Worker = createWorker<ProbeJob, unknown>(probeQueueName(deps.location), handle, {
    connection, prefix: deps.prefix, concurrency: deps.concurrency ?? 100, lockMs: deps.lockMs,
    onFailed: (job, err) => log.warn({ monitorId: job?.data?.monitorId, err: err.message }, 'probe job failed'),
  });
  const timer = setInterval(() => {
    sync().catch((err) => log.error({ err }, 'monitor schedulers could not be synced'));
  }, deps.syncEveryMs ?? 15_000);
  timer.unref();
  log.info({ monitors: current.size }, 'probe role started');
  return {
    queue,
    sync,
    async stop() {
      clearInterval(timer);
      await worker.close();
      await batcher.flush();
      await queue.close();
      connection.disconnect();
    },
  };
}
