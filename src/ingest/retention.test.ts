import { MATCH_ALL } from '../query/ast';
import type { EcsDocument } from '../store/event-store';
import { MemoryEventStore } from '../store/memory/event-store';
import { ALL_SCOPE } from '../store/scope';
import { startRetention } from './retention';

const DAY = 24 * 3600_000;
const NOW = Date.UTC(2026, 10, 23, 2, 0, 0);

function line(id: string, at: number): EcsDocument {
  return { '@timestamp': new Date(at).toISOString(), event: { id, dataset: 'web.access' }, organization: { id: '00004' }, canh: { source_id: 'src-1', province: '01' } };
}

describe('retention', () => {
  it('deletes what is older than CANH_RETENTION_DAYS and keeps the rest', async () => {
    const store = new MemoryEventStore({ now: () => NOW });
    await store.write({
      batchId: 'b1', sourceId: 'src-1', locality: '00004', province: '01', dataset: 'web.access', received: 4, receivedAt: NOW,
      events: [line('old', NOW - 91 * DAY), line('edge', NOW - 90 * DAY + 1), line('new', NOW - DAY)],
      deadLetters: [{ id: 'b1:9', sourceId: 'src-1', locality: '00004', province: '01', batchId: 'b1', line: 9, raw: 'x', reason: 'bad', receivedAt: NOW - 100 * DAY }],
    });
    const errors: unknown[] = [];
    const retention = startRetention(store, { days: 90, now: () => NOW, log: { info: () => undefined, error: (o) => errors.push(o) }, firstAfterMs: 3_600_000 });
    expect(await retention.runOnce()).toEqual({ events: 1, deadLetters: 1 });
    const left = await store.search({ from: NOW - 200 * DAY, to: NOW, filter: MATCH_ALL, size: 10 }, ALL_SCOPE);
    expect(left.events.map((e) => (e.event as { id: string }).id).sort()).toEqual(['edge', 'new']);
    await retention.stop();
    expect(errors).toEqual([]);
  });

  it('never runs two prunes at once, and a failure is logged, not thrown', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const slow = { prune: () => new Promise<{ events: number; deadLetters: number }>((resolve) => { calls++; release = () => resolve({ events: 0, deadLetters: 0 }); }) };
    const r = startRetention(slow, { days: 1, now: () => NOW, log: { info: () => undefined, error: () => undefined }, firstAfterMs: 3_600_000 });
    const a = r.runOnce();
    const b = r.runOnce();
    release();
    await Promise.all([a, b]);
    expect(calls).toBe(1);
    await r.stop();
  });
});
