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

// --- event search and rules ---
/** GET /api/v1/events. */
export interface EventSearchPage {
  readonly total: number;
  readonly events: readonly EventDoc[];
  readonly next_cursor: string | null;
}

/** GET /api/v1/events/histogram (empty buckets included). */
export interface EventHistogram {
  readonly interval_ms: number;
  readonly buckets: readonly { readonly start: string; readonly count: number }[];
}

export interface RuleRun {
  readonly started_at: string;
  readonly duration_ms: number;
  readonly window_from: string;
  readonly window_to: string;
  /** Hits of the localities in the caller's scope. */
  readonly hits: number;
  readonly skipped_windows: number;
  readonly error: string | null;
}

/** A loaded rule (GET /api/v1/rules). */
export interface RuleSummary {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  readonly severity: Severity;
  readonly category: string;
  readonly type: string;
  readonly dataset: string;
  readonly enabled: boolean;
  readonly every_ms: number;
  readonly window_ms: number | null;
  readonly file: string;
  readonly line: number;
  readonly last_run: RuleRun | null;
}

export interface RuleFileError {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

export interface RuleList {
  readonly rules: readonly RuleSummary[];
  readonly errors: readonly RuleFileError[];
}

/** A hit of a dry run (POST /api/v1/rules/test). */
export interface DryRunHit {
  readonly group: Record<string, unknown>;
  readonly locality: string | null;
  readonly window_from: string;
  readonly window_to: string;
  readonly observed: number;
  readonly condition: string;
  readonly sample_event_ids: readonly string[];
  readonly evidence_query: string;
}

export interface DryRunResult {
  readonly rule_id: string;
  readonly windows: number;
  readonly hits: readonly DryRunHit[];
}
// --- end event search and rules ---

// --- onboarding (sources, keys, shipper configurations, contacts) ---
export type SourceKind = 'access' | 'otp' | 'probe';
export type SourceFormat = 'nginx_combined' | 'apache_common' | 'apache_combined' | 'json' | 'syslog';
export type SourceStatus = 'waiting' | 'receiving' | 'silent';
export const SOURCE_KINDS: readonly SourceKind[] = ['access', 'otp', 'probe'];
/** The formats a kind accepts (otp and probe sources send JSON). */
export const FORMATS_OF_KIND: Readonly<Record<SourceKind, readonly SourceFormat[]>> = {
  access: ['nginx_combined', 'apache_combined', 'apache_common', 'json', 'syslog'],
  otp: ['json'],
  probe: ['json'],
};
export const SHIPPERS = ['vector', 'fluent_bit', 'filebeat', 'rsyslog', 'curl'] as const;
export type Shipper = (typeof SHIPPERS)[number];
export type ShipperConfigs = Readonly<Record<Shipper, string>>;

export interface Source {
  readonly id: string;
  readonly name: string;
  readonly locality: string;
  readonly province: string | null;
  readonly kind: SourceKind;
  readonly format: SourceFormat;
  readonly enabled: boolean;
  readonly revoked: boolean;
  readonly key_prefix: string;
  readonly created_at: string;
  readonly syslog?: { readonly senders: readonly string[]; readonly token: string | null };
}

/** GET /sources/{id}: the source with its status. */
export interface SourceDetail extends Source {
  readonly status: SourceStatus;
  readonly events: number;
  readonly parse_rate: number | null;
  readonly last_event_at: string | null;
}

/** POST /sources and POST /sources/{id}/rotate-key: the key is in this answer only. */
export interface SourceWithKey extends Source {
  readonly api_key: string;
  readonly configs: ShipperConfigs;
}

export interface DeadLetter {
  readonly id: string;
  readonly source_id: string;
  readonly locality: string;
  readonly batch_id: string;
  readonly line: number;
  readonly raw: string;
  readonly reason: string;
  readonly received_at: string;
}

/** A contact as GET/PUT /localities/{code}/contacts answer it (the secret is never shown back). */
export type ContactOut =
  | { readonly email: string; readonly language: 'vi' | 'en' }
  | { readonly webhook: string; readonly secret_set: boolean };

// --- statistics (GET /api/v1/stats/..., docs/statistics.md) ---
export interface StatsSeconds { readonly n: number; readonly mean: number | null; readonly p50: number | null; readonly p90: number | null }
export interface StatsIncidents {
  readonly from: string; readonly to: string; readonly interval_ms: number; readonly by: string;
  readonly buckets: readonly string[];
  readonly series: readonly { readonly key: string; readonly total: number; readonly counts: readonly number[] }[];
}
export type StatsAgeBucket = 'lt_1h' | '1h_4h' | '4h_24h' | '1d_7d' | 'gte_7d';
export const STATS_AGE_BUCKETS: readonly StatsAgeBucket[] = ['lt_1h', '1h_4h', '4h_24h', '1d_7d', 'gte_7d'];
export interface StatsBacklog {
  readonly now: string; readonly by: string;
  readonly rows: readonly {
    readonly locality: string | null; readonly severity: string | null; readonly open: number; readonly acknowledged: number;
    readonly total: number; readonly age: Readonly<Record<StatsAgeBucket, number>>;
  }[];
}
export interface StatsResponseTimes {
  readonly from: string; readonly to: string; readonly by: string;
  readonly rows: readonly { readonly key: string; readonly incidents: number; readonly mtta: StatsSeconds; readonly mttr: StatsSeconds; readonly auto_resolved: number }[];
}
export interface StatsSla {
  readonly from: string; readonly to: string; readonly now: string;
  readonly rows: readonly { readonly locality: string; readonly severity: Severity; readonly incidents: number; readonly breaches: number; readonly rate: number }[];
  readonly total: { readonly incidents: number; readonly breaches: number; readonly rate: number | null };
}
export interface StatsTopRules {
  readonly from: string; readonly to: string;
  readonly rules: readonly { readonly rule_id: string; readonly title: string; readonly category: string; readonly severity: string; readonly count: number }[];
}
export interface StatsSources {
  readonly from: string; readonly to: string; readonly dead_letters_complete: boolean;
  readonly sources: readonly {
    readonly id: string; readonly name: string; readonly locality: string; readonly kind: string; readonly enabled: boolean;
    readonly status: 'waiting' | 'receiving' | 'silent'; readonly last_event_at: string | null; readonly events_total: number;
    readonly parse_rate_total: number | null; readonly events: number; readonly dead_letters: number; readonly parse_error_rate: number | null;
  }[];
}
export interface StatsOtp {
  readonly from: string; readonly to: string; readonly by: string;
  readonly rows: readonly {
    readonly locality: string | null; readonly service: string | null; readonly attempts: number; readonly successes: number;
    readonly failures: number; readonly success_rate: number | null;
  }[];
}
export interface StatsAvailability {
  readonly from: string; readonly to: string;
  readonly rows: readonly {
    readonly locality: string; readonly monitor: string; readonly service: string | null; readonly probes: number;
    readonly up: number; readonly down: number; readonly availability: number | null;
  }[];
}
