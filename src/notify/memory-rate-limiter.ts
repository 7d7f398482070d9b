import type { Notification } from './notification';
import { rateWindow, type Admission, type NotifyLimiter } from './rate-limit';

/** NotifyLimiter fake for unit tests: the same answers as RedisNotifyLimiter, in maps. */
export class MemoryNotifyLimiter implements NotifyLimiter {
  private readonly admitted = new Map<string, Set<string>>();
  private readonly heldIds = new Map<string, Set<string>>();
  private readonly heldItems = new Map<string, Notification[]>();

  constructor(readonly limit = 10, readonly windowMs = 600_000) {}

  async admit(recipientKey: string, notification: Notification, at: number): Promise<Admission> {
    const window = rateWindow(at, this.windowMs);
    const key = `${recipientKey}:${window.index}`;
    const admitted = getOrSet(this.admitted, key, () => new Set<string>());
    const heldIds = getOrSet(this.heldIds, key, () => new Set<string>());
    if (admitted.has(notification.id)) return { admitted: true };
    if (heldIds.has(notification.id)) return { admitted: false, window };
    if (admitted.size < this.limit) {
      admitted.add(notification.id);
      return { admitted: true };
    }
    heldIds.add(notification.id);
    getOrSet(this.heldItems, key, () => []).push(notification);
    return { admitted: false, window };
  }

  async held(recipientKey: string, windowIndex: number): Promise<Notification[]> {
    return [...(this.heldItems.get(`${recipientKey}:${windowIndex}`) ?? [])];
  }

  async release(recipientKey: string, windowIndex: number, count: number): Promise<void> {
    this.heldItems.get(`${recipientKey}:${windowIndex}`)?.splice(0, count);
  }
}

function getOrSet<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}
