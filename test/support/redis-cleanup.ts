import IORedis from 'ioredis';

/** Deletes every Redis key under a test's queue prefix, so test runs leave nothing behind. */
export async function deleteQueueKeys(prefix: string, url = 'redis://127.0.0.1:6379'): Promise<void> {
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
