import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../http/build-app';
import { BatchProcessor } from '../ingest/batch-processor';
import { ParsePool } from '../ingest/parse-pool';
import type { IngestJob } from '../queue/jobs';
import { QUEUES } from '../queue/jobs';
import { createRedis } from '../queue/redis';
import { createWorker } from '../queue/worker-factory';
import type { IncidentService } from '../incidents/incident-service';
import { startIncidentsRole, wireIncidents, type IncidentWiring } from './incidents-role';
import type { Container } from './container';
import { startRulesRole, type RulesRole } from './rules-role';
import { PACKAGE_ROOT, VERSION } from './version';
import { RuleRegistry } from '../rules/engine/rule-registry';
import { RuleDryRunService } from '../rules/dry-run-service';
import { AuditService } from '../audit/audit-service';
import { startProbeRole, type ProbeRole } from '../monitors/probe-role';
import { startSyslogReceiver, type SyslogReceiver } from '../syslog/receiver';
import { errors } from '../errors';
import { startRetention } from '../ingest/retention';
import { readFileSync } from 'node:fs';
import { ALL_SCOPE } from '../store/scope';
import { createRateLimiter } from '../http/rate-limit';
import { defaultRulePaths } from '../rules/load-rules';

/** Roles one process can run; `canh start` runs them all. */
export const ROLES = ['api', 'ingest', 'rules', 'incidents', 'probe', 'syslog'] as const;
export type Role = (typeof ROLES)[number];

export interface Running {
  /** The rules role, when it runs. */
  readonly rules: RulesRole | null;
  /** `http://host:port` when the api role runs. */
  readonly address: string | null;
  readonly app: FastifyInstance | null;
  /** Stops taking work, finishes the jobs in hand, closes everything. */
  stop(): Promise<void>;
}

