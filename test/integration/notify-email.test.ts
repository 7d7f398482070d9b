import { randomBytes } from 'node:crypto';
import IORedis, { type Redis } from 'ioredis';
import { EmailSender } from '../../src/notify/email-sender';
import type { DeliveryResult, Notification } from '../../src/notify/notification';
import { enqueueNotifications } from '../../src/notify/notify-queue';
import { startNotifyWorker, type NotifyWorker } from '../../src/notify/notify-worker';
import { RedisNotifyLimiter } from '../../src/notify/rate-limit';
import { renderNotification } from '../../src/notify/render';
import { sampleNotification } from '../../src/notify/test-support';
import { deleteQueueKeys } from '../support/redis-cleanup';
import { TestSmtp } from '../support/smtp-sink';
import { waitFor } from '../support/wait';

jest.setTimeout(30_000);

const XSS = '<script>alert(1)</script>';

describe('notifications by email (real SMTP exchange, real Redis)', () => {
  let smtp: TestSmtp;
  let sender: EmailSender;
  let redis: Redis;
  const prefixes: string[] = [];
  const workers: NotifyWorker[] = [];

  beforeAll(async () => {
    smtp = new TestSmtp();
    sender = new EmailSender({ smtpUrl: await smtp.start() });
    redis = new IORedis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  });
  afterEach(async () => {
    smtp.answer = () => null;
    for (const w of workers.splice(0)) await w.close();
  });
  afterAll(async () => {
    sender?.close();
    redis?.disconnect();
    await smtp?.stop();
    for (const p of prefixes) await deleteQueueKeys(p);
  });

  /** A notify worker on its own queue prefix, with short retries, collecting what it reports. */
  function worker(limit = 10, windowMs = 600_000): { w: NotifyWorker; results: DeliveryResult[]; enqueue: (ns: Notification[]) => Promise<void> } {
    const prefix = `canh-test-notify-${randomBytes(4).toString('hex')}`;
    prefixes.push(prefix);
    const results: DeliveryResult[] = [];
    const retry = { attempts: 8, backoffMs: 100 };
    const w = startNotifyWorker({
      connection: redis,
      prefix,
      senders: { email: sender },
      limiter: new RedisNotifyLimiter({ redis, prefix, limit, windowMs }),
      onDelivered: (r) => void results.push(r),
      retry,
    });
    workers.push(w);
    return { w, results, enqueue: (ns) => enqueueNotifications(w.queue, ns, retry) };
  }

  const note = (k: string, extra: Parameters<typeof sampleNotification>[0] = {}) =>
    sampleNotification({ ...extra, id: `inc_${k}-incident_opened-0`, incident: { id: `inc_${k}`, title: `Tỷ lệ OTP thất bại cao ${k}`, ...extra.incident } });

  it('delivers a Vietnamese message intact: recipients, subject with diacritics, text and HTML, escaped values, no injected header', async () => {
    const n = note('mail', { incident: { group: { 'url.path': XSS } } });
    const crlf = note('crlf', { incident: { title: 'Bad\r\nBcc: victim@example.com' } });
    const receipt = await sender.send(renderNotification(n, 'vi'), 'soc@phumy.gov.vn');
    await sender.send(renderNotification(crlf, 'vi'), 'soc@phumy.gov.vn');
    expect(receipt.messageId).toMatch(/^<.+@.+>$/);
    expect(receipt.response).toMatch(/^250/);
    const mail = await waitFor('the message to arrive', () => smtp.received.find((m) => m.subject?.includes('cao mail')));
    expect(mail.subject).toBe('[Canh][HIGH] Xã Phú Mỹ: Tỷ lệ OTP thất bại cao mail');
    expect(mail.from?.value).toEqual([{ name: 'Canh', address: 'canh@localhost' }]);
    expect([mail.to].flat().map((a) => a?.text)).toEqual(['soc@phumy.gov.vn']);
    expect(mail.text).toContain('Sự cố mới');
    expect(mail.text).toContain('Mức độ: Cao (high)');
    expect(mail.text).toContain(`url.path: ${XSS}`);
    expect(mail.html).toContain('Sự cố mới: Tỷ lệ OTP thất bại cao mail');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('href="http://canh.local:3000/incidents/inc_mail"');
    const bad = await waitFor('the CRLF message to arrive', () => smtp.received.find((m) => m.subject?.startsWith('[Canh][HIGH] Xã Phú Mỹ: Bad')));
    expect(bad.subject).toBe('[Canh][HIGH] Xã Phú Mỹ: Bad Bcc: victim@example.com');
    expect(bad.headers.has('bcc')).toBe(false);
    expect(bad.bcc).toBeUndefined();
  });

  it('retries a 451 with backoff until the server accepts, and the message arrives once', async () => {
    const { w, results, enqueue } = worker();
    smtp.answer = (subject, seen) => (subject.endsWith('cao retry') && seen <= 2 ? 451 : null);
    await enqueue([note('retry')]);
    const result = await waitFor('the delivery report', () => results.find((r) => r.notificationId === 'inc_retry-incident_opened-0'));
    expect(result).toMatchObject({ ok: true, attempts: 3, recipient: { kind: 'email', address: 'soc@phumy.gov.vn' } });
    await waitFor('the job to complete', async () => (await w.queue.getJobState('inc_retry-incident_opened-0')) === 'completed');
    expect(smtp.attempts.filter((s) => s.endsWith('cao retry'))).toHaveLength(3);
    expect(smtp.received.filter((m) => m.subject?.endsWith('cao retry'))).toHaveLength(1);
    expect(smtp.received.find((m) => m.subject?.endsWith('cao retry'))?.messageId).toBe(result.messageId);
    // The same notification queued again is the same job: not sent twice.
    await enqueue([note('retry')]);
    expect(await w.queue.getJobState('inc_retry-incident_opened-0')).toBe('completed');
  });

  it('does not retry a 550: one attempt, reported as failed', async () => {
    const { w, results, enqueue } = worker();
    smtp.answer = (subject) => (subject.endsWith('cao rejected') ? 550 : null);
    await enqueue([note('rejected')]);
    const result = await waitFor('the failure report', () => results.find((r) => r.notificationId === 'inc_rejected-incident_opened-0'));
    expect(result).toMatchObject({ ok: false, attempts: 1, error: expect.stringContaining('550') });
    await waitFor('the job to fail', async () => (await w.queue.getJobState('inc_rejected-incident_opened-0')) === 'failed');
    const job = await w.queue.getJob('inc_rejected-incident_opened-0');
    expect(job?.attemptsMade).toBe(1);
    expect(smtp.attempts.filter((s) => s.endsWith('cao rejected'))).toHaveLength(1);
  });

  it('sends 10 of 12 notifications to one address at once and the other 2 in one digest when the window ends', async () => {
    const { w, results, enqueue } = worker(10, 1000);
    const address = `rate-${randomBytes(3).toString('hex')}@phumy.gov.vn`;
    const notes = Array.from({ length: 12 }, (_, k) => note(`rate${k}`, { recipient: { kind: 'email', address, language: 'vi' } }));
    // All 12 must be queued inside one 1 s window: start early in one.
    await waitFor('the start of a rate window', () => Date.now() % 1000 < 300, 5000, 5);
    await enqueue(notes);
    const mine = () => smtp.received.filter((m) => [m.to].flat().some((a) => a?.text === address));
    await waitFor('10 messages and the digest', () => mine().length >= 11);
    await waitFor('the queue to drain', async () => {
      const c = await w.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(c).every((x) => x === 0);
    });
    const digests = mine().filter((m) => m.subject?.startsWith('[Canh] Tổng hợp'));
    expect(mine()).toHaveLength(11);
    expect(digests).toHaveLength(1);
    expect(digests[0].subject).toBe('[Canh] Tổng hợp 2 thông báo sự cố bị hoãn');
    const held = notes.filter((n) => digests[0].text?.includes(`/incidents/${n.incident.id}\n`));
    expect(held).toHaveLength(2);
    const single = mine().filter((m) => !m.subject?.startsWith('[Canh] Tổng hợp')).map((m) => m.subject);
    for (const n of held) expect(single).not.toContain(`[Canh][HIGH] Xã Phú Mỹ: ${n.incident.title}`);
    expect(results.filter((r) => r.ok && r.digest).map((r) => r.notificationId).sort()).toEqual(held.map((n) => n.id).sort());
    expect(results.filter((r) => r.ok && !r.digest)).toHaveLength(10);
  });
});
