import type { Logger } from 'pino';
import type { Contact, Locality } from '../directory/types';
import type { Notification, NotificationEvent, Recipient } from '../notify/notification';
import { recipientKey } from '../notify/notification';
import type { Incident, TimelineAction } from './incident';

/** Where notifications go (enqueueNotifications over the `notify` queue in production). */
export type NotificationSink = (notifications: readonly Notification[]) => Promise<void>;

export interface IncidentNotifierOptions {
  /** The on-duty contacts of a locality (DirectoryService.contactsOf). */
  readonly contactsOf: (code: string) => Promise<readonly Contact[]>;
  /** A locality by code, for its name (null when unknown). */
  readonly locality: (code: string) => Promise<Locality | null>;
  readonly send: NotificationSink;
  /** Base URL of the console for the link in each message (CANH_CONSOLE_URL). */
  readonly consoleUrl: string;
  readonly log: Logger;
}

/** Which incident changes notify anyone, and as what. */
const EVENT_OF: Partial<Record<TimelineAction, NotificationEvent>> = {
  created: 'incident_opened',
  reopened: 'incident_opened',
  resolved: 'incident_resolved',
  auto_resolved: 'incident_auto_resolved',
};

/**
 * Turns incident changes into notifications for the contacts of the incident's locality: opened
 * (a new or reopened incident) and resolved. Escalations notify the contacts of the level's target
 * locality (notifyEscalated, called by the escalation worker). Each notification's id is made of the
 * incident, the event, the incident version and the recipient, so the same change queued twice
 * (a retried hit job) is one message.
 */
export class IncidentNotifier {
  constructor(private readonly o: IncidentNotifierOptions) {}

  /** IncidentService's onChange. */
  async onChange(action: TimelineAction, incident: Incident): Promise<void> {
    const event = EVENT_OF[action];
    if (event) await this.notify(event, incident, incident.locality);
  }

  /** Notifies the contacts of `target` that the incident went up to its current level. */
  async notifyEscalated(incident: Incident, target: string): Promise<void> {
    await this.notify('incident_escalated', incident, target);
  }

  private async notify(event: NotificationEvent, incident: Incident, target: string): Promise<void> {
    try {
      const contacts = await this.o.contactsOf(target);
      if (contacts.length === 0) {
        this.o.log.info({ incident: incident.id, event, locality: target }, 'no contacts for this locality: nobody notified');
        return;
      }
      const snapshot = await this.snapshot(incident);
      const notifications = contacts.map((c): Notification => {
        const recipient: Recipient = c.kind === 'email'
          ? { kind: 'email', address: c.address, language: c.language }
          : { kind: 'webhook', url: c.url, ...(c.secret ? { secret: c.secret } : {}) };
        return {
          id: `${incident.id}-${event}-v${incident.version}-${recipientKey(recipient)}`,
          event, incident: snapshot, recipient, consoleUrl: this.o.consoleUrl,
        };
      });
      await this.o.send(notifications);
    } catch (err) {
      this.o.log.error({ incident: incident.id, event, err: (err as Error).message }, 'notifications could not be queued');
      throw err;
    }
  }

  private async snapshot(i: Incident): Promise<Notification['incident']> {
    const named = async (code: string) => ({ code, name: (await this.o.locality(code))?.name ?? code });
    return {
      id: i.id, title: i.title, severity: i.severity, category: i.category, ruleId: i.ruleId,
      locality: await named(i.locality), province: i.province ? await named(i.province) : null,
      status: i.status, count: i.count, firstSeen: i.firstSeen, lastSeen: i.lastSeen, escalationLevel: i.escalationLevel,
      evidenceQuery: i.evidence.query, sampleEventIds: i.evidence.sampleEventIds, group: i.group,
    };
  }
}
