import { coerceError } from '../errors';
import type { Clock } from '../lib/clock';
import { permanentFailure } from './delivery-error';
import type { EmailTransport } from './email-sender';
import { recipientKey, type DeliveryResult, type Notification, type Recipient } from './notification';
import type { DigestJob, NotifyJob } from './notify-queue';
import type { NotifyLimiter } from './rate-limit';
import { renderDigest, renderNotification } from './render';
import { digestPayload, notificationPayload } from './webhook-payload';
import type { WebhookTransport } from './webhook-sender';

/** The senders of each recipient kind; a kind without one fails permanently. */
export interface NotifySenders {
  readonly email?: EmailTransport;
  readonly webhook?: WebhookTransport;
}

/** Schedules a window's digest job to run at `at` (epoch ms); scheduling the same one twice is a no-op. */
export interface DigestScheduler {
  schedule(job: DigestJob, at: number): Promise<void>;
}

/** What processNotification needs. */
export interface NotifyDeps {
  readonly senders: NotifySenders;
  readonly limiter: NotifyLimiter;
  readonly digests: DigestScheduler;
  readonly clock: Clock;
  /**
   * Told of every notification once delivered (alone or in a digest) or given up (a permanent
   * failure, or the last attempt). Its errors are ignored: the message is already out, and a retry
   * would send it again.
   */
  readonly onDelivered?: (result: DeliveryResult) => void | Promise<void>;
}

/** Which attempt this is, and when the job was queued (the rate window is the one holding that time, so retries count once). */
export interface AttemptInfo {
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Epoch ms the job was queued. */
  readonly queuedAt: number;
}

/** What a `notify` job did. */
export type NotifyOutcome =
  | { readonly status: 'sent'; readonly messageId: string }
  | { readonly status: 'held'; readonly digestAt: number }
  | { readonly status: 'digest_sent'; readonly messageId: string; readonly count: number }
  | { readonly status: 'digest_empty' };

/**
 * Processes one `notify` job: a notification is sent, or held for its recipient's digest when over
 * the rate limit; a digest job sends the held notifications as one message. Throws DeliveryError
 * (permanent: kind `invalid`, not retried; transient: kind `unavailable`, retried).
 */
export async function processNotification(data: NotifyJob, deps: NotifyDeps, attempt: AttemptInfo): Promise<NotifyOutcome> {
  return data.type === 'digest' ? processDigest(data, deps, attempt) : processOne(data.notification, deps, attempt);
}

async function processOne(n: Notification, deps: NotifyDeps, attempt: AttemptInfo): Promise<NotifyOutcome> {
  const key = recipientKey(n.recipient);
  const admission = await deps.limiter.admit(key, n, attempt.queuedAt);
  if (!admission.admitted) {
    await deps.digests.schedule({ type: 'digest', recipient: n.recipient, recipientKey: key, window: admission.window }, admission.window.end);
    return { status: 'held', digestAt: admission.window.end };
  }
  try {
    const messageId = await send(n.recipient, deps, { subject: n, deliveryId: n.id });
    await report(deps, { notificationId: n.id, recipient: n.recipient, ok: true, attempts: attempt.attempt, messageId });
    return { status: 'sent', messageId };
  } catch (err) {
    await reportFinalFailure(deps, [n], attempt, err, false);
    throw err;
  }
}

async function processDigest(job: DigestJob, deps: NotifyDeps, attempt: AttemptInfo): Promise<NotifyOutcome> {
  const items = await deps.limiter.held(job.recipientKey, job.window.index);
  if (items.length === 0) return { status: 'digest_empty' };
  const deliveryId = `digest-${job.recipientKey}-${job.window.index}`;
  try {
    const messageId = await send(job.recipient, deps, { digest: items, window: job.window, deliveryId });
    await deps.limiter.release(job.recipientKey, job.window.index, items.length);
    for (const n of items) await report(deps, { notificationId: n.id, recipient: n.recipient, ok: true, attempts: attempt.attempt, messageId, digest: true });
    return { status: 'digest_sent', messageId, count: items.length };
  } catch (err) {
    await reportFinalFailure(deps, items, attempt, err, true);
    throw err;
  }
}

/** What to send: one notification, or the digest of a window. */
type Content =
  | { readonly subject: Notification; readonly deliveryId: string }
  | { readonly digest: readonly Notification[]; readonly window: DigestJob['window']; readonly deliveryId: string };

/** Sends to the recipient with the sender of its kind; resolves with the message (or delivery) id. */
async function send(recipient: Recipient, deps: NotifyDeps, content: Content): Promise<string> {
  const now = deps.clock.now();
  if (recipient.kind === 'email') {
    const email = deps.senders.email;
    if (!email) throw permanentFailure('No email sender is configured (set SMTP_URL) for an email notification');
    const limit = deps.limiter.limit;
    const message = 'subject' in content
      ? renderNotification(content.subject, recipient.language)
      : renderDigest({ language: recipient.language, items: content.digest, window: content.window, limit });
    return (await email.send(message, recipient.address)).messageId;
  }
  const webhook = deps.senders.webhook;
  if (!webhook) throw permanentFailure('No webhook sender is configured for a webhook notification');
  const [event, payload] = 'subject' in content
    ? [content.subject.event, notificationPayload(content.subject, now)]
    : ['notification_digest', digestPayload(content.deliveryId, content.digest, content.window, now)];
  return (await webhook.send({ url: recipient.url, secret: recipient.secret, event, deliveryId: content.deliveryId, payload })).deliveryId;
}

/** Reports a failure of the last attempt, or a permanent one; earlier transient failures are retried silently. */
async function reportFinalFailure(deps: NotifyDeps, items: readonly Notification[], attempt: AttemptInfo, err: unknown, digest: boolean): Promise<void> {
  const e = coerceError(err);
  const final = e.kind === 'invalid' || e.kind === 'not_found' || e.kind === 'forbidden' || attempt.attempt >= attempt.maxAttempts;
  if (!final) return;
  for (const n of items) {
    await report(deps, { notificationId: n.id, recipient: n.recipient, ok: false, attempts: attempt.attempt, error: e.message, ...(digest ? { digest } : {}) });
  }
}

async function report(deps: NotifyDeps, result: DeliveryResult): Promise<void> {
  try {
    await deps.onDelivered?.(result);
  } catch {
    // Ignored on purpose (see NotifyDeps.onDelivered): failing here would resend a delivered message.
  }
}
