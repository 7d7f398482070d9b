import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { SEVERITIES } from '../rules/rule';
import { AGE_BUCKETS, INCIDENT_DIMENSIONS } from '../store/incident-stats';
import type { Scope } from '../store/scope';
import { renderCsv, type CsvTable } from './csv';
import { MAX_TOP_RULES } from './params';
import * as present from './present';
import type { StatsService } from './stats-service';

export interface StatsRoutesOptions {
  readonly stats: StatsService;
  readonly authenticate: preHandlerAsyncHookHandler;
}

type Query = Record<string, string | undefined>;

const text = (description: string) => ({ type: 'string', maxLength: 64, description }) as const;
const from = text('Start, inclusive: ISO 8601, epoch ms, now or now-<duration> (default: 30 days before to)');
const to = text('End, exclusive (default now)');
const format = { type: 'string', enum: ['json', 'csv'], description: 'csv for a CSV file (as Accept: text/csv); default json' } as const;
const int = { type: 'integer' } as const;
const num = { type: ['number', 'null'] } as const;
const str = { type: 'string' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const time = { type: 'string', format: 'date-time' } as const;
const obj = (properties: Record<string, unknown>) => ({ type: 'object', properties }) as const;
const list = (items: unknown) => ({ type: 'array', items }) as const;
const seconds = obj({ n: int, mean: num, p50: num, p90: num });

interface Endpoint<R> {
  readonly path: string;
  readonly name: string;
  readonly summary: string;
  readonly query: Record<string, unknown>;
  readonly response: Record<string, unknown>;
  readonly run: (q: Query, scope: Scope) => Promise<R>;
  readonly json: (r: R) => unknown;
  readonly csv: (r: R) => CsvTable;
}

/** CSV when `format=csv`, or without `format` when the Accept header asks for text/csv. */
function wantsCsv(request: FastifyRequest<{ Querystring: Query }>): boolean {
  const asked = request.query.format;
  if (asked !== undefined) return asked === 'csv';
  return /(^|[,\s])text\/csv\b/i.test(request.headers.accept ?? '');
}

function route<R>(app: FastifyInstance, e: Endpoint<R>): void {
  app.get<{ Querystring: Query }>(e.path, {
    schema: {
      tags: ['stats'], summary: e.summary,
      querystring: { type: 'object', additionalProperties: false, properties: { ...e.query, format } },
      response: { 200: { type: 'object', properties: e.response } },
    },
  }, async (req, reply: FastifyReply) => {
    const result = await e.run(req.query, req.scope);
    if (!wantsCsv(req)) return e.json(result);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="canh-stats-${e.name}.csv"`)
      .send(renderCsv(e.csv(result)));
  });
}

/**
 * /api/v1/stats/*: the central reviewers' statistics (docs/statistics.md), every one within the
 * caller's scope, as JSON or CSV.
 */
export const statsRoutes: FastifyPluginAsync<StatsRoutesOptions> = async (app, { stats, authenticate }) => {
  app.addHook('preHandler', authenticate);

  route(app, {
    path: '/stats/incidents', name: 'incidents', summary: 'Incidents created per time bucket and locality, category or severity',
    query: {
      from, to, interval: text('Bucket width (1h, 1d...) or auto (default: 30 to 120 buckets)'),
      by: { type: 'string', enum: INCIDENT_DIMENSIONS, description: 'default severity' },
    },
    response: {
      from: time, to: time, interval_ms: int, by: str, buckets: list(time),
      series: list(obj({ key: str, total: int, counts: list(int) })),
    },
    run: (q, scope) => stats.incidents(q, scope), json: present.incidentsJson, csv: present.incidentsCsv,
  });

  route(app, {
    path: '/stats/backlog', name: 'backlog', summary: 'Open and acknowledged incidents now, by locality and/or severity, with age buckets',
    query: { by: { type: 'string', enum: ['locality', 'severity', 'locality,severity'], description: 'default locality,severity' } },
    response: {
      now: time, by: str,
      rows: list(obj({
        locality: strOrNull, severity: strOrNull, open: int, acknowledged: int, total: int,
        age: obj(Object.fromEntries(AGE_BUCKETS.map((a) => [a, int]))),
      })),
    },
    run: (q, scope) => stats.backlog(q, scope), json: present.backlogJson, csv: present.backlogCsv,
  });

  route(app, {
    path: '/stats/response-times', name: 'response-times', summary: 'MTTA and MTTR (mean, p50, p90 in seconds) of the incidents created in the range',
    query: { from, to, by: { type: 'string', enum: ['locality', 'severity'], description: 'default severity' } },
    response: { from: time, to: time, by: str, rows: list(obj({ key: str, incidents: int, mtta: seconds, mttr: seconds, auto_resolved: int })) },
    run: (q, scope) => stats.responseTimes(q, scope), json: present.responseTimesJson, csv: present.responseTimesCsv,
  });

  route(app, {
    path: '/stats/sla', name: 'sla', summary: 'SLA breaches (acknowledgement past ack_due) per locality and severity',
    query: { from, to },
    response: {
      from: time, to: time, now: time,
      rows: list(obj({ locality: str, severity: { type: 'string', enum: SEVERITIES }, incidents: int, breaches: int, rate: { type: 'number' } })),
      total: obj({ incidents: int, breaches: int, rate: num }),
    },
    run: (q, scope) => stats.sla(q, scope), json: present.slaJson, csv: present.slaCsv,
  });

  route(app, {
    path: '/stats/top-rules', name: 'top-rules', summary: 'The rules with the most incidents created in the range',
    query: { from, to, size: { type: 'integer', minimum: 1, maximum: MAX_TOP_RULES, description: 'default 10' } },
    response: { from: time, to: time, rules: list(obj({ rule_id: str, title: str, category: str, severity: str, count: int })) },
    run: (q, scope) => stats.topRules(q, scope), json: present.topRulesJson, csv: present.topRulesCsv,
  });

  route(app, {
    path: '/stats/sources', name: 'sources', summary: 'Source health: status, events and parse error rate over a window',
    query: { window: text('Look-back window (default 24h)') },
    response: {
      from: time, to: time, dead_letters_complete: { type: 'boolean' },
      sources: list(obj({
        id: str, name: str, locality: str, kind: str, enabled: { type: 'boolean' }, status: { type: 'string', enum: ['waiting', 'receiving', 'silent'] },
        last_event_at: strOrNull, events_total: int, parse_rate_total: num, events: int, dead_letters: int, parse_error_rate: num,
      })),
    },
    run: (q, scope) => stats.sources(q, scope), json: present.sourcesJson, csv: present.sourcesCsv,
  });

  route(app, {
    path: '/stats/otp', name: 'otp', summary: 'OTP verification success rate per locality and/or service',
    query: { from, to, by: { type: 'string', enum: ['locality', 'service', 'locality,service'], description: 'default locality,service' } },
    response: {
      from: time, to: time, by: str,
      rows: list(obj({ locality: strOrNull, service: strOrNull, attempts: int, successes: int, failures: int, success_rate: num })),
    },
    run: (q, scope) => stats.otp(q, scope), json: present.otpJson, csv: present.otpCsv,
  });

  route(app, {
    path: '/stats/availability', name: 'availability', summary: 'Availability (share of up probe results) per monitored service and locality',
    query: { from, to },
    response: {
      from: time, to: time,
      rows: list(obj({ locality: str, monitor: str, service: strOrNull, probes: int, up: int, down: int, availability: num })),
    },
    run: (q, scope) => stats.availability(q, scope), json: present.availabilityJson, csv: present.availabilityCsv,
  });
};
