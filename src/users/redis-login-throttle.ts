import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DEFAULT_THROTTLE, LoginThrottle, type LoginGuard, type ThrottleOptions } from './login-throttle';

/**
 * Failed-login counters shared by every api process, in Redis under `<prefix>:login:`: a sorted set
 * of failure times per username (sliding window) and a lock key that expires by itself. Usernames
 * are keyed by SHA-256, so Redis holds no names. When Redis does not answer, this process's own
 * counters take over (a lockout still happens, per process) and one warning is logged per outage.
 */
export class RedisLoginThrottle implements LoginGuard {
  private readonly local: LoginThrottle;
  private degraded = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: ThrottleOptions = DEFAULT_THROTTLE,
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    this.local = new LoginThrottle(options);
  }

  async lockedFor(username: string, now: number): Promise<number> {
    return this.guard(async () => Math.max(0, await this.redis.pttl(this.key('lock', username))), () => this.local.lockedFor(username, now));
  }

  async fail(username: string, now: number): Promise<void> {
    this.local.fail(username, now);
    await this.guard(async () => {
      const failures = this.key('fail', username);
      const replies = await this.redis.multi()
        .zadd(failures, now, `${now}-${Math.random().toString(36).slice(2, 8)}`)
        .zremrangebyscore(failures, '-inf', now - this.options.windowMs)
        .zcard(failures)
        .pexpire(failures, this.options.windowMs)
        .exec();
      const count = Number(replies?.[2]?.[1] ?? 0);
      if (count >= this.options.maxFailures) {
        await this.redis.multi().set(this.key('lock', username), '1', 'PX', this.options.lockMs).del(failures).exec();
      }
    }, () => undefined);
  }

  async succeed(username: string): Promise<void> {
    this.local.succeed(username);
    await this.guard(async () => {
      await this.redis.del(this.key('fail', username));
    }, () => undefined);
  }

  private key(kind: 'fail' | 'lock', username: string): string {
    return `${this.prefix}:login:${kind}:${createHash('sha256').update(username).digest('hex').slice(0, 32)}`;
  }

  private async guard<T>(shared: () => Promise<T>, fallback: () => T): Promise<T> {
    try {
      const value = await shared();
      this.degraded = false;
      return value;
    } catch (err) {
      if (!this.degraded) this.warn(`login lockout counters unavailable in Redis (${(err as Error).message}); counting in this process until it answers`);
      this.degraded = true;
      return fallback();
    }
  }
}
