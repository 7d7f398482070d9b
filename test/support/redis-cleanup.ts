import { deleteKeysUnder } from '../../src/queue/redis';

/** Deletes every Redis key under a test's queue prefix, so test runs leave nothing behind. */
export function deleteQueueKeys(prefix: string, url = 'redis://127.0.0.1:6379'): Promise<void> {
  return deleteKeysUnder(url, prefix);
}
