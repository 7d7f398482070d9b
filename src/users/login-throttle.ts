/** After `maxFailures` failed logins of a username within `windowMs`, it is locked for `lockMs`. */
export interface ThrottleOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockMs: number;
  /** Usernames tracked at most (oldest forgotten first), so random names cannot fill memory. */
  readonly maxTracked: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000, maxTracked: 10_000 };

/** What UserService asks about failed logins: this process's LoginThrottle, or RedisLoginThrottle shared by all. */
export interface LoginGuard {
  /** Milliseconds until the username may try again; 0 when it is not locked. */
  lockedFor(username: string, now: number): number | Promise<number>;
  fail(username: string, now: number): void | Promise<void>;
  succeed(username: string): void | Promise<void>;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
}

/**
 * Failed-login counters of one API process (in memory; each api process counts on its own). Pure:
 * every method takes `now`.
 */
export class LoginThrottle implements LoginGuard {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** Milliseconds until the username may try again; 0 when it is not locked. */
  lockedFor(username: string, now: number): number {
    const e = this.entries.get(username);
    return e && e.lockedUntil > now ? e.lockedUntil - now : 0;
  }

  /** Records a failure; locks the username when it reaches the limit within the window. */
  fail(username: string, now: number): void {
    const e = this.entries.get(username) ?? { failures: [], lockedUntil: 0 };
    this.entries.delete(username);
    e.failures = [...e.failures.filter((t) => t > now - this.options.windowMs), now];
    if (e.failures.length >= this.options.maxFailures) {
      e.lockedUntil = now + this.options.lockMs;
      e.failures = [];
    }
    this.entries.set(username, e);
    while (this.entries.size > this.options.maxTracked) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Forgets the failures of a username after a successful login. */
  succeed(username: string): void {
    this.entries.delete(username);
  }
}
