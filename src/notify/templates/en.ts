import type { TemplateStrings } from './strings';

/** English. */
export const EN: TemplateStrings = {
  headline: {
    incident_opened: 'New incident',
    incident_escalated: (level) => `Incident escalated to level ${level}`,
    incident_resolved: 'Incident resolved',
    incident_auto_resolved: 'Incident auto-resolved (no longer occurring)',
  },
  subjectSuffix: {
    incident_opened: '',
    incident_escalated: (level) => ` (escalated to level ${level})`,
    incident_resolved: ' (resolved)',
    incident_auto_resolved: ' (auto-resolved)',
  },
  severity: { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' },
  labels: {
    title: 'Title',
    severity: 'Severity',
    category: 'Category',
    rule: 'Rule',
    locality: 'Locality',
    province: 'Province',
    status: 'Status',
    count: 'Detections',
    firstSeen: 'First seen',
    lastSeen: 'Last seen',
    escalationLevel: 'Escalation level',
    observed: 'Observed value',
    condition: 'Condition',
    group: 'Group',
    evidenceQuery: 'Evidence query',
    sampleEvents: 'Sample events',
    link: 'Open the incident',
  },
  intro: 'Canh detected the following incident in your logs.',
  footer: 'This message was sent automatically by Canh, the security monitoring service. Please do not reply.',
  digest: {
    subject: (count) => `[Canh] Digest of ${count} held incident notifications`,
    headline: (count) => `Digest of ${count} incident notifications`,
    intro: (limit, windowText) =>
      `You received the maximum of ${limit} notifications within ${windowText}; the following ones were held and are listed in this digest.`,
    window: 'Window',
  },
};
