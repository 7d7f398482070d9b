import { incidentLink, type Notification } from './notification';
import { isoUtc } from './time-format';

/** The JSON body of a webhook notification (see docs/notifications.md). */
export interface WebhookNotificationPayload {
  readonly id: string;
  readonly event: Notification['event'];
  /** ISO UTC time the body was built. */
  readonly sentAt: string;
  readonly link: string;
  readonly incident: Notification['incident'] & { readonly firstSeenIso: string; readonly lastSeenIso: string };
}

/** The JSON body of a webhook digest: the notifications held in one window. */
export interface WebhookDigestPayload {
  readonly id: string;
  readonly event: 'notification_digest';
  readonly sentAt: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly notifications: readonly Omit<WebhookNotificationPayload, 'sentAt'>[];
}

/** The webhook body of one notification (the recipient, and so its secret, is left out). */
export function notificationPayload(n: Notification, now: number): WebhookNotificationPayload {
  return {
    id: n.id,
    event: n.event,
    sentAt: isoUtc(now),
    link: incidentLink(n.consoleUrl, n.incident.id),
    incident: { ...n.incident, firstSeenIso: isoUtc(n.incident.firstSeen), lastSeenIso: isoUtc(n.incident.lastSeen) },
  };
}

/** The webhook body of a digest. */
export function digestPayload(id: string, items: readonly Notification[], window: { start: number; end: number }, now: number): WebhookDigestPayload {
  return {
    id,
    event: 'notification_digest',
    sentAt: isoUtc(now),
    window: { start: isoUtc(window.start), end: isoUtc(window.end) },
    notifications: items.map((n) => {
      const { sentAt: _sentAt, ...rest } = notificationPayload(n, now);
      return rest;
    }),
  };
}
