import IORedis, { type Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections. Producers fail fast (no offline queue), so the API answers 503 instead of
 * hanging when Redis is down; workers wait and reconnect (BullMQ needs maxRetriesPerRequest null).
 */
export function createRedis(url: string, role: 'producer' | 'worker'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3000 };
  return new IORedis(url, { ...options, lazyConnect: role === 'producer' });
}

/**
 * Checks once, with a deadline, that Redis answers PING. Resolves with null when it does, else with
 * a message saying where it looked and how to start Redis.
 */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<string | null> {
  const client = new IORedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  const timer = new Promise<string>((resolve) => setTimeout(() => resolve('no answer within ' + timeoutMs + ' ms'), timeoutMs).unref());
  try {
    const answer = await Promise.race([client.connect().then(() => client.ping()), timer]);
    if (answer === 'PONG') return null;
    return explain(url, String(answer));
  } catch (err) {
    return explain(url, (err as Error).message);
  } finally {
    client.disconnect();
  }
}

function explain(url: string, reason: string): string {
  return [
    `Cannot reach Redis at ${redact(url)} (${reason}).`,
    'Canh queues every batch in Redis. Start it, for example:',
    '  redis-server --daemonize yes --bind 127.0.0.1 --port 6379',
    'or point REDIS_URL at a running Redis (redis://host:port).',
  ].join('\n');
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

/** Deletes every Redis key under `prefix:` (a test's or a benchmark's queues), scanning in batches. */
export async function deleteKeysUnder(url: string, prefix: string): Promise<void> {
  const redis = new IORedis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
