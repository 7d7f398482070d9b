import { createHash } from 'node:crypto';
import type { RsitCategory, Severity } from '../rules/rule';

/**
 * Notification glossary.
 * - Notification: one message about one incident event for one recipient, self-contained (the
 *   incident service builds it; nothing is looked up when it is sent). Its id is stable
 *   (`<incidentId>-<event>-<level>`) and is the BullMQ job id, so it is queued once.
 * - Recipient: an email address (with the language of its messages) or a webhook URL (with an
 *   optional HMAC secret).
 * - Window: the rate-limit period of a recipient; fixed, aligned to multiples of its length.
 * - Held: a notification over its recipient's limit, kept in Redis until the window ends.
 * - Digest: the one message listing every notification held for a recipient in one window.
 */
export type NotificationEvent = 'incident_opened' | 'incident_escalated' | 'incident_resolved' | 'incident_auto_resolved';

/** Every event, in lifecycle order. */
export const NOTIFICATION_EVENTS: readonly NotificationEvent[] = ['incident_opened', 'incident_escalated', 'incident_resolved', 'incident_auto_resolved'];

/** Languages of email messages. */
export type Language = 'vi' | 'en';

/** A locality as shown to people: official code and name. */
export interface NamedLocality {
  readonly code: string;
  readonly name: string;
}

/** The incident as it was when the notification was built. */
export interface IncidentSnapshot {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly category: RsitCategory | string;
  readonly ruleId: string;
  readonly locality: NamedLocality;
  readonly province: NamedLocality | null;
  readonly status: string;
  /** Hits merged into the incident. */
  readonly count: number;
  /** Epoch ms. */
  readonly firstSeen: number;
  /** Epoch ms. */
  readonly lastSeen: number;
  readonly escalationLevel: number;
  /** A filter (query language) that finds the evidence. */
  readonly evidenceQuery: string;
  readonly sampleEventIds: readonly string[];
  /** Group values keyed by field; they come from log lines, so they are untrusted text. */
  readonly group: Readonly<Record<string, string | number | null>>;
  /** The value compared with the rule's condition in the latest hit. */
  readonly observed?: number;
  /** The condition in words, e.g. "count >= 20". */
  readonly condition?: string;
}

/** An email recipient. */
export interface EmailRecipient {
  readonly kind: 'email';
  readonly address: string;
  readonly language: Language;
}

/** A webhook recipient: JSON POSTed to `url`, signed with `secret` when one is set. */
export interface WebhookRecipient {
  readonly kind: 'webhook';
  readonly url: string;
  readonly secret?: string;
}

export type Recipient = EmailRecipient | WebhookRecipient;

/** One message about one incident event for one recipient. */
export interface Notification {
  /** Stable id, e.g. `<incidentId>-<event>-<level>`; the job id (no `:`, not an integer). */
  readonly id: string;
  readonly event: NotificationEvent;
  readonly incident: IncidentSnapshot;
  readonly recipient: Recipient;
  /** Base URL of the console, e.g. `http://host:3000`; the link is `<consoleUrl>/incidents/<id>`. */
  readonly consoleUrl: string;
}

/** A rendered email: subject (one line), plain text and HTML bodies. */
export interface RenderedMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** What the worker reports for every notification once it is delivered or given up. */
export interface DeliveryResult {
  readonly notificationId: string;
  readonly recipient: Recipient;
  readonly ok: boolean;
  /** Attempts made, this one included. */
  readonly attempts: number;
  /** SMTP message id, or the webhook delivery id. */
  readonly messageId?: string;
  /** Why it failed (when ok is false). */
  readonly error?: string;
  /** True when the notification went out inside a digest. */
  readonly digest?: boolean;
}

/** The link to an incident in the console. */
export function incidentLink(consoleUrl: string, incidentId: string): string {
  return `${consoleUrl.replace(/\/+$/, '')}/incidents/${encodeURIComponent(incidentId)}`;
}

/** Where a recipient is reached: the email address (lower case) or the webhook URL. */
export function recipientAddress(recipient: Recipient): string {
  return recipient.kind === 'email' ? recipient.address.trim().toLowerCase() : recipient.url;
}

/**
 * A short key for a recipient, safe in Redis keys and job ids (no `:`), e.g. `email-3f2a…`: a hash,
 * so addresses and URLs (which may hold tokens) do not appear in key names.
 */
export function recipientKey(recipient: Recipient): string {
  return `${recipient.kind}-${createHash('sha256').update(recipientAddress(recipient)).digest('hex').slice(0, 32)}`;
}
