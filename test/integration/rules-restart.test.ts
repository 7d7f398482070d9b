import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { QUEUES } from '../../src/queue/jobs';
import type { Hit } from '../../src/rules/rule';
import { exited, killCanhChildren, startCanhChild } from '../support/canh-process';
import { ADMIN_TOKEN } from '../support/test-service';
import { deleteQueueKeys } from '../support/redis-cleanup';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

const RULE = `
id: login-seen
title: A login failure
severity: low
category: intrusion-attempts
dataset: web.access
filter: 'url.path:"/dang-nhap"'
type: match
group_by: [source.ip]
every: 1s
delay: 8s
suppress: 0s
`;

describe('the rule engine killed and restarted', () => {
  const prefix = `canh-it-${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await killCanhChildren();
    await deleteQueueKeys(prefix);
  });

  it('neither misses nor repeats a hit, including for events of the time it was down', async () => {
    const rulesDir = mkdtempSync(join(tmpdir(), 'canh-rr-'));
    writeFileSync(join(rulesDir, 'login.yaml'), RULE);
    const env = {
      PORT: '0', HOST: '127.0.0.1', CANH_ADMIN_TOKEN: ADMIN_TOKEN, CANH_DATA_DIR: mkdtempSync(join(tmpdir(), 'canh-rr-data-')),
      CANH_QUEUE_PREFIX: prefix, CANH_RULES_DIR: rulesDir, CANH_JOB_LOCK_MS: '2000',
    };
    const redis = new IORedis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    const incidents = new Queue<Hit>(QUEUES.incidents, { connection: redis, prefix });
    try {
      let { child, address } = await startCanhChild(env);
      const admin = async (path: string, body?: unknown): Promise<any> => (await fetch(address + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })).json();
      await admin('/api/v1/localities', { code: '01', name: 'Hà Nội', level: 'province' });
      const source = await admin('/api/v1/sources', { name: 'portal', locality: '01', kind: 'access', format: 'json' });
      const send = async (ips: string[], at: number) => {
        const body = ips.map((ip) => JSON.stringify({ '@timestamp': new Date(at).toISOString(), source: { ip }, url: { path: '/dang-nhap' }, http: { request: { method: 'POST' }, response: { status_code: 401 } } })).join('\n');
        const res = await fetch(`${address}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'application/x-ndjson' }, body });
        expect(res.status).toBe(202);
      };
      const hitIps = async () => (await incidents.getJobs(['waiting', 'active', 'completed', 'delayed'])).filter((j) => j.data.ruleId === 'login-seen').map((j) => String(j.data.group['source.ip']));

      await send(['10.0.0.1', '10.0.0.2'], Date.now());
      await waitFor('the first hits', async () => (await hitIps()).length === 2, 30_000, 100);
      child.kill('SIGKILL');
      await exited(child);
      const downAt = Date.now();

      ({ child, address } = await startCanhChild(env));
      // An event of the time the engine was down (sent late, as a shipper catching up would, but within
      // the rule's 8 s delay: the catch-up after the restart must cover it) and a fresh one.
      await send(['10.0.0.3'], downAt);
      await send(['10.0.0.4'], Date.now());
      const ips = await waitFor('every hit after the restart', async () => {
        const all = await hitIps();
        return all.length >= 4 ? all : undefined;
      }, 30_000, 100);
      // A few more evaluations must add nothing.
      const checkpoint = async () => (await admin('/api/v1/rules/login-seen/runs?size=1')).runs[0]?.window_to;
      const at = await checkpoint();
      await waitFor('two more evaluations', async () => Date.parse(await checkpoint()) >= Date.parse(at) + 2000, 20_000, 100);
      expect((await hitIps()).sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
      expect(ips.sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
      child.kill('SIGTERM');
      await exited(child);
    } finally {
      await incidents.close();
      redis.disconnect();
    }
  });
});
