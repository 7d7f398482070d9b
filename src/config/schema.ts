import { availableParallelism } from 'node:os';

/**
 * Every environment variable Canh reads: name, default, description and parser. `canh config`
 * and docs/configuration.md list the same table.
 */
export interface ConfigField<T> {
  readonly env: string;
  readonly description: string;
  /** Default when unset; undefined means optional with no default. */
  readonly default?: string;
  /** Returns the value or throws Error(message) for a bad value. */
  readonly parse: (raw: string) => T;
}

const int = (min: number, max: number) => (raw: string): number => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw new Error(`expected an integer from ${min} to ${max}, got "${raw}"`);
  return n;
};
const oneOf = <T extends string>(...values: T[]) => (raw: string): T => {
  if (!values.includes(raw as T)) throw new Error(`expected one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
};
const url = (...protocols: string[]) => (raw: string): string => {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`expected a URL, got "${raw}"`);
  }
  if (!protocols.includes(u.protocol)) throw new Error(`expected a ${protocols.join(' or ')} URL, got "${u.protocol}"`);
  return raw;
};
const text = (minLength = 1) => (raw: string): string => {
  if (raw.length < minLength) throw new Error(`expected at least ${minLength} characters`);
  return raw;
};

export const CONFIG_SCHEMA = {
  port: { env: 'PORT', default: '8080', description: 'HTTP port of the API, ingest endpoints and console', parse: int(0, 65535) },
  host: { env: 'HOST', default: '0.0.0.0', description: 'Address the HTTP server listens on', parse: text() },
  redisUrl: { env: 'REDIS_URL', default: 'redis://127.0.0.1:6379', description: 'Redis that holds every queue', parse: url('redis:', 'rediss:') },
  dataDir: { env: 'CANH_DATA_DIR', default: './data', description: 'Directory of the embedded store files and generated secrets', parse: text() },
  store: { env: 'CANH_STORE', default: 'duckdb', description: 'Event store: duckdb (embedded, one process) or elasticsearch', parse: oneOf('duckdb', 'elasticsearch') },
  elasticsearchUrl: { env: 'ELASTICSEARCH_URL', description: 'Elasticsearch URL; required when CANH_STORE=elasticsearch', parse: url('http:', 'https:') },
  mailFrom: { env: 'CANH_MAIL_FROM', default: 'Canh <canh@localhost>', description: 'From address of notification emails', parse: text() },
  consoleUrl: {
    env: 'CANH_CONSOLE_URL',
    default: 'http://localhost:8080',
    description: 'Base URL of the console, for the link in notifications (<url>/incidents/<id>); an https URL also marks the session cookie Secure (Canh behind a TLS proxy)',
    parse: url('http:', 'https:'),
  },
  notifyRate: {
    env: 'CANH_NOTIFY_RATE',
    default: '10/10m',
    description: 'Notifications one recipient gets per window before the rest are held for one digest, as <count>/<window> (e.g. 10/10m, 20/1h)',
    parse: (raw: string): { limit: number; windowMs: number } => {
      const m = /^(\d+)\/(\d+)(s|m|h)$/.exec(raw.trim());
      if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`expected <count>/<window> such as 10/10m, got "${raw}"`);
      return { limit: Number(m[1]), windowMs: Number(m[2]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[3] as 's' | 'm' | 'h'] };
    },
  },
  smtpUrl: { env: 'SMTP_URL', description: 'SMTP server for notifications, e.g. smtp://user:pass@mail:587', parse: url('smtp:', 'smtps:') },
  adminToken: {
    env: 'CANH_ADMIN_TOKEN',
    description: 'Bearer token for admin routes; when unset one is generated into <data dir>/admin-token',
    parse: text(16),
  },
  rulesDir: { env: 'CANH_RULES_DIR', description: 'Extra directory of rule files, beside the shipped rules/', parse: text() },
  monitorsDir: { env: 'CANH_MONITORS_DIR', description: 'Extra directory of monitor files (YAML), beside the shipped rules/monitors/', parse: text() },
  probeLocation: {
    env: 'CANH_PROBE_LOCATION',
    default: 'local',
    description: 'Name of this probe worker\'s location (observer.name of its results; a-z 0-9 -); workers in several places run the same monitors',
    parse: (raw: string): string => {
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(raw)) throw new Error(`expected a-z, 0-9 and -, at most 63 characters, got "${raw}"`);
      return raw;
    },
  },
  syslogPort: { env: 'CANH_SYSLOG_PORT', default: '5514', description: 'UDP and TCP port of the syslog receiver (role syslog; 0: any free port)', parse: int(0, 65535) },
  syslogTlsCert: { env: 'CANH_SYSLOG_TLS_CERT', description: 'PEM certificate file: the syslog receiver speaks TLS on TCP (with CANH_SYSLOG_TLS_KEY)', parse: text() },
  syslogTlsKey: { env: 'CANH_SYSLOG_TLS_KEY', description: 'PEM private key file of CANH_SYSLOG_TLS_CERT', parse: text() },
  retentionDays: { env: 'CANH_RETENTION_DAYS', default: '90', description: 'Days events and dead letters are kept', parse: int(1, 36500) },
  maxBodyBytes: { env: 'CANH_MAX_BODY_BYTES', default: String(32 * 1024 * 1024), description: 'Largest ingest body accepted, after decompression', parse: int(1024, 512 * 1024 * 1024) },
  maxJsonDepth: {
    env: 'CANH_MAX_JSON_DEPTH',
    default: '32',
    description: 'Deepest nesting of a JSON request body of the API; deeper bodies are refused (400 CANH_REQUEST_TOO_DEEP) before they are parsed',
    parse: int(2, 512),
  },
  rateLimitPerAddress: {
    env: 'CANH_RATE_LIMIT_PER_ADDRESS',
    default: '12000',
    description: 'Requests one client address (an IPv6 /64) may make per minute before 429 CANH_RATE_LIMITED (0: no limit); counted in Redis across api processes',
    parse: int(0, 10_000_000),
  },
  rateLimitPerKey: {
    env: 'CANH_RATE_LIMIT_PER_KEY',
    default: '6000',
    description: 'Requests one source key, user token, admin token or console session may make per minute before 429 CANH_RATE_LIMITED (0: no limit)',
    parse: int(0, 10_000_000),
  },
  ingestConcurrency: { env: 'CANH_INGEST_CONCURRENCY', default: '2', description: 'Batches one ingest worker processes at once', parse: int(1, 64) },
  ruleConcurrency: {
    env: 'CANH_RULE_CONCURRENCY',
    default: '1000',
    description: 'Rule runs one rules worker has in flight; the aggregates of runs in flight together are answered in one pass over the events',
    parse: int(1, 10000),
  },
  duckdbMemoryLimit: {
    env: 'CANH_DUCKDB_MEMORY_LIMIT',
    default: '256MB',
    description: 'Memory the embedded event store may use for caching and queries (DuckDB memory_limit, e.g. 512MB, 2GB); it spills to disk beyond',
    parse: (raw: string): string => {
      if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(raw.trim())) throw new Error(`expected a size such as 512MB or 2GB, got "${raw}"`);
      return raw.trim();
    },
  },
  parseThreads: {
    env: 'CANH_PARSE_THREADS',
    default: 'auto',
    description: 'Threads that parse ingest batches beside the writer (0: parse on the main thread; auto: as many as the cores)',
    parse: (raw: string): number => (raw === 'auto' ? availableParallelism() : int(0, 32)(raw)),
  },
  jobLockMs: {
    env: 'CANH_JOB_LOCK_MS',
    default: '30000',
    description: 'How long a job may go without its worker\'s heartbeat before another worker takes it over (a killed worker\'s batch is redone after this)',
    parse: int(1000, 600000),
  },
  queuePrefix: { env: 'CANH_QUEUE_PREFIX', default: 'canh', description: 'Prefix of every Redis key Canh writes', parse: text() },
  piiSalt: {
    env: 'CANH_PII_SALT',
    description: 'Secret salt of PII hashes (OTP destinations); when unset one is generated into <data dir>/pii-salt',
    parse: text(16),
  },
  logLevel: { env: 'CANH_LOG_LEVEL', default: 'info', description: 'Log level', parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent') },
} satisfies Record<string, ConfigField<unknown>>;

type Schema = typeof CONFIG_SCHEMA;
type Parsed<F> = F extends ConfigField<infer T> ? T : never;

/** The validated configuration: fields with a default are always set. */
export type Config = {
  readonly [K in keyof Schema]: Schema[K] extends { default: string } ? Parsed<Schema[K]> : Parsed<Schema[K]> | undefined;
};
