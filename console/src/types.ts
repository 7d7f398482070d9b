/** The shapes of the API answers the console reads (docs/api.md). */
export type Role = 'analyst' | 'locality_admin' | 'central_reviewer' | 'admin';
export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';
export type Resolution = 'true_positive' | 'false_positive' | 'benign' | 'duplicate';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
export const STATUSES: readonly IncidentStatus[] = ['open', 'acknowledged', 'resolved'];
export const RESOLUTIONS: readonly Resolution[] = ['true_positive', 'false_positive', 'benign', 'duplicate'];
export const CATEGORIES = [
  'abusive-content', 'malicious-code', 'information-gathering', 'intrusion-attempts', 'intrusions',
  'availability', 'information-content-security', 'fraud', 'vulnerable', 'other', 'test',
] as const;

export interface User {
  readonly id: string;
  readonly username: string;
  readonly display_name: string;
  readonly role: Role;
  readonly locality: string;
  readonly province: string | null;
}

export interface Session {
  readonly user: User;
  readonly csrf_token: string;
}

export interface Locality {
  readonly code: string;
  readonly name: string;
  readonly level: 'central' | 'province' | 'commune';
  readonly parent_code?: string | null;
}

export interface Incident {
  readonly id: string;
  readonly rule_id: string;
  readonly rule_version: string;
  readonly title: string;
  readonly severity: Severity;
  readonly category: string;
  readonly status: IncidentStatus;
  readonly resolution: Resolution | null;
  readonly assignee: string | null;
  readonly locality: string;
  readonly province: string | null;
  readonly escalation_level: number;
  readonly count: number;
  readonly first_seen: string;
  readonly last_seen: string;
  readonly ack_due: string | null;
  readonly group: Record<string, unknown>;
  readonly evidence: { readonly query: string; readonly sample_event_ids: readonly string[] };
  readonly parent_id: string | null;
  readonly resolved_at: string | null;
  readonly version: number;
}

export interface TimelineEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly from: unknown;
  readonly to: unknown;
  readonly note: string | null;
}

export interface IncidentDetail extends Incident {
  readonly timeline: readonly TimelineEntry[];
}

export interface IncidentPage {
  readonly incidents: readonly Incident[];
  readonly next_cursor: string | null;
}

/** An ECS event as stored (only the fields the console reads are named). */
export interface EventDoc {
  readonly '@timestamp'?: string;
  readonly event?: { readonly id?: string; readonly dataset?: string; readonly original?: string };
  readonly [field: string]: unknown;
}
