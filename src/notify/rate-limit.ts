import type { Redis } from 'ioredis';
import type { Notification } from './notification';

/** One fixed rate-limit window: [start, end) epoch ms, `index` = start / length. */
export interface RateWindow {
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/** The window of length `windowMs` that holds `at` (windows are aligned to multiples of their length). */
export function rateWindow(at: number, windowMs: number): RateWindow {
  const index = Math.floor(at / windowMs);
  return { index, start: index * windowMs, end: (index + 1) * windowMs };
}

/** The limiter's answer for one notification: send it now, or it was held for the window's digest. */
export type Admission = { readonly admitted: true } | { readonly admitted: false; readonly window: RateWindow };

/**
 * Per-recipient rate limit. Counting is by notification id, so a retried job is answered as the
 * first time (admitted stays admitted, held stays held) and is never counted twice.
 */
export interface NotifyLimiter {
  /** Notifications a recipient gets per window before the rest are held. */
  readonly limit: number;
  /** Window length, ms. */
  readonly windowMs: number;
  /** Counts the notification in the window holding `at`; over the limit it is held (kept for the digest). */
  admit(recipientKey: string, notification: Notification, at: number): Promise<Admission>;
  /** The notifications held for the recipient in a window, oldest first. */
  held(recipientKey: string, windowIndex: number): Promise<Notification[]>;
  /** Forgets the first `count` held notifications (once their digest was sent). */
  release(recipientKey: string, windowIndex: number, count: number): Promise<void>;
}

export interface RedisNotifyLimiterOptions {
  readonly redis: Redis;
  /** Prefix of the keys (`<prefix>:notify-rate:…`), the queue prefix. @defaultValue `canh` */
  readonly prefix?: string;
  /** @defaultValue 10 */
  readonly limit?: number;
  /** @defaultValue 600000 (10 minutes) */
  readonly windowMs?: number;
  /** How long held notifications stay after their window, for digests that are retried. @defaultValue 86400000 (a day) */
  readonly keepMs?: number;
}

// KEYS: admitted ids (set), held ids (set), held notifications (list).
// ARGV: id, limit, expiry ms, notification JSON. Returns 1 admitted, 0 held.
const ADMIT = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
if redis.call('SCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('SADD', KEYS[1], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('RPUSH', KEYS[3], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return 0
`;

/** NotifyLimiter in Redis: per recipient and window, a set of admitted ids, a set of held ids and the list of held notifications, in one script. */
export class RedisNotifyLimiter implements NotifyLimiter {
  readonly limit: number;
  readonly windowMs: number;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly keepMs: number;

  constructor(options: RedisNotifyLimiterOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? 'canh';
    this.limit = options.limit ?? 10;
    this.windowMs = options.windowMs ?? 600_000;
    this.keepMs = options.keepMs ?? 86_400_000;
    if (!Number.isInteger(this.limit) || this.limit < 1) throw new Error(`Notification rate limit must be a positive integer, got ${this.limit}`);
    if (!Number.isInteger(this.windowMs) || this.windowMs < 1) throw new Error(`Notification rate window must be a positive number of ms, got ${this.windowMs}`);
  }

  private key(recipientKey: string, windowIndex: number, part: string): string {
    // The braces keep a window's keys in one Redis Cluster slot, as the script needs.
    return `${this.prefix}:notify-rate:{${recipientKey}:${windowIndex}}:${part}`;
  }

  async admit(recipientKey: string, notification: Notification, at: number): Promise<Admission> {
    const window = rateWindow(at, this.windowMs);
    const keys = ['admitted', 'held-ids', 'held'].map((p) => this.key(recipientKey, window.index, p));
    const expiry = Math.max(1, window.end - at) + this.keepMs;
    const answer = await this.redis.eval(ADMIT, 3, ...keys, notification.id, this.limit, expiry, JSON.stringify(notification));
    return Number(answer) === 1 ? { admitted: true } : { admitted: false, window };
  }

  async held(recipientKey: string, windowIndex: number): Promise<Notification[]> {
    const raw = await this.redis.lrange(this.key(recipientKey, windowIndex, 'held'), 0, -1);
    return raw.map((r) => JSON.parse(r) as Notification);
  }

  async release(recipientKey: string, windowIndex: number, count: number): Promise<void> {
    await this.redis.ltrim(this.key(recipientKey, windowIndex, 'held'), count, -1);
  }
}