export async function startRoles(c: Container, roles: readonly Role[], log: Logger): Promise<Running> {
  const workers: Worker[] = roles.includes('ingest') ? [startIngestWorker(c, log)] : [];
  // The ingest role writes the events, so it also deletes the expired ones (Elasticsearch: ILM does).
  const retention = roles.includes('ingest') ? startRetention(c.events, { days: c.config.retentionDays, now: () => c.clock.now(), log: log.child({ role: 'ingest', component: 'retention' }) }) : null;
  let wiring: IncidentWiring | null = null;
  let incidentsRole: { stop(): Promise<void> } | null = null;
  let app: FastifyInstance | null = null;
  let address: string | null = null;
  let rules: RulesRole | null = null;
  let ownRegistry: RuleRegistry | null = null;
  let audit: AuditService | null = null;
  let probe: ProbeRole | null = null;
  let syslog: SyslogReceiver | null = null;
  const stopAll = async () => {
    await retention?.stop();
    await syslog?.stop();
    await probe?.stop();
    await app?.close();
    await audit?.close();
    ownRegistry?.close();
    await rules?.stop();
    await Promise.all(workers.map((w) => w.close()));
    await incidentsRole?.stop();
    await wiring?.close();
  };
  try {
    if (roles.includes('rules')) rules = await startRulesRole(c, log);
    if (roles.includes('syslog')) {
      if (c.config.syslogTlsCert && !c.config.syslogTlsKey) throw errors.invalidConfig(['CANH_SYSLOG_TLS_CERT is set without CANH_SYSLOG_TLS_KEY']);
      const tls = c.config.syslogTlsCert ? { cert: readFileSync(c.config.syslogTlsCert), key: readFileSync(c.config.syslogTlsKey as string) } : undefined;
      syslog = await startSyslogReceiver({ directory: c.directoryStore, ingest: c.ingest, logger: log.child({ role: 'syslog' }) }, { port: c.config.syslogPort, host: c.config.host, tls });
      log.info({ role: 'syslog', port: syslog.port, tls: tls !== undefined }, 'syslog receiver listening (UDP and TCP)');
    }
    if (roles.includes('probe')) {
      probe = await startProbeRole({
        location: c.config.probeLocation, redisUrl: c.config.redisUrl, redis: c.redis, prefix: c.config.queuePrefix,
        monitors: () => c.monitors.all(),
        province: async (code) => {
          const l = await c.directoryStore.getLocality(code, ALL_SCOPE);
          return l ? { province: l.provinceCode } : null;
        },
        ingestQueue: c.ingestQueue, clock: c.clock, log, lockMs: c.config.jobLockMs,
      });
      const running = probe;
      c.onMonitorsChanged = () => void running.sync();
    }
    if (roles.includes('incidents') || roles.includes('api')) {
      // Titles, severities and categories of incidents come from the loaded rule files.
      const registry = rules?.registry ?? (ownRegistry = await apiRuleRegistry(c));
      wiring = await wireIncidents(c, log, registry);
      if (roles.includes('incidents')) incidentsRole = await startIncidentsRole(c, log, registry, wiring);
    }
    if (roles.includes('api')) {
      if (!rules && !ownRegistry) ownRegistry = await apiRuleRegistry(c);
      audit = new AuditService({ store: c.auditStore, clock: c.clock, logger: log.child({ role: 'api', component: 'audit' }) });
      app = await buildApi(c, log, rules?.registry ?? (ownRegistry as RuleRegistry), (wiring as IncidentWiring).service, audit);
      address = await app.listen({ port: c.config.port, host: c.config.host });
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    address,
    app,
    rules,
    async stop() {
      await stopAll();
      await c.close();
    },
  };
}

/** An api process without the rules role still lists and dry-runs the rule files. */
async function apiRuleRegistry(c: Container): Promise<RuleRegistry> {
  const registry = new RuleRegistry(defaultRulePaths(PACKAGE_ROOT, c.config.rulesDir));
  await registry.load();
  registry.watch();
  return registry;
}

function buildApi(c: Container, log: Logger, registry: RuleRegistry, incidents: IncidentService, audit: AuditService): Promise<FastifyInstance> {
  return buildApp({
    audit,
    monitors: c.monitors,
    stats: c.stats,
    syslogSettings: c.syslogSettings,
    maxJsonDepth: c.config.maxJsonDepth,
    rateLimiter: createRateLimiter(c.config, c.redis, log.child({ role: 'api' })),
    // Behind a TLS proxy Canh sees plain HTTP: the console's public URL tells it to mark cookies Secure.
    secureCookies: c.config.consoleUrl.startsWith('https:'),
    rules: { registry, state: c.ruleState, dryRun: new RuleDryRunService(c.events, registry, c.clock) },
    // Analysts' actions; hits are applied by the incidents role (incident-worker.ts), not here.
    incidents,
    users: c.users,
    adminToken: c.adminToken,
    maxBodyBytes: c.config.maxBodyBytes,
    directory: c.directory,
    ingest: c.ingest,
    search: c.search,
    metrics: c.metrics,
    version: VERSION,
    logger: log.child({ role: 'api' }),
    readiness: async () => ({
      redis: await c.redis.ping().then(() => null, (e: Error) => `redis: ${e.message}`),
      store: await c.events.ping().then(() => null, (e: Error) => `store: ${e.message}`),
      directory: await c.directoryStore.ping().then(() => null, (e: Error) => `directory: ${e.message}`),
      users: await c.userStore.ping().then(() => null, (e: Error) => `users: ${e.message}`),
      audit: await c.auditStore.ping().then(() => null, (e: Error) => `audit: ${e.message}`),
    }),
  });
}

function startIngestWorker(c: Container, log: Logger): Worker {
  const connection = createRedis(c.config.redisUrl, 'worker');
  connection.on('error', () => undefined);
  const wlog = log.child({ role: 'ingest' });
  const pool = c.config.parseThreads > 0 ? new ParsePool(c.config.parseThreads) : null;
  const processor = new BatchProcessor(c.events, c.clock, c.piiSalt, pool);
  const worker = createWorker<IngestJob, unknown>(
    QUEUES.ingest,
    async (job) => {
      const dataset = { access: 'web.access', otp: 'otp.auth', probe: 'uptime.probe' }[job.source.kind];
      const out = await processor.process(job);
      c.metrics.received.inc({ dataset }, out.received);
      c.metrics.stored.inc({ dataset }, out.written);
      c.metrics.duplicates.inc({ dataset }, out.duplicates);
      c.metrics.deadLettered.inc({ dataset }, out.deadLettered);
      c.metrics.batchLatency.observe((c.clock.now() - job.receivedAt) / 1000);
      return out;
    },
    {
      connection,
      concurrency: c.config.ingestConcurrency,
      prefix: c.config.queuePrefix,
      lockMs: c.config.jobLockMs,
      onFailed: (job, err) => wlog.warn({ batchId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'ingest batch failed'),
    },
  );
  const close = worker.close.bind(worker);
  worker.close = async (force?: boolean) => {
    await close(force);
    await pool?.close();
    connection.disconnect();
  };
  return worker;
}
