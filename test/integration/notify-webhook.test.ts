import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import IORedis, { type Redis } from 'ioredis';
import type { DeliveryResult } from '../../src/notify/notification';
import { enqueueNotifications } from '../../src/notify/notify-queue';
import { startNotifyWorker, type NotifyWorker } from '../../src/notify/notify-worker';
import { RedisNotifyLimiter } from '../../src/notify/rate-limit';
import { verifyWebhookSignature } from '../../src/notify/signature';
import { sampleNotification } from '../../src/notify/test-support';
import { WebhookSender } from '../../src/notify/webhook-sender';
import { deleteQueueKeys } from '../support/redis-cleanup';
import { waitFor } from '../support/wait';

jest.setTimeout(30_000);

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

describe('notifications by webhook (real HTTP, real Redis)', () => {
  const secret = 'whsec-test-0123456789';
  const received: Received[] = [];
  /** Status the receiver answers for a path, given how many requests that path has had. */
  let answer: (path: string, seen: number) => number = () => 200;
  let server: Server;
  let base: string;
  let redis: Redis;
  let notify: NotifyWorker;
  const results: DeliveryResult[] = [];
  const prefix = `canh-test-notify-${randomBytes(4).toString('hex')}`;
  const retry = { attempts: 5, backoffMs: 100 };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        const status = answer(path, received.filter((r) => r.path === path).length + 1);
        received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    redis = new IORedis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    notify = startNotifyWorker({
      connection: redis,
      prefix,
      senders: { webhook: new WebhookSender({ timeoutMs: 5000 }) },
      limiter: new RedisNotifyLimiter({ redis, prefix }),
      onDelivered: (r) => void results.push(r),
      retry,
    });
  });
  afterAll(async () => {
    await notify?.close();
    redis?.disconnect();
    await new Promise((resolve) => server?.close(resolve));
    await deleteQueueKeys(prefix);
  });

  const hook = (name: string) =>
    sampleNotification({ id: `inc_${name}-incident_opened-0`, incident: { id: `inc_${name}` }, recipient: { kind: 'webhook', url: `${base}/${name}`, secret } });

  it('POSTs signed JSON; a 500 is retried and the 200 after it delivers', async () => {
    answer = (path, seen) => (path === '/flaky' && seen === 1 ? 500 : 200);
    const n = hook('flaky');
    await enqueueNotifications(notify.queue, [n], retry);
    const result = await waitFor('the delivery report', () => results.find((r) => r.notificationId === n.id));
    expect(result).toMatchObject({ ok: true, attempts: 2, messageId: n.id });
    const calls = received.filter((r) => r.path === '/flaky');
    expect(calls.map((c) => c.status)).toEqual([500, 200]);
    for (const c of calls) {
      expect(c.headers['content-type']).toBe('application/json');
      expect(c.headers['x-canh-event']).toBe('incident_opened');
      expect(c.headers['x-canh-delivery']).toBe(n.id);
      const timestamp = String(c.headers['x-canh-timestamp']);
      const signature = String(c.headers['x-canh-signature']);
      expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifyWebhookSignature({ secret, timestamp, body: c.body, signature, now: Date.now() })).toBe(true);
      expect(verifyWebhookSignature({ secret: 'wrong-secret', timestamp, body: c.body, signature })).toBe(false);
    }
    const payload = JSON.parse(calls[1].body);
    expect(payload).toMatchObject({ id: n.id, event: 'incident_opened', link: `http://canh.local:3000/incidents/inc_flaky`, incident: { title: 'Tỷ lệ OTP thất bại cao', locality: { name: 'Xã Phú Mỹ' } } });
    expect(calls[1].body).not.toContain(secret);
  });

  it('does not retry a 404, retries a 429', async () => {
    answer = (path, seen) => (path === '/gone' ? 404 : path === '/busy' && seen === 1 ? 429 : 200);
    const gone = hook('gone');
    const busy = hook('busy');
    await enqueueNotifications(notify.queue, [gone, busy], retry);
    const failed = await waitFor('the failure report', () => results.find((r) => r.notificationId === gone.id));
    expect(failed).toMatchObject({ ok: false, attempts: 1, error: expect.stringContaining('HTTP 404') });
    expect(await waitFor('the 429 to be delivered', () => results.find((r) => r.notificationId === busy.id))).toMatchObject({ ok: true, attempts: 2 });
    await waitFor('the 404 job to fail', async () => (await notify.queue.getJobState(gone.id)) === 'failed');
    expect(received.filter((r) => r.path === '/gone')).toHaveLength(1);
  });
});
