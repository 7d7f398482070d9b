import type { Severity } from '../../rules/rule';

/** Everything a language says in notification messages; one table per language (vi.ts, en.ts). */
export interface TemplateStrings {
  /** The headline of each event; escalation takes the new level. */
  readonly headline: {
    readonly incident_opened: string;
    readonly incident_escalated: (level: number) => string;
    readonly incident_resolved: string;
    readonly incident_auto_resolved: string;
  };
  /** Added to the subject after the title for events other than `incident_opened` (empty: nothing). */
  readonly subjectSuffix: {
    readonly incident_opened: string;
    readonly incident_escalated: (level: number) => string;
    readonly incident_resolved: string;
    readonly incident_auto_resolved: string;
  };
  readonly severity: Readonly<Record<Severity, string>>;
  readonly labels: {
    readonly title: string;
    readonly severity: string;
    readonly category: string;
    readonly rule: string;
    readonly locality: string;
    readonly province: string;
    readonly status: string;
    readonly count: string;
    readonly firstSeen: string;
    readonly lastSeen: string;
    readonly escalationLevel: string;
    readonly observed: string;
    readonly condition: string;
    readonly group: string;
    readonly evidenceQuery: string;
    readonly sampleEvents: string;
    readonly link: string;
  };
  /** Opening sentence of the message, after the headline. */
  readonly intro: string;
  /** Last line: why the reader gets this message. */
  readonly footer: string;
  readonly digest: {
    readonly subject: (count: number) => string;
    readonly headline: (count: number) => string;
    readonly intro: (limit: number, windowText: string) => string;
    readonly window: string;
  };
}
