import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { DirectoryService } from '../directory/directory-service';
import { directoryRoutes } from '../directory/routes';
import { eventRoutes } from '../events/routes';
import type { EventSearchService } from '../events/search-service';
import type { IngestService } from '../ingest/ingest-service';
import { ingestRoutes, sourceImportRoutes } from '../ingest/routes';
import type { Metrics } from '../lib/metrics';
import { ruleRoutes, type RuleRoutesOptions } from '../rules/routes';
import type { IncidentService } from '../incidents/incident-service';
import { incidentRoutes } from '../incidents/routes';
import { userRoutes } from '../users/routes';
import type { UserService } from '../users/user-service';
import { makeAdminAuth } from './admin-auth';
import { registerConsole } from './console-routes';
import { registerDecompression } from './decompress';
import { makeErrorHandler, notFoundHandler } from './error-handler';
import { esCompatRoutes } from './es-compat/routes';
import type { AuditService } from '../audit/audit-service';
import type { MonitorService } from '../monitors/monitor-service';
import { monitorRoutes } from '../monitors/routes';
import { statsRoutes } from '../stats/routes';
import type { SyslogSettingsService } from '../syslog/syslog-settings';
import type { StatsService } from '../stats/stats-service';
import { auditPlugin } from '../audit/plugin';
import { auditRoutes } from '../audit/routes';
import { registerHardening } from './hardening';
import { healthRoutes, type ReadinessCheck } from './health-routes';
import type { RateLimiter } from './rate-limit';

export interface AppDeps {
  readonly adminToken: string;
  readonly maxBodyBytes: number;
  readonly directory: DirectoryService;
  readonly ingest: IngestService;
  readonly search: EventSearchService;
  readonly metrics: Metrics;
  readonly readiness: ReadinessCheck;
  /** Loaded rules and their state, for /api/v1/rules (absent: the routes are not served). */
  readonly rules?: Pick<RuleRoutesOptions, 'registry' | 'state' | 'dryRun'>;
  /** Incidents, for /api/v1/incidents (absent: the routes are not served). */
  readonly incidents?: IncidentService;
  /** Users and their API tokens, for /api/v1/users and /api/v1/login; user tokens authenticate only when given. */
  readonly users?: UserService;
  readonly version: string;
  /** The audit log: records changes under /api/v1, serves GET /api/v1/audit (absent: nothing recorded). */
  readonly audit?: AuditService;
  /** Syslog settings of sources (accepted on POST/PATCH /sources when given). */
  readonly syslogSettings?: SyslogSettingsService;
  /** Statistics, for /api/v1/stats (absent: the routes are not served). */
  readonly stats?: StatsService;
  /** Monitors, for /api/v1/monitors (absent: the routes are not served). */
  readonly monitors?: MonitorService;
  /** Mark the console's session cookie Secure even on plain HTTP (Canh behind a TLS proxy). */
  readonly secureCookies?: boolean;
  /** Request limits per address and credential (src/http/rate-limit.ts); none when absent. */
  readonly rateLimiter?: RateLimiter;
  /** Deepest nesting of a JSON request body (CANH_MAX_JSON_DEPTH). @defaultValue 32 */
  readonly maxJsonDepth?: number;
  /** The built web console (index.html, assets/). @defaultValue DEFAULT_CONSOLE_DIR (dist/console) */
  readonly consoleDir?: string;
  /** A pino logger for request logs; none when absent. */
  readonly logger?: FastifyServerOptions['loggerInstance'];
}

/**
 * The Fastify instance every Canh app starts from: validation options, the request's `scope`, the
 * error and not-found handlers. buildApp adds the rest; route tests register one plugin on it.
 */
export function baseApp(options: { readonly maxBodyBytes: number; readonly logger?: FastifyServerOptions['loggerInstance'] }): FastifyInstance {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    genReqId: () => `req-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  }) as unknown as FastifyInstance;
  app.decorateRequest('scope', null as never);
  app.decorateRequest('principal', null);
  app.setErrorHandler(makeErrorHandler(options.maxBodyBytes));
  app.setNotFoundHandler(notFoundHandler);
  return app;
}

/** Builds the HTTP app; only the entry point calls listen(), tests use inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = baseApp({ maxBodyBytes: deps.maxBodyBytes, logger: deps.logger });
  registerHardening(app, { rateLimiter: deps.rateLimiter, maxJsonDepth: deps.maxJsonDepth });
  registerDecompression(app);
  if (deps.audit) await app.register(auditPlugin, { audit: deps.audit });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Canh API', version: deps.version, description: 'SOC log analysis and alerting for public administrations' },
      components: { securitySchemes: { admin: { type: 'http', scheme: 'bearer' }, sourceKey: { type: 'apiKey', in: 'header', name: 'Authorization' } } },
    },
  });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const authenticate = makeAdminAuth(deps.adminToken, deps.users);
  await app.register(healthRoutes, { readiness: deps.readiness, metrics: deps.metrics });
  await app.register(directoryRoutes, { prefix: '/api/v1', directory: deps.directory, search: deps.search, authenticate, ...(deps.syslogSettings ? { syslogSettings: deps.syslogSettings } : {}) });
  await app.register(eventRoutes, { prefix: '/api/v1', search: deps.search, authenticate });
  if (deps.rules) await app.register(ruleRoutes, { prefix: '/api/v1', ...deps.rules, localities: deps.directory, authenticate });
  if (deps.incidents) await app.register(incidentRoutes, { prefix: '/api/v1', incidents: deps.incidents, authenticate });
  if (deps.users) await app.register(userRoutes, { prefix: '/api/v1', users: deps.users, authenticate, secureCookies: deps.secureCookies ?? false });
  if (deps.stats) await app.register(statsRoutes, { prefix: '/api/v1', stats: deps.stats, authenticate });
  if (deps.monitors) await app.register(monitorRoutes, { prefix: '/api/v1', monitors: deps.monitors, authenticate });
  if (deps.audit) await app.register(auditRoutes, { prefix: '/api/v1', audit: deps.audit, authenticate });
  await app.register(ingestRoutes, { prefix: '/api/v1', ingest: deps.ingest, maxBodyBytes: deps.maxBodyBytes });
  await app.register(sourceImportRoutes, { prefix: '/api/v1', ingest: deps.ingest, directory: deps.directory, authenticate, maxBodyBytes: deps.maxBodyBytes });
  // Before the Elasticsearch-compatible routes: its hook gives browsers the console at GET /.
  await registerConsole(app, { dir: deps.consoleDir });
  await app.register(esCompatRoutes, { ingest: deps.ingest, version: deps.version, maxBodyBytes: deps.maxBodyBytes });
  return app;
}
