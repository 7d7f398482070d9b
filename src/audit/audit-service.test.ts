import { FakeClock } from '../lib/clock';
import type { AuditEntry } from './types';
import { MemoryAuditStore } from '../store/memory/audit-store';
import { waitFor } from '../../test/support/wait';
import { AuditService } from './audit-service';

const T = Date.UTC(2026, 10, 23, 2, 0, 0);
const entry = (id: string, at = T): AuditEntry => ({
  id, at, actor: { kind: 'admin_token' }, action: 'user.create', method: 'POST', route: '/api/v1/users', target: {}, status: 201,
  outcome: 'success', ip: '127.0.0.1', requestId: `req-${id}`, details: { username: 'ann' },
});

/** A memory store that refuses writes while `down` is set. */
class FlakyStore extends MemoryAuditStore {
  down = true;
  appends = 0;
  override async append(entries: readonly AuditEntry[]): Promise<void> {
    this.appends += 1;
    if (this.down) throw new Error('disk full at /data/audit.duckdb');
    return super.append(entries);
  }
}

describe('AuditService', () => {
  it('group-commits the entries recorded in the same tick in one append', async () => {
    const store = new FlakyStore();
    store.down = false;
    const audit = new AuditService({ store, clock: new FakeClock(T) });
    for (let i = 0; i < 50; i++) audit.record(entry(`aud_${i}`, T + i));
    await audit.flush();
    expect(store.appends).toBe(1);
    expect((await audit.list({ size: 1000 })).entries).toHaveLength(50);
  });

  it('logs and counts a failed write (request ids, no details), keeps the entries and retries them', async () => {
    const store = new FlakyStore();
    const logged: { obj: object; msg: string }[] = [];
    const audit = new AuditService({ store, clock: new FakeClock(T), retryMs: 10, logger: { error: (obj, msg) => logged.push({ obj, msg }) } });
    audit.record(entry('aud_1'));
    await expect(audit.flush()).rejects.toMatchObject({ kind: 'unavailable' });
    expect(audit.stats()).toMatchObject({ written: 0, pending: 1, dropped: 0 });
    expect(audit.stats().writeFailures).toBeGreaterThanOrEqual(1);
    expect(logged[0].msg).toContain('could not write 1 entries');
    expect(logged[0].obj).toMatchObject({ requestIds: ['req-aud_1'], err: { message: 'disk full at /data/audit.duckdb' } });
    expect(JSON.stringify(logged)).not.toContain('ann');

    store.down = false;
    // The retry timer writes it without another record() or flush().
    await waitFor('the retried entry', async () => (await store.list({})).entries.length === 1);
    expect(audit.stats()).toMatchObject({ written: 1, pending: 0 });
    await audit.close();
  });

  it('bounds what waits for a failing store: the oldest are dropped, counted and logged', async () => {
    const store = new FlakyStore();
    const logged: string[] = [];
    const audit = new AuditService({ store, maxPending: 3, retryMs: 60_000, logger: { error: (_obj, msg) => logged.push(msg) } });
    for (let i = 1; i <= 5; i++) audit.record(entry(`aud_${i}`, T + i));
    await expect(audit.flush()).rejects.toMatchObject({ kind: 'unavailable' });
    expect(audit.stats()).toMatchObject({ pending: 3, dropped: 2 });
    expect(logged.join('\n')).toMatch(/entries lost: too many entries wait for the store/);
    store.down = false;
    await audit.flush();
    expect((await store.list({})).entries.map((e) => e.id)).toEqual(['aud_5', 'aud_4', 'aud_3']);
    await audit.close();
  });

  it('close() writes what is pending, then counts later records as lost', async () => {
    const store = new FlakyStore();
    store.down = false;
    const audit = new AuditService({ store });
    audit.record(entry('aud_1'));
    await audit.close();
    expect((await store.list({})).entries.map((e) => e.id)).toEqual(['aud_1']);
    audit.record(entry('aud_2'));
    expect(audit.stats()).toMatchObject({ written: 1, dropped: 1 });
  });
});
