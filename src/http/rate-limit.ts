import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Redis } from 'ioredis';

/**
 * Request rate limits per client address and per credential, counted in fixed one-minute windows.
 * Glossary:
 * - bucket: what is counted, `a:<address>` or `k:<hash of the credential>`; a credential (source
 *   key, user token, admin token, session cookie) is only ever known here by a SHA-256 prefix of it.
 * - window: the minute a request falls in (`floor(now / windowMs)`); its counter expires with it.
 */

/** Counts hits per bucket and window; shared by every api process when backed by Redis. */
export interface RateCounter {
  /**
   * Adds one hit to each bucket's counter of the window starting at `windowStart` and returns the
   * counts after the hit, in the order of `buckets`. Counters expire after `windowMs`. Rejects when
   * the backing store does not answer (the limiter then lets the request through).
   */
  hit(buckets: readonly string[], windowStart: number, windowMs: number): Promise<number[]>;
}

/** Counters in Redis (INCR + PEXPIRE in one MULTI per request), under `<prefix>:ratelimit:`. */
export class RedisRateCounter implements RateCounter {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async hit(buckets: readonly string[], windowStart: number, windowMs: number): Promise<number[]> {
    const multi = this.redis.multi();
    for (const bucket of buckets) {
      const key = `${this.prefix}:ratelimit:${bucket}:${windowStart}`;
      multi.incr(key).pexpire(key, windowMs);
    }
    const replies = (await multi.exec()) ?? [];
    return buckets.map((_, i) => {
      const [err, value] = replies[i * 2] ?? [new Error('no reply'), null];
      if (err) throw err;
      return Number(value);
    });
  }
}

/** Counters in this process's memory (unit tests, single-process use). */
export class MemoryRateCounter implements RateCounter {
  private readonly counts = new Map<string, { window: number; count: number }>();

  async hit(buckets: readonly string[], windowStart: number): Promise<number[]> {
    return buckets.map((bucket) => {
      const entry = this.counts.get(bucket);
      const next = entry && entry.window === windowStart ? { window: windowStart, count: entry.count + 1 } : { window: windowStart, count: 1 };
      this.counts.set(bucket, next);
      return next.count;
    });
  }
}

export interface RateLimits {
  /** Requests one client address may make per window; 0: no limit. */
  readonly perAddress: number;
  /** Requests one credential may make per window; 0: no limit. */
  readonly perCredential: number;
  /** @defaultValue 60 000 (one minute) */
  readonly windowMs?: number;
  /** Longest wait for the counter before letting the request through. @defaultValue 250 */
  readonly timeoutMs?: number;
}

/** What the limiter decided for one request. */
export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly limit: number; readonly per: 'address' | 'credential'; readonly retryAfterSeconds: number };

/** The parts of a request the limiter looks at. */
export interface RateSubject {
  readonly address: string;
  /** The credential as sent (Authorization header value or session cookie), or null. */
  readonly credential: string | null;
}

/** Where the limiter says the counter is unreachable (once per outage). */
export interface RateLimitLog {
  warn(obj: object, msg: string): void;
}

/**
 * Decides whether a request is within its limits. When the counter fails or is slow, requests are
 * let through (an unreachable Redis must not take the API down) and it is logged once per outage.
 */
export class RateLimiter {
  private failing = false;

  constructor(
    private readonly counter: RateCounter,
    private readonly limits: RateLimits,
    private readonly log: RateLimitLog = { warn: () => undefined },
  ) {}

  async check(subject: RateSubject, now: number): Promise<RateDecision> {
    const windowMs = this.limits.windowMs ?? 60_000;
    const checks: Array<{ bucket: string; limit: number; per: 'address' | 'credential' }> = [];
    if (this.limits.perAddress > 0) checks.push({ bucket: `a:${addressBucket(subject.address)}`, limit: this.limits.perAddress, per: 'address' });
    if (this.limits.perCredential > 0 && subject.credential) {
      checks.push({ bucket: `k:${credentialId(subject.credential)}`, limit: this.limits.perCredential, per: 'credential' });
    }
    if (checks.length === 0) return { allowed: true };
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const counts = await this.count(checks.map((c) => c.bucket), windowStart, windowMs);
    if (!counts) return { allowed: true };
    const over = checks.find((c, i) => counts[i] > c.limit);
    if (!over) return { allowed: true };
    return { allowed: false, limit: over.limit, per: over.per, retryAfterSeconds: Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000)) };
  }

  private async count(buckets: string[], windowStart: number, windowMs: number): Promise<number[] | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.limits.timeoutMs ?? 250} ms`)), this.limits.timeoutMs ?? 250);
    });
    try {
      const counts = await Promise.race([this.counter.hit(buckets, windowStart, windowMs), timeout]);
      if (this.failing) this.log.warn({}, 'rate limit counters reachable again: limits apply');
      this.failing = false;
      return counts;
    } catch (err) {
      if (!this.failing) this.log.warn({ reason: (err as Error).message }, 'rate limit counters unreachable: requests are let through unlimited until they answer');
      this.failing = true;
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A credential's bucket id: 32 hex characters of its SHA-256, never the secret. */
export function credentialId(credential: string): string {
  return createHash('sha256').update(credential).digest('hex').slice(0, 32);
}

/**
 * The address a limit applies to: an IPv6 client counts with its whole /64 (one host usually holds
 * a /64, so rotating within it gains nothing); IPv4 and IPv4-mapped addresses count alone.
 */
export function addressBucket(address: string): string {
  if (!isIPv6(address) || address.includes('.')) return address.replace(/^::ffff:/i, '');
  const [head, tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The limiter of an api process, or undefined when both limits are 0 (off). */
export function createRateLimiter(
  config: { readonly rateLimitPerAddress: number; readonly rateLimitPerKey: number; readonly queuePrefix: string },
  redis: Redis,
  log?: RateLimitLog,
): RateLimiter | undefined {
  if (config.rateLimitPerAddress === 0 && config.rateLimitPerKey === 0) return undefined;
  return new RateLimiter(new RedisRateCounter(redis, config.queuePrefix), { perAddress: config.rateLimitPerAddress, perCredential: config.rateLimitPerKey }, log);
}
