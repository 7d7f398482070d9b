import type { Source } from '../directory/types';
import { fingerprint, type Incident, type NewTimelineEntry } from '../incidents/incident';
import type { Severity } from '../rules/rule';
import type { EcsDocument, EventStore } from '../store/event-store';
import type { IncidentStore } from '../store/incident-store';
import { inScope, type Scope } from '../store/scope';

/**
 * Hand-made incidents, timelines, events and sources for the statistics tests (service and routes),
 * with the figures they give worked out in stats-service.test.ts. Now = T0; communes 00004
 * (province 01) and 00005 (province 02); province 01 has incidents of its own.
 */
export const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);
export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

const PROVINCE: Record<string, string> = { '00004': '01', '00005': '02', '01': '01' };

interface Spec {
  readonly id: string;
  readonly rule: string;
  readonly locality: string;
  readonly severity: Severity;
  readonly createdAt: number;
  readonly status: Incident['status'];
  readonly ackDue?: number;
  /** Timeline entries after `created`: [action, seconds after creation, actor]. */
  readonly steps?: readonly (readonly [NewTimelineEntry['action'], number, string?])[];
}

export const SPECS: readonly Spec[] = [
  { id: 'inc_A', rule: 'r-web', locality: '00004', severity: 'high', createdAt: T0 - 10 * HOUR, status: 'resolved', steps: [['acknowledged', 60], ['resolved', 600]] },
  { id: 'inc_B', rule: 'r-web', locality: '00004', severity: 'high', createdAt: T0 - 9 * HOUR, status: 'resolved', steps: [['acknowledged', 180], ['auto_resolved', 1200, 'rule:r-web']] },
  { id: 'inc_G', rule: 'r-web', locality: '00004', severity: 'high', createdAt: T0 - 7 * HOUR, status: 'resolved', steps: [['commented', 10], ['acknowledged', 300], ['resolved', 3000]] },
  { id: 'inc_C', rule: 'r-down', locality: '00005', severity: 'critical', createdAt: T0 - 8 * HOUR, status: 'open', ackDue: T0 - 7 * HOUR },
  {
    id: 'inc_D', rule: 'r-otp', locality: '00004', severity: 'medium', createdAt: T0 - 5 * HOUR, status: 'acknowledged',
    steps: [['escalated', 4 * 3600, 'system:escalation'], ['acknowledged', 15000]],
  },
  { id: 'inc_E', rule: 'r-otp', locality: '00005', severity: 'low', createdAt: T0 - 2 * DAY, status: 'open', steps: [['escalated', 60, 'user:alice']] },
  { id: 'inc_F', rule: 'r-down', locality: '01', severity: 'critical', createdAt: T0 - 30 * MIN, status: 'open', ackDue: T0 + 10 * MIN },
];

function toIncident(s: Spec): Incident {
  const group = { 'source.ip': s.id };
  return {
    id: s.id, fingerprint: fingerprint(s.rule, s.locality, group), ruleId: s.rule, ruleVersion: 'v1', title: `Title of ${s.id}`,
    severity: s.severity, category: s.rule === 'r-down' ? 'availability' : 'intrusion-attempts', locality: s.locality, province: PROVINCE[s.locality],
    status: s.status, resolution: s.status === 'resolved' ? 'true_positive' : null, assignee: null, escalationLevel: 0, count: 1,
    firstSeen: s.createdAt, lastSeen: s.createdAt, ackDue: s.ackDue ?? null, evidence: { query: '*', sampleEventIds: [] }, group,
    parentId: null, resolvedAt: null, version: 1,
  };
}

/** Writes the incidents with their timelines into the store. */
export async function fillIncidents(store: IncidentStore, specs: readonly Spec[] = SPECS): Promise<void> {
  for (const s of specs) {
    const entry = (action: NewTimelineEntry['action'], at: number, actor: string): NewTimelineEntry =>
      ({ incidentId: s.id, at, actor, action, from: null, to: null, note: null });
    await store.create(toIncident(s), entry('created', s.createdAt, `rule:${s.rule}`));
    const steps = (s.steps ?? []).map(([action, secs, actor]) => entry(action, s.createdAt + secs * SEC, actor ?? 'user:alice'));
    if (steps.length) await store.appendTimeline(steps);
  }
}

export const SOURCES: readonly Source[] = [
  { id: 'src_1', name: 'Portal 00004', locality: '00004', province: '01', kind: 'otp', format: 'json', enabled: true, keyPrefix: 'k1', createdAt: T0 - 30 * DAY },
  { id: 'src_2', name: 'Tax 00005', locality: '00005', province: '02', kind: 'otp', format: 'json', enabled: true, keyPrefix: 'k2', createdAt: T0 - 30 * DAY },
];

/** The sources of a scope, as DirectoryService.listSources answers. */
export const sourceList = { listSources: async (scope: Scope) => SOURCES.filter((s) => inScope(scope, s.locality, s.province)) };

let seq = 0;
function doc(source: Source, at: number, fields: Record<string, unknown>): EcsDocument {
  return {
    '@timestamp': new Date(at).toISOString(), organization: { id: source.locality }, canh: { source_id: source.id, province: source.province }, ...fields,
    event: { id: `ev-${++seq}`, ...(fields.event as object) },
  };
}
const otp = (source: Source, service: string, action: string, outcome: string, n: number) =>
  Array.from({ length: n }, (_, i) => doc(source, T0 - HOUR - i * MIN, { event: { dataset: 'otp.auth', action, outcome }, service: { name: service } }));
const probe = (source: Source, monitor: string, status: 'up' | 'down', n: number) =>
  Array.from({ length: n }, (_, i) => doc(source, T0 - 2 * HOUR - i * MIN, { event: { dataset: 'uptime.probe' }, monitor: { id: monitor, status } }));

/**
 * Events: 00004 (src_1) OTP on "portal": 3 verified, 1 verify-failed, 5 sent; probes of
 * portal-https: 9 up, 1 down; and 1 dead letter. 00005 (src_2) OTP on "tax": 1 verified,
 * 1 verify-failed, 1 locked; probes of tax-api: 1 up, 3 down.
 */
export async function fillEvents(store: EventStore): Promise<void> {
  const [s1, s2] = SOURCES;
  const one = [...otp(s1, 'portal', 'otp-verified', 'success', 3), ...otp(s1, 'portal', 'otp-verify-failed', 'failure', 1),
    ...otp(s1, 'portal', 'otp-sent', 'success', 5), ...probe(s1, 'portal-https', 'up', 9), ...probe(s1, 'portal-https', 'down', 1)];
  const two = [...otp(s2, 'tax', 'otp-verified', 'success', 1), ...otp(s2, 'tax', 'otp-verify-failed', 'failure', 1),
    ...otp(s2, 'tax', 'otp-locked', 'failure', 1), ...probe(s2, 'tax-api', 'up', 1), ...probe(s2, 'tax-api', 'down', 3)];
  const dead = { id: 'b1:20', sourceId: s1.id, locality: s1.locality, province: s1.province, batchId: 'b1', line: 20, raw: 'garbage', reason: 'not JSON', receivedAt: T0 - HOUR };
  await store.write({ batchId: 'b1', sourceId: s1.id, locality: s1.locality, province: s1.province, dataset: 'otp.auth', received: one.length + 1, events: one, deadLetters: [dead], receivedAt: T0 - HOUR });
  await store.write({ batchId: 'b2', sourceId: s2.id, locality: s2.locality, province: s2.province, dataset: 'otp.auth', received: two.length, events: two, deadLetters: [], receivedAt: T0 - HOUR });
}
