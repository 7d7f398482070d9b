import type { StoredMonitor } from '../../src/monitors/monitor';
import type { MonitorStore } from '../../src/store/monitor-store';
import { ALL_SCOPE, localityScope } from '../../src/store/scope';

const T = Date.UTC(2026, 10, 23);
const monitor = (id: string, locality: string, province: string | null, over: Partial<StoredMonitor> = {}): StoredMonitor => ({
  id, name: `Portal ${id}`, locality, province, service: 'Cổng dịch vụ công',
  check: { type: 'http', url: `https://${id}.example.vn/`, method: 'GET', expectedStatus: [200], bodyKeyword: 'Đăng nhập', followRedirects: true, tlsExpiryWarningDays: 14 },
  intervalMs: 30_000, timeoutMs: 5_000, enabled: true, origin: { kind: 'api' }, createdAt: T, updatedAt: T, ...over,
});

/** The MonitorStore contract: every adapter passes it. */
export function monitorStoreContract(name: string, make: () => Promise<{ store: MonitorStore; reopen?: () => Promise<MonitorStore> }>) {
  describe(`MonitorStore contract: ${name}`, () => {
    let store: MonitorStore;
    let reopen: (() => Promise<MonitorStore>) | undefined;
    const portal = monitor('portal', '26734', '79');
    const mail = monitor('mail', '00004', '01', { check: { type: 'tcp', host: 'mail.example.vn', port: 25 }, service: 'Thư điện tử' });

    beforeEach(async () => {
      ({ store, reopen } = await make());
      await store.createMonitor(portal);
      await store.createMonitor(mail);
    });
    afterEach(() => store.close());

    it('reads back what was written, ordered by id, within the scope', async () => {
      expect(await store.listMonitors(ALL_SCOPE)).toEqual([mail, portal]);
      expect(await store.getMonitor('portal', ALL_SCOPE)).toEqual(portal);
      expect(await store.listMonitors(localityScope(['79']))).toEqual([portal]);
      expect(await store.listMonitors(localityScope(['00004']))).toEqual([mail]);
      expect(await store.listMonitors(localityScope([]))).toEqual([]);
    });

    it('answers null / false outside the scope, as for an unknown id', async () => {
      const other = localityScope(['00004']);
      expect(await store.getMonitor('portal', other)).toBeNull();
      expect(await store.getMonitor('nope', ALL_SCOPE)).toBeNull();
      expect(await store.updateMonitor({ ...portal, name: 'x' }, other)).toBeNull();
      expect(await store.deleteMonitor('portal', other)).toBe(false);
      expect(await store.getMonitor('portal', ALL_SCOPE)).toEqual(portal);
    });

    it('refuses a second monitor with the same id (conflict)', async () => {
      await expect(store.createMonitor(monitor('portal', '00004', '01'))).rejects.toMatchObject({ kind: 'conflict' });
    });

    it('updates and deletes in scope', async () => {
      const changed = { ...portal, name: 'Renamed', enabled: false, intervalMs: 60_000, updatedAt: T + 1 };
      expect(await store.updateMonitor(changed, localityScope(['26734']))).toEqual(changed);
      expect(await store.getMonitor('portal', ALL_SCOPE)).toEqual(changed);
      expect(await store.deleteMonitor('portal', localityScope(['79']))).toBe(true);
      expect(await store.getMonitor('portal', ALL_SCOPE)).toBeNull();
      expect(await store.deleteMonitor('portal', ALL_SCOPE)).toBe(false);
    });

    it('keeps monitors across a reopen (persistent adapters)', async () => {
      if (!reopen) return;
      await store.close();
      store = await reopen();
      expect(await store.listMonitors(ALL_SCOPE)).toEqual([mail, portal]);
    });
  });
}
