/**
 * Monitor glossary.
 * - Monitor: a service Canh probes itself (an HTTP(S) URL or a TCP host:port) every `interval`, on
 *   behalf of one locality; defined in YAML (`rules/monitors/`, CANH_MONITORS_DIR) or over the API.
 * - Location: where a probe worker runs (CANH_PROBE_LOCATION); every location runs every monitor,
 *   and each result names its location in `observer.name`.
 * - Probe result: one check of one monitor from one location; it becomes an `uptime.probe` event.
 */
export const MONITOR_TYPES = ['http', 'tcp'] as const;
export type MonitorType = (typeof MONITOR_TYPES)[number];

export const HTTP_METHODS = ['GET', 'HEAD', 'POST'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** What an `http` monitor checks. */
export interface HttpCheck {
  readonly type: 'http';
  readonly url: string;
  readonly method: HttpMethod;
  /** Status codes that count as up. @defaultValue [200..299] as a list */
  readonly expectedStatus: readonly number[];
  /** Text the body must contain (read up to PROBE_LIMITS.maxBodyBytes); null: not checked. */
  readonly bodyKeyword: string | null;
  readonly followRedirects: boolean;
  /** Warn (a `tls.warning` field) when the certificate expires within this many days. @defaultValue 14 */
  readonly tlsExpiryWarningDays: number;
}

/** What a `tcp` monitor checks: a connection opens. */
export interface TcpCheck {
  readonly type: 'tcp';
  readonly host: string;
  readonly port: number;
}

export interface Monitor {
  /** Unique across YAML and API monitors: `a-z`, `0-9`, `-`, `_`. */
  readonly id: string;
  readonly name: string;
  /** Locality code the monitor belongs to (its events carry organization.id = this code). */
  readonly locality: string;
  /** `service.name` of its events. */
  readonly service: string;
  readonly check: HttpCheck | TcpCheck;
  readonly intervalMs: number;
  /** Whole check, connect included. */
  readonly timeoutMs: number;
  readonly enabled: boolean;
  /** `yaml` monitors are read-only over the API. */
  readonly origin: { readonly kind: 'yaml'; readonly file: string; readonly line: number } | { readonly kind: 'api' };
}

/** A monitor defined over the API, as stored (with its province, for scoped reads). */
export interface StoredMonitor extends Monitor {
  readonly province: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export const MONITOR_LIMITS = {
  minIntervalMs: 1_000,
  maxIntervalMs: 24 * 3_600_000,
  minTimeoutMs: 100,
  maxTimeoutMs: 60_000,
  maxName: 200,
  maxKeyword: 1_000,
  maxUrl: 2_000,
} as const;

export const MONITOR_DEFAULTS = {
  intervalMs: 60_000,
  timeoutMs: 10_000,
  method: 'GET' as HttpMethod,
  followRedirects: true,
  tlsExpiryWarningDays: 14,
} as const;

/** The default expected statuses: every 2xx. */
export const DEFAULT_EXPECTED_STATUS: readonly number[] = Array.from({ length: 100 }, (_, i) => 200 + i);

export const MONITOR_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const LOCATION_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
