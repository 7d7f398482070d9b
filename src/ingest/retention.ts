import type { EventStore } from '../store/event-store';

const DAY_MS = 24 * 3600_000;

export interface RetentionLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface Retention {
  /** Prunes now (also run by the timer); answers what was deleted. */
  runOnce(): Promise<{ readonly events: number; readonly deadLetters: number }>;
  stop(): Promise<void>;
}

/**
 * Deletes events and dead letters older than `days` (CANH_RETENTION_DAYS), a minute after start
 * and then every `everyMs` (default 6 hours). Runs in the ingest role, the store's writer. A failed
 * run is logged and tried again at the next tick; runs never overlap.
 */
export function startRetention(store: Pick<EventStore, 'prune'>, options: { days: number; now: () => number; log: RetentionLog; everyMs?: number; firstAfterMs?: number }): Retention {
  let running: Promise<{ events: number; deadLetters: number }> | null = null;
  const runOnce = async () => {
    if (running) return running;
    const before = options.now() - options.days * DAY_MS;
    running = (async () => {
      try {
        const out = await store.prune(before);
        if (out.events > 0 || out.deadLetters > 0) options.log.info({ ...out, before: new Date(before).toISOString() }, 'retention: pruned old events and dead letters');
        return out;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const tick = () => void runOnce().catch((err: unknown) => options.log.error({ err }, 'retention: prune failed; trying again at the next run'));
  const first = setTimeout(tick, options.firstAfterMs ?? 60_000);
  const timer = setInterval(tick, options.everyMs ?? 6 * 3600_000);
  first.unref();
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
