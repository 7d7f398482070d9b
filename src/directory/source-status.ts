import type { SourceStats } from '../store/event-store';

/** How long after its last processed batch a source still counts as `receiving`. */
export const RECEIVING_WINDOW_MS = 15 * 60_000;

export type SourceStatusName = 'waiting' | 'receiving' | 'silent';

export interface SourceStatus {
  /**
   * `waiting` for its first event (nothing stored yet); `receiving` when Canh processed a batch of
   * it in the last 15 minutes; `silent` otherwise.
   */
  readonly status: SourceStatusName;
  /** Events stored. */
  readonly events: number;
  /** stored / received over processed batches (0 to 1), null before anything was received. */
  readonly parseRate: number | null;
  /** Epoch ms of the newest stored event's `@timestamp`, or null. */
  readonly lastEventAt: number | null;
}

/**
 * The onboarding status of a source from the EventStore's counters (sourceStats). Recency is taken
 * from when Canh last processed a batch (`lastBatchAt`), not from the events' own times, which can
 * be old (a backfill) or skewed (a server's clock).
 */
export function sourceStatus(stats: SourceStats, now: number): SourceStatus {
  const seen = stats.lastBatchAt ?? stats.lastEventAt;
  const status: SourceStatusName = stats.stored === 0 ? 'waiting' : seen !== null && now - seen <= RECEIVING_WINDOW_MS ? 'receiving' : 'silent';
  return {
    status,
    events: stats.stored,
    parseRate: stats.received > 0 ? stats.stored / stats.received : null,
    lastEventAt: stats.lastEventAt,
  };
}
