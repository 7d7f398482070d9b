import type { Queue } from 'bullmq';
import { QUEUES } from '../queue/jobs';
import { AppError } from '../errors';
import type { Notification, Recipient } from './notification';
import type { RateWindow } from './rate-limit';

/** The BullMQ queue of notifications and digests (to move into QUEUES in src/queue/jobs.ts). */
export const NOTIFY_QUEUE = QUEUES.notify;

/** A `notify` job that sends one notification. Job id: the notification id. */
export interface NotificationJob {
  readonly type: 'notification';
  readonly notification: Notification;
}

/** A `notify` job that sends the digest of one recipient's window. Job id: `digest-<recipientKey>-<window index>`. */
export interface DigestJob {
  readonly type: 'digest';
  readonly recipient: Recipient;
  readonly recipientKey: string;
  readonly window: RateWindow;
}

/** Payload of a `notify` job. */
export type NotifyJob = NotificationJob | DigestJob;

/** Retries of notification and digest jobs. */
export interface RetryOptions {
  /** Attempts in all, the first included. @defaultValue 8 */
  readonly attempts?: number;
  /** First backoff delay, doubled after each failed attempt. @defaultValue 2000 */
  readonly backoffMs?: number;
}

/** BullMQ options of `notify` jobs: retried with exponential backoff, kept a day when done and a week when failed. */
export function notifyJobOptions(retry: RetryOptions = {}): {
  attempts: number;
  backoff: { type: 'exponential'; delay: number };
  removeOnComplete: { age: number };
  removeOnFail: { age: number };
} {
  return {
    attempts: retry.attempts ?? 8,
    backoff: { type: 'exponential', delay: retry.backoffMs ?? 2000 },
    removeOnComplete: { age: 86_400 },
    removeOnFail: { age: 7 * 86_400 },
  };
}

/** The job id of a window's digest: one per recipient and window, so it is sent once. */
export function digestJobId(recipientKey: string, window: RateWindow): string {
  return `digest-${recipientKey}-${window.index}`;
}

/** Refuses ids BullMQ cannot use as job ids (integers, `:`), with the reason. */
export function checkNotificationId(id: string): void {
  if (!id || id.includes(':') || `${parseInt(id, 10)}` === id) {
    throw new AppError('CANH_NOTIFY_INVALID', 'invalid', `Notification id "${id}" cannot be a job id: it must be non-empty, contain no ":" and not be an integer`, { id });
  }
}

/**
 * Queues notifications, each with its id as job id (a notification already queued, or done within
 * the last day, is not queued again) and with retries. Throws AppError `CANH_NOTIFY_INVALID` for an
 * unusable id (nothing is queued then).
 */
export async function enqueueNotifications(queue: Queue<NotifyJob>, notifications: readonly Notification[], retry: RetryOptions = {}): Promise<void> {
  notifications.forEach((n) => checkNotificationId(n.id));
  if (notifications.length === 0) return;
  const opts = notifyJobOptions(retry);
  await queue.addBulk(notifications.map((notification) => ({
    name: 'notification',
    data: { type: 'notification' as const, notification },
    opts: { ...opts, jobId: notification.id },
  })));
}
