import type { IncidentSnapshot, Notification, Recipient } from './notification';

/** 2026-11-23T02:00:00Z = 09:00 in Vietnam. */
export const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);

/** A notification for tests (an OTP failure incident of Xã Phú Mỹ), with overrides. */
export function sampleNotification(
  overrides: Partial<Omit<Notification, 'incident'>> & { incident?: Partial<IncidentSnapshot> } = {},
): Notification {
  const incident: IncidentSnapshot = {
    id: 'inc_01abc',
    title: 'Tỷ lệ OTP thất bại cao',
    severity: 'high',
    category: 'fraud',
    ruleId: 'otp-failure-ratio',
    locality: { code: '26734', name: 'Xã Phú Mỹ' },
    province: { code: '79', name: 'Thành phố Hồ Chí Minh' },
    status: 'open',
    count: 3,
    firstSeen: T0,
    lastSeen: T0 + 5 * 60_000,
    escalationLevel: 0,
    evidenceQuery: 'event.dataset:"otp.auth" AND event.outcome:failure',
    sampleEventIds: ['ev1', 'ev2'],
    group: { 'organization.id': '26734', 'source.ip': '203.0.113.7' },
    observed: 0.62,
    condition: 'ratio >= 0.5',
    ...overrides.incident,
  };
  const recipient: Recipient = overrides.recipient ?? { kind: 'email', address: 'soc@phumy.gov.vn', language: 'vi' };
  return {
    id: overrides.id ?? `${incident.id}-${overrides.event ?? 'incident_opened'}-${incident.escalationLevel}`,
    event: overrides.event ?? 'incident_opened',
    incident,
    recipient,
    consoleUrl: overrides.consoleUrl ?? 'http://canh.local:3000',
  };
}
