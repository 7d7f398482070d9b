import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { FakeClock } from '../../src/lib/clock';
import { MemoryDirectoryStore } from '../../src/store/memory/directory-store';
import { MemoryUserStore } from '../../src/store/memory/user-store';
import { DEFAULT_THROTTLE } from '../../src/users/login-throttle';
import { RedisLoginThrottle } from '../../src/users/redis-login-throttle';
import { UserService } from '../../src/users/user-service';
import { deleteQueueKeys } from '../support/redis-cleanup';

const PASSWORD = 'mot-hai-ba-bon-nam';
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);

describe('login lockout shared by api processes (real Redis)', () => {
  const prefix = `canh-test-${randomBytes(4).toString('hex')}`;
  const redis = [new IORedis('redis://127.0.0.1:6379'), new IORedis('redis://127.0.0.1:6379')];
  afterAll(async () => {
    for (const r of redis) r.disconnect();
    await deleteQueueKeys(prefix);
  });

  it('5 failures spread over two processes lock the username in both; the lock expires after 15 minutes', async () => {
    const clock = new FakeClock(T0);
    const store = new MemoryUserStore();
    const directory = new MemoryDirectoryStore();
    await directory.createLocality({ code: '00', name: 'central', level: 'central', parentCode: null, provinceCode: null, createdAt: T0 });
    // Two api processes: one user store (the shared database), each with its own connection to Redis.
    const [a, b] = redis.map((r) => new UserService(store, directory, clock, new RedisLoginThrottle(r, prefix)));
    await a.createUser({ username: 'chi', password: PASSWORD, role: 'admin', locality: '00' });
    const attempt = (svc: UserService, password: string) => svc.login({ username: 'chi', password }).then(() => 'ok', (e: { code: string }) => e.code);

    expect(await attempt(a, PASSWORD)).toBe('ok');
    for (const svc of [a, b, a, b]) expect(await attempt(svc, 'wrong password!')).toBe('CANH_AUTH_LOGIN_FAILED');
    expect(await attempt(b, 'wrong password!')).toBe('CANH_AUTH_LOGIN_FAILED');
    // The fifth failure (on b) locks the username for a as well, even with the right password.
    expect(await attempt(a, PASSWORD)).toBe('CANH_AUTH_LOCKED');
    expect(await attempt(b, PASSWORD)).toBe('CANH_AUTH_LOCKED');
    // Redis expires the lock by itself after 15 minutes; end it here rather than wait.
    const keys = await redis[0].keys(`${prefix}:login:lock:*`);
    expect(keys).toHaveLength(1);
    expect(await redis[0].pttl(keys[0])).toBeGreaterThan(DEFAULT_THROTTLE.lockMs - 60_000);
    expect(keys[0]).not.toContain('chi');
    await redis[0].del(keys[0]);
    expect(await attempt(b, PASSWORD)).toBe('ok');
  });

  it('keeps counting in the process when Redis does not answer', async () => {
    const clock = new FakeClock(T0);
    const store = new MemoryUserStore();
    const directory = new MemoryDirectoryStore();
    await directory.createLocality({ code: '00', name: 'central', level: 'central', parentCode: null, provinceCode: null, createdAt: T0 });
    const down = new IORedis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    const warnings: string[] = [];
    const svc = new UserService(store, directory, clock, new RedisLoginThrottle(down, prefix, DEFAULT_THROTTLE, (m) => warnings.push(m)));
    await svc.createUser({ username: 'dung', password: PASSWORD, role: 'admin', locality: '00' });
    for (let i = 0; i < 5; i++) await expect(svc.login({ username: 'dung', password: 'wrong password!' })).rejects.toMatchObject({ code: 'CANH_AUTH_LOGIN_FAILED' });
    await expect(svc.login({ username: 'dung', password: PASSWORD })).rejects.toMatchObject({ code: 'CANH_AUTH_LOCKED', kind: 'rate_limited' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toContain('dung');
    down.disconnect();
  });
});
