import { RECEIVING_WINDOW_MS, sourceStatus } from './source-status';

const NOW = Date.UTC(2026, 10, 23, 8);
const stats = (over: Partial<{ received: number; stored: number; deadLettered: number; lastEventAt: number | null; lastBatchAt: number | null }> = {}) => ({
  received: 0, stored: 0, deadLettered: 0, lastEventAt: null, lastBatchAt: null, ...over,
});

describe('sourceStatus', () => {
  it('is waiting, with a null parse rate, before anything was received', () => {
    expect(sourceStatus(stats(), NOW)).toEqual({ status: 'waiting', events: 0, parseRate: null, lastEventAt: null });
  });

  it('stays waiting while only dead letters arrived (parse rate 0)', () => {
    expect(sourceStatus(stats({ received: 4, deadLettered: 4, lastBatchAt: NOW - 1000 }), NOW)).toEqual({ status: 'waiting', events: 0, parseRate: 0, lastEventAt: null });
  });

  it('is receiving when a batch was processed within 15 minutes, with the parse rate', () => {
    const s = sourceStatus(stats({ received: 4, stored: 3, deadLettered: 1, lastEventAt: NOW - 60_000, lastBatchAt: NOW - RECEIVING_WINDOW_MS }), NOW);
    expect(s).toEqual({ status: 'receiving', events: 3, parseRate: 0.75, lastEventAt: NOW - 60_000 });
  });

  it('is receiving for a backfill of old events processed just now', () => {
    expect(sourceStatus(stats({ received: 1, stored: 1, lastEventAt: NOW - 86_400_000, lastBatchAt: NOW - 5 }), NOW).status).toBe('receiving');
  });

  it('is silent when the last batch is older than 15 minutes', () => {
    expect(sourceStatus(stats({ received: 2, stored: 2, lastEventAt: NOW - 3_600_000, lastBatchAt: NOW - RECEIVING_WINDOW_MS - 1 }), NOW)).toEqual({ status: 'silent', events: 2, parseRate: 1, lastEventAt: NOW - 3_600_000 });
  });
});
