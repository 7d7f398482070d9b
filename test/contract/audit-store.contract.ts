import { AuditService } from '../../src/audit/audit-service';
import type { AuditEntry } from '../../src/audit/types';
import { FakeClock } from '../../src/lib/clock';
import type { AuditQuery, AuditStore } from '../../src/store/audit-store';

const T = Date.UTC(2026, 10, 23, 2, 0, 0);
const MIN = 60_000;

/** An entry by user ann acknowledging incident inc_1 at T; `over` changes any field. */
export const auditEntry = (id: string, over: Partial<AuditEntry> = {}): AuditEntry => ({
  id, at: T, actor: { kind: 'user', id: 'usr_ann', username: 'ann', role: 'analyst' }, action: 'incident.ack', method: 'POST',
  route: '/api/v1/incidents/:id/ack', target: { id: 'inc_1' }, status: 200, outcome: 'success', ip: '203.0.113.9',
  requestId: `req-${id}`, details: {}, ...over,
});

type Make = () => Promise<{ store: AuditStore; reopen?: () => Promise<AuditStore> }>;

/** The AuditStore contract: every adapter passes it. */
export function auditStoreContract(name: string, make: Make, persistent: boolean) {
  describe(`AuditStore contract: ${name}`, () => {
    let store: AuditStore;
    let reopen: (() => Promise<AuditStore>) | undefined;
    beforeEach(async () => {
      ({ store, reopen } = await make());
    });
    afterEach(async () => store.close());

    const ids = async (q: AuditQuery = {}) => (await store.list(q)).entries.map((e) => e.id);

    /** Every page of a listing, following next_cursor. */
    async function allPages(q: AuditQuery): Promise<string[][]> {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ ...q, ...(cursor ? { cursor } : {}) });
        pages.push(page.entries.map((e) => e.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor && pages.length < 100);
      return pages;
    }

    it('round-trips every field of every kind of actor and lists newest first', async () => {
      const a = auditEntry('aud_a', { details: { resolution: 'false_positive', to_level: 2, enabled: false, assignee: null } });
      const b = auditEntry('aud_b', {
        at: T + MIN, actor: { kind: 'anonymous' }, action: 'login', route: '/api/v1/login', target: {}, status: 401, outcome: 'denied',
        details: { username: 'Trần Thị Chi' },
      });
      const c = auditEntry('aud_c', { at: T + 2 * MIN, actor: { kind: 'admin_token' }, action: 'locality.set_contacts', method: 'PUT', target: { code: '00004' } });
      await store.append([a]);
      await store.append([c, b]);
      expect((await store.list({})).entries).toEqual([c, b, a]);
      expect((await store.list({})).nextCursor).toBeNull();
    });

    it('skips an entry whose id is already stored, so a batch can be retried', async () => {
      await store.append([auditEntry('aud_a')]);
      await store.append([auditEntry('aud_a', { status: 500 }), auditEntry('aud_b')]);
      expect((await store.list({})).entries.map((e) => [e.id, e.status])).toEqual([['aud_b', 200], ['aud_a', 200]]);
    });

    it('filters by time range, actor, action, target and outcome, alone and together', async () => {
      await store.append([
        auditEntry('aud_1', { at: T }),
        auditEntry('aud_2', { at: T + MIN, actor: { kind: 'user', id: 'usr_binh', username: 'binh', role: 'admin' }, action: 'user.create', target: {}, status: 201 }),
        auditEntry('aud_3', { at: T + 2 * MIN, target: { id: 'inc_2' }, status: 409, outcome: 'failed' }),
        auditEntry('aud_4', { at: T + 3 * MIN, actor: { kind: 'admin_token' }, action: 'source.rotate_key', target: { id: 'src_1' } }),
        auditEntry('aud_5', { at: T + 4 * MIN, actor: { kind: 'anonymous' }, action: 'login', target: {}, status: 401, outcome: 'denied', details: { username: 'ann' } }),
        auditEntry('aud_6', { at: T + 5 * MIN, action: 'user.token_revoke', target: { id: 'usr_ann', tokenId: 'tok_9' } }),
      ]);
      expect(await ids({ from: T + MIN, to: T + 3 * MIN })).toEqual(['aud_3', 'aud_2']);
      // An anonymous login attempt naming ann in its details is not ann's action.
      expect(await ids({ actor: 'ann' })).toEqual(['aud_6', 'aud_3', 'aud_1']);
      expect(await ids({ actor: 'nobody' })).toEqual([]);
      expect(await ids({ action: 'login' })).toEqual(['aud_5']);
      expect(await ids({ target: 'inc_1' })).toEqual(['aud_1']);
      expect(await ids({ target: 'tok_9' })).toEqual(['aud_6']);
      expect(await ids({ target: 'inc' })).toEqual([]);
      expect(await ids({ outcome: 'denied' })).toEqual(['aud_5']);
      expect(await ids({ outcome: 'failed' })).toEqual(['aud_3']);
      expect(await ids({ actor: 'ann', action: 'incident.ack', outcome: 'success', from: T })).toEqual(['aud_1']);
    });

    it('pages newest first with a cursor, without duplicates or gaps, also among entries of the same millisecond', async () => {
      // 23 entries over 5 distinct times, appended out of order.
      const all = Array.from({ length: 23 }, (_, i) => auditEntry(`aud_${String(i).padStart(2, '0')}`, { at: T + (i % 5) * 1000, target: { id: i % 2 ? 'odd' : 'even' } }));
      await store.append([...all].reverse().slice(0, 10));
      await store.append([...all].reverse().slice(10));
      const expected = [...all].sort((x, y) => y.at - x.at || (x.id < y.id ? 1 : -1)).map((e) => e.id);
      const pages = await allPages({ size: 4 });
      expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 4, 4, 3]);
      expect(pages.flat()).toEqual(expected);
      const odd = await allPages({ size: 5, target: 'odd' });
      expect(odd.flat()).toEqual(expected.filter((id) => Number(id.slice(4)) % 2 === 1));
      // Exactly one full page: no cursor to an empty page.
      expect((await store.list({ size: 23 })).nextCursor).toBeNull();
    });

    it('refuses a bad page size or cursor with kind invalid', async () => {
      await expect(store.list({ size: 0 })).rejects.toMatchObject({ kind: 'invalid' });
      await expect(store.list({ size: 1001 })).rejects.toMatchObject({ kind: 'invalid' });
      await expect(store.list({ cursor: 'not a cursor' })).rejects.toMatchObject({ kind: 'invalid' });
      await expect(store.list({ cursor: Buffer.from('["x","y"]').toString('base64url') })).rejects.toMatchObject({ kind: 'invalid' });
    });

    it('stores every entry recorded together once flushed (group commit through AuditService)', async () => {
      const clock = new FakeClock(T);
      const audit = new AuditService({ store, clock });
      const recorded = Array.from({ length: 1200 }, (_, i) => auditEntry(`aud_${String(i).padStart(4, '0')}`, { at: T + i }));
      recorded.slice(0, 700).forEach((e) => audit.record(e));
      const concurrent = audit.flush();
      recorded.slice(700).forEach((e) => audit.record(e));
      await concurrent;
      await audit.flush();
      const pages = await allPages({ size: 1000 });
      expect(pages.flat()).toEqual(recorded.map((e) => e.id).reverse());
      expect(audit.stats()).toEqual({ written: 1200, writeFailures: 0, dropped: 0, pending: 0 });
    });

    if (persistent) {
      it('keeps entries across a reopen', async () => {
        await store.append([auditEntry('aud_a'), auditEntry('aud_b', { at: T + 1 })]);
        await store.close();
        store = await reopen!();
        expect(await ids()).toEqual(['aud_b', 'aud_a']);
      });
    }
  });
}
