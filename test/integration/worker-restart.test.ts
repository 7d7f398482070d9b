import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, killCanhChildren, startCanhChild } from '../support/canh-process';
import { sampleAccessLogPath } from '../support/shared-data';
import { ADMIN_TOKEN } from '../support/test-service';
import { deleteQueueKeys } from '../support/redis-cleanup';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

describe('a worker killed in the middle of a batch and restarted', () => {
  const prefix = `canh-it-${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await killCanhChildren();
    await deleteQueueKeys(prefix);
  });

  it('leaves no duplicate and no loss', async () => {
    const env = {
      PORT: '0', HOST: '127.0.0.1', CANH_ADMIN_TOKEN: ADMIN_TOKEN, CANH_DATA_DIR: mkdtempSync(join(tmpdir(), 'canh-kill-')),
      CANH_QUEUE_PREFIX: prefix, CANH_JOB_LOCK_MS: '2000', CANH_INGEST_CONCURRENCY: '1',
    };
    let { child, address } = await startCanhChild(env);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const admin = async (path: string, body?: unknown): Promise<any> => {
      const res = await fetch(address + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return res.json();
    };
    await admin('/api/v1/localities', { code: '79', name: 'TP Hồ Chí Minh', level: 'province' });
    const source = await admin('/api/v1/sources', { name: 'apache', locality: '79', kind: 'access', format: 'apache_combined' });

    // 8 batches of the real log plus one bad line each. Event ids derive from (batch, line), so the
    // same line sent in two batches is two events, and a batch redone after the kill is not.
    const lines = readFileSync(sampleAccessLogPath(), 'utf8').trim().split('\n');
    const batches = 8;
    for (let b = 0; b < batches; b++) {
      const body = lines.join('\n') + `\nnot a log line of batch ${b}\n`;
      const res = await fetch(`${address}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'text/plain' }, body });
      expect(res.status).toBe(202);
    }
    const total = batches * (lines.length + 1);

    // Kill it as soon as the worker has finished at least one batch but not all of them.
    const before = await waitFor('some batches processed', async () => {
      const s = await admin(`/api/v1/sources/${source.id}/stats`);
      return s.received > 0 ? s : undefined;
    }, 60_000, 20);
    child.kill('SIGKILL');
    await exited(child);
    expect(before.received).toBeLessThan(total);

    ({ child, address } = await startCanhChild(env));
    try {
      const after = await waitFor('every batch processed after the restart', async () => {
        const s = await admin(`/api/v1/sources/${source.id}/stats`);
        return s.received >= total ? s : undefined;
      }, 90_000, 200);
      expect(after).toMatchObject({ received: total, stored: batches * lines.length, dead_lettered: batches });
      const page = await admin(`/api/v1/events?from=2015-01-01T00:00:00Z&to=2016-01-01T00:00:00Z&size=1`);
      expect(page.total).toBe(batches * lines.length);
      const dead = await admin(`/api/v1/dead-letters?source=${source.id}&size=100`);
      expect(dead.dead_letters).toHaveLength(batches);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });
});
