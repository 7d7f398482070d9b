import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema';
import { DirectoryService } from '../directory/directory-service';
import { EventSearchService } from '../events/search-service';
import { StatsService } from '../stats/stats-service';
import { SyslogSettingsService } from '../syslog/syslog-settings';
import { IngestService } from '../ingest/ingest-service';
import { systemClock, type Clock } from '../lib/clock';
import { Metrics } from '../lib/metrics';
import { BullMqIngestQueue } from '../queue/ingest-queue';
import { createRedis } from '../queue/redis';
import type { DirectoryStore } from '../store/directory-store';
import type { UserStore } from '../store/user-store';
import type { AuditStore } from '../store/audit-store';
import { UserService } from '../users/user-service';
import { DEFAULT_THROTTLE } from '../users/login-throttle';
import { RedisLoginThrottle } from '../users/redis-login-throttle';
import type { IncidentStore } from '../store/incident-store';
import type { RuleStateStore } from '../store/rule-state-store';
import type { EventStore } from '../store/event-store';
import { ensureSecret } from './secrets';
import { openStores } from './open-stores';
import { PACKAGE_ROOT } from './version';
import { formatMonitorErrors, loadMonitorFiles } from '../monitors/load-monitors';
import { MonitorService } from '../monitors/monitor-service';
import type { MonitorStore } from '../store/monitor-store';

/** Everything one Canh process needs, wired once (the composition root); stores in src/app/open-stores.ts. */
export interface Container {
  readonly config: Config;
  readonly clock: Clock;
  readonly dataDir: string;
  readonly adminToken: string;
  readonly piiSalt: string;
  readonly events: EventStore;
  readonly directoryStore: DirectoryStore;
  readonly ruleState: RuleStateStore;
  /** Incidents and their timelines (incidents.duckdb). */
  readonly incidents: IncidentStore;
  readonly directory: DirectoryService;
  /** Users and their API tokens (users.duckdb). */
  readonly userStore: UserStore;
  readonly users: UserService;
  /** The audit log (audit.duckdb). */
  readonly auditStore: AuditStore;
  /** Monitors defined over the API (monitors.duckdb). */
  readonly monitorStore: MonitorStore;
  /** Monitors of YAML files and of the API; `onMonitorsChanged` is called after an API change. */
  readonly monitors: MonitorService;
  onMonitorsChanged: () => void;
  readonly ingestQueue: BullMqIngestQueue;
  readonly ingest: IngestService;
  readonly search: EventSearchService;
  /** Syslog matching settings of sources (senders, token). */
  readonly syslogSettings: SyslogSettingsService;
  /** Statistics for /api/v1/stats (incidents, OTP, availability, sources). */
  readonly stats: StatsService;
  readonly metrics: Metrics;
  /** Connection of producers (fails fast); workers open their own. */
  readonly redis: Redis;
  /** Notes for the operator about secrets generated at this start. */
  readonly notices: readonly string[];
  close(): Promise<void>;
}

export async function createContainer(config: Config, clock: Clock = systemClock): Promise<Container> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const admin = ensureSecret(dataDir, 'admin-token', config.adminToken);
  const salt = ensureSecret(dataDir, 'pii-salt', config.piiSalt);
  const notices = admin.generated ? [`CANH_ADMIN_TOKEN is not set: generated an admin token in ${admin.path}`] : [];

  const stores = await openStores(config, dataDir);
  const { events, ruleState, incidents } = stores;
  const directoryStore = stores.directory;
  const userStore = stores.users;
  const auditStore = stores.audit;
  const monitorStore = stores.monitors;
  const monitorPaths = [join(PACKAGE_ROOT, 'rules', 'monitors'), ...(config.monitorsDir ? [config.monitorsDir] : [])];
  const reported = new Set<string>();
  const yamlMonitors = async () => {
    const loaded = await loadMonitorFiles(monitorPaths);
    const text = loaded.errors.length ? formatMonitorErrors(loaded.errors) : '';
    // Each distinct set of file errors is told once (the files are read again on every sync).
    if (text && !reported.has(text)) reported.add(text), process.emitWarning(`monitor files have errors (those monitors are not run):\n${text}`);
    return loaded.monitors;
  };

  const redis = createRedis(config.redisUrl, 'producer');
  redis.on('error', () => undefined);
  await redis.connect().catch(() => undefined);
  const ingestQueue = new BullMqIngestQueue(redis, config.queuePrefix);
  const directory = new DirectoryService(directoryStore, clock);
  const metrics = new Metrics(() => ingestQueue.depth());

  const container: Container = {
    config, clock, dataDir, notices, events, directoryStore, ruleState, incidents, directory, ingestQueue, metrics, redis, userStore, auditStore, monitorStore,
    onMonitorsChanged: () => undefined,
    monitors: new MonitorService(monitorStore, yamlMonitors, directoryStore, clock, () => container.onMonitorsChanged()),
    users: new UserService(userStore, directoryStore, clock, new RedisLoginThrottle(redis, config.queuePrefix, DEFAULT_THROTTLE, (m) => process.emitWarning(m))),
    adminToken: admin.value,
    piiSalt: salt.value,
    ingest: new IngestService(directory, ingestQueue, clock, (transport, n) => metrics.accepted.inc({ transport }, n)),
    search: new EventSearchService(events, directory, clock),
    syslogSettings: new SyslogSettingsService(directoryStore),
    stats: new StatsService({ incidents: stores.incidentStats, events, sources: directory, clock }),
    async close() {
      await ingestQueue.close().catch(() => undefined);
      redis.disconnect();
      await stores.close();
    },
  };
  return container;
}
