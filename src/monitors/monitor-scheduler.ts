import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Monitor } from './monitor';

const PREFIX = 'monitor:';

/** Payload of a probe job. */
export interface ProbeJob {
  readonly monitorId: string;
}

/** The queue of one probe location (BullMQ queue names cannot hold ':'). */
export function probeQueueName(location: string): string {
  return `probe-${location}`;
}

/**
 * Where in its interval a monitor runs: a stable spread by id, so 5,000 monitors of the same
 * interval do not all start at the same millisecond (unlike rules, probes share nothing).
 */
export function probeOffset(monitor: Pick<Monitor, 'id' | 'intervalMs'>): number {
  return createHash('sha1').update(monitor.id).digest().readUInt32BE(0) % monitor.intervalMs;
}

/** The time a scheduler job was due: its id is `repeat:monitor:<id>:<millis>`. */
export function scheduledAt(jobId: string | undefined, fallback: number): number {
  const m = jobId ? /:(\d+)$/.exec(jobId) : null;
  return m ? Number(m[1]) : fallback;
}

/**
 * Keeps one BullMQ job scheduler per enabled monitor (`monitor:<id>`, every `interval`) on a
 * location's queue, and none for anything else: a removed or disabled monitor loses it. Upserts are
 * idempotent, so every worker of the location may sync.
 */
export async function syncMonitorSchedulers(queue: Queue<ProbeJob>, monitors: readonly Monitor[]): Promise<{ upserted: number; removed: number }> {
  const wanted = new Map(monitors.filter((m) => m.enabled).map((m) => [PREFIX + m.id, m]));
  const existing = new Map<string, number | undefined>();
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const id = s.key ?? s.id;
    if (id && id.startsWith(PREFIX)) existing.set(id, s.every === undefined || s.every === null ? undefined : Number(s.every));
  }
  let removed = 0;
  for (const id of existing.keys()) {
    if (!wanted.has(id)) {
      await queue.removeJobScheduler(id);
      removed++;
    }
  }
  let upserted = 0;
  for (const [id, m] of wanted) {
    // An unchanged scheduler is left alone: re-upserting thousands every sync costs Redis round trips.
    if (existing.get(id) === m.intervalMs) continue;
    await queue.upsertJobScheduler(id, { every: m.intervalMs, offset: probeOffset(m) }, { name: 'probe', data: { monitorId: m.id }, opts: { removeOnComplete: 100, removeOnFail: 100 } });
    upserted++;
  }
  return { upserted, removed };
}
