import { FakeClock } from '../lib/clock';
import { permanentFailure, transientFailure } from './delivery-error';
import type { EmailReceipt, EmailTransport } from './email-sender';
import { MemoryNotifyLimiter } from './memory-rate-limiter';
import type { DeliveryResult, RenderedMessage } from './notification';
import type { DigestJob } from './notify-queue';
import { processNotification, type NotifyDeps } from './process-notification';
import { sampleNotification, T0 } from './test-support';
import type { WebhookDelivery, WebhookReceipt, WebhookTransport } from './webhook-sender';

class FakeEmail implements EmailTransport {
  readonly sent: { message: RenderedMessage; to: string }[] = [];
  failures: Error[] = [];
  async send(message: RenderedMessage, to: string): Promise<EmailReceipt> {
    const f = this.failures.shift();
    if (f) throw f;
    this.sent.push({ message, to });
    return { messageId: `<m${this.sent.length}@test>`, response: '250 OK' };
  }
}

class FakeWebhook implements WebhookTransport {
  readonly sent: WebhookDelivery[] = [];
  async send(d: WebhookDelivery): Promise<WebhookReceipt> {
    this.sent.push(d);
    return { status: 200, deliveryId: d.deliveryId };
  }
}

function setup(limit = 2) {
  const email = new FakeEmail();
  const webhook = new FakeWebhook();
  const scheduled: { job: DigestJob; at: number }[] = [];
  const results: DeliveryResult[] = [];
  const deps: NotifyDeps = {
    senders: { email, webhook },
    limiter: new MemoryNotifyLimiter(limit, 60_000),
    digests: { schedule: async (job, at) => void scheduled.push({ job, at }) },
    clock: new FakeClock(T0),
    onDelivered: (r) => void results.push(r),
  };
  return { email, webhook, scheduled, results, deps };
}

const first = { attempt: 1, maxAttempts: 3, queuedAt: T0 };
const note = (k: number) => sampleNotification({ id: `inc_${k}-incident_opened-0`, incident: { id: `inc_${k}`, title: `Sự cố số ${k}` } });

describe('processNotification', () => {
  it('sends an email in the recipient language and reports it delivered', async () => {
    const { email, results, deps } = setup();
    expect(await processNotification({ type: 'notification', notification: note(1) }, deps, first)).toEqual({ status: 'sent', messageId: '<m1@test>' });
    expect(email.sent[0].to).toBe('soc@phumy.gov.vn');
    expect(email.sent[0].message.subject).toBe('[Canh][HIGH] Xã Phú Mỹ: Sự cố số 1');
    expect(results).toEqual([{ notificationId: 'inc_1-incident_opened-0', recipient: note(1).recipient, ok: true, attempts: 1, messageId: '<m1@test>' }]);
  });

  it('posts a webhook with the event, the notification id and no secret in the payload', async () => {
    const { webhook, deps } = setup();
    const n = sampleNotification({ recipient: { kind: 'webhook', url: 'https://hooks.example.vn/canh', secret: 's3cret' } });
    await processNotification({ type: 'notification', notification: n }, deps, first);
    expect(webhook.sent[0]).toMatchObject({ url: 'https://hooks.example.vn/canh', secret: 's3cret', event: 'incident_opened', deliveryId: n.id });
    expect(JSON.stringify(webhook.sent[0].payload)).not.toContain('s3cret');
    expect(webhook.sent[0].payload).toMatchObject({ id: n.id, link: 'http://canh.local:3000/incidents/inc_01abc', incident: { firstSeenIso: '2026-11-23T02:00:00Z' } });
  });

  it('holds notifications over the limit, schedules the digest at the window end, and sends them as one digest', async () => {
    const { email, scheduled, results, deps } = setup(2);
    const outcomes = [];
    for (let k = 1; k <= 4; k++) outcomes.push((await processNotification({ type: 'notification', notification: note(k) }, deps, first)).status);
    expect(outcomes).toEqual(['sent', 'sent', 'held', 'held']);
    expect(scheduled.map((s) => s.at)).toEqual([T0 + 60_000, T0 + 60_000]);
    const digest = scheduled[0].job;
    expect(await processNotification(digest, deps, first)).toEqual({ status: 'digest_sent', messageId: '<m3@test>', count: 2 });
    expect(email.sent).toHaveLength(3);
    expect(email.sent[2].message.subject).toBe('[Canh] Tổng hợp 2 thông báo sự cố bị hoãn');
    expect(email.sent[2].message.text).toContain('Sự cố số 3');
    expect(email.sent[2].message.text).toContain('Sự cố số 4');
    expect(results.filter((r) => r.digest).map((r) => r.notificationId)).toEqual(['inc_3-incident_opened-0', 'inc_4-incident_opened-0']);
    expect(await processNotification(digest, deps, first)).toEqual({ status: 'digest_empty' });
  });

  it('keeps held notifications when the digest fails, so the retry sends them', async () => {
    const { email, scheduled, deps } = setup(1);
    for (let k = 1; k <= 2; k++) await processNotification({ type: 'notification', notification: note(k) }, deps, first);
    email.failures.push(transientFailure('down'));
    await expect(processNotification(scheduled[0].job, deps, first)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(await processNotification(scheduled[0].job, deps, { ...first, attempt: 2 })).toMatchObject({ status: 'digest_sent', count: 1 });
  });

  it('reports a failure only when it is final: permanent, or the last attempt', async () => {
    const { email, results, deps } = setup(10);
    email.failures.push(transientFailure('451'), transientFailure('451'), transientFailure('451'));
    const job = { type: 'notification' as const, notification: note(1) };
    await expect(processNotification(job, deps, first)).rejects.toMatchObject({ kind: 'unavailable' });
    await expect(processNotification(job, deps, { ...first, attempt: 2 })).rejects.toMatchObject({ kind: 'unavailable' });
    expect(results).toEqual([]);
    await expect(processNotification(job, deps, { ...first, attempt: 3 })).rejects.toMatchObject({ kind: 'unavailable' });
    expect(results).toMatchObject([{ ok: false, attempts: 3, error: '451' }]);
    email.failures.push(permanentFailure('550 no such user'));
    await expect(processNotification({ type: 'notification', notification: note(2) }, deps, first)).rejects.toMatchObject({ kind: 'invalid' });
    expect(results[1]).toMatchObject({ notificationId: 'inc_2-incident_opened-0', ok: false, attempts: 1, error: '550 no such user' });
  });

  it('fails permanently when no sender exists for the recipient kind', async () => {
    const { deps } = setup();
    await expect(processNotification({ type: 'notification', notification: note(1) }, { ...deps, senders: {} }, first)).rejects.toMatchObject({ kind: 'invalid', message: expect.stringContaining('SMTP_URL') });
  });
});
