import type { FastifyPluginAsync, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { errors } from '../errors';
import { systemClock, type Clock } from '../lib/clock';
import { parseTime } from '../lib/time';
import { SEVERITIES, type Severity } from '../rules/rule';
import { INCIDENT_SORTS, MAX_INCIDENT_PAGE_SIZE, DEFAULT_INCIDENT_PAGE_SIZE, type IncidentQuery, type IncidentSort, type SortDirection } from '../store/incident-store';
import { INCIDENT_STATUSES, RESOLUTIONS, type Incident, type IncidentStatus, type JsonValue, type Resolution, type TimelineEntry } from './incident';
import type { IncidentService } from './incident-service';

export interface IncidentRoutesOptions {
  readonly incidents: IncidentService;
  readonly authenticate: preHandlerAsyncHookHandler;
  /** Reads `from`/`to` such as `now-7d`. @defaultValue systemClock */
  readonly clock?: Clock;
  /** Who an action is recorded as in the timeline. @defaultValue defaultActor */
  readonly actorOf?: (request: FastifyRequest) => string;
}

/**
 * The actor of a request's actions: `user:<username>` when authentication put a user principal on the
 * request (`request.principal`), else `user:admin` for the whole-tree scope (today only the
 * bootstrap admin token grants it), else `api`.
 */
export function defaultActor(request: FastifyRequest): string {
  const principal: unknown = request.principal;
  if (typeof principal === 'string' && principal !== '') return `user:${principal}`;
  if (principal && typeof principal === 'object') {
    const named = principal as { username?: unknown; name?: unknown };
    if (typeof named.username === 'string') return `user:${named.username}`;
    if (typeof named.name === 'string') return `user:${named.name}`;
  }
  if (request.scope?.kind === 'all') return 'user:admin';
  return 'api';
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export const incidentJson = (i: Incident) => ({
  id: i.id, rule_id: i.ruleId, rule_version: i.ruleVersion, title: i.title, severity: i.severity, category: i.category,
  status: i.status, resolution: i.resolution, assignee: i.assignee, locality: i.locality, province: i.province,
  escalation_level: i.escalationLevel, count: i.count, first_seen: iso(i.firstSeen), last_seen: iso(i.lastSeen),
  ack_due: isoOrNull(i.ackDue), group: i.group, evidence: { query: i.evidence.query, sample_event_ids: i.evidence.sampleEventIds },
  parent_id: i.parentId, resolved_at: isoOrNull(i.resolvedAt), version: i.version,
});

/** Keys of timeline from/to objects that hold epoch ms: shown as ISO times like the incident's. */
const TIME_KEYS = new Set(['lastSeen', 'firstSeen', 'resolvedAt', 'ackDue']);
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A timeline from/to value with snake_case keys and times as ISO strings. */
function jsonValue(v: JsonValue): JsonValue {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return (v as readonly JsonValue[]).map(jsonValue);
  const out: Record<string, JsonValue> = {};
  for (const [k, x] of Object.entries(v as { readonly [key: string]: JsonValue })) {
    out[snake(k)] = TIME_KEYS.has(k) && typeof x === 'number' && Number.isFinite(x) ? iso(x) : jsonValue(x);
  }
  return out;
}

export const timelineJson = (e: TimelineEntry) => ({
  seq: e.seq, at: iso(e.at), actor: e.actor, action: e.action, from: jsonValue(e.from), to: jsonValue(e.to), note: e.note,
});

const nullableString = { type: ['string', 'null'] } as const;
const incidentProps = {
  id: { type: 'string' }, rule_id: { type: 'string' }, rule_version: { type: 'string' }, title: { type: 'string' },
  severity: { type: 'string', enum: SEVERITIES }, category: { type: 'string' }, status: { type: 'string', enum: INCIDENT_STATUSES },
  resolution: { type: ['string', 'null'], enum: [...RESOLUTIONS, null] }, assignee: nullableString, locality: { type: 'string' },
  province: nullableString, escalation_level: { type: 'integer' }, count: { type: 'integer' },
  first_seen: { type: 'string', format: 'date-time' }, last_seen: { type: 'string', format: 'date-time' }, ack_due: nullableString,
  group: { type: 'object', additionalProperties: true, description: 'Group values of the hits, keyed by field' },
  evidence: { type: 'object', properties: { query: { type: 'string' }, sample_event_ids: { type: 'array', items: { type: 'string' } } } },
  parent_id: nullableString, resolved_at: nullableString, version: { type: 'integer' },
} as const;
const incidentSchema = { type: 'object', properties: incidentProps } as const;
const timelineSchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' }, at: { type: 'string', format: 'date-time' }, actor: { type: 'string' }, action: { type: 'string' },
    from: { description: 'Value before the change (any JSON)' }, to: { description: 'Value after the change (any JSON)' }, note: nullableString,
  },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const version = { type: 'integer', minimum: 1, description: 'The version of the incident you read; a stale one answers 409' } as const;
const noteProp = { type: 'string', maxLength: 10000 } as const;
const actionResponse = { 200: incidentSchema } as const;

interface ListQuery {
  status?: string; severity?: string; locality?: string; rule?: string; category?: string; parent?: string;
  from?: string; to?: string; sort?: string; direction?: string; size?: number; cursor?: string;
}

/** /api/v1/incidents: list, read (with the timeline) and act on incidents in the caller's scope. */
export const incidentRoutes: FastifyPluginAsync<IncidentRoutesOptions> = async (app, { incidents, authenticate, clock = systemClock, actorOf = defaultActor }) => {
  app.addHook('preHandler', authenticate);

  app.get<{ Querystring: ListQuery }>('/incidents', {
    schema: {
      tags: ['incidents'], summary: 'List incidents in scope (default: newest last_seen first)',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          status: { type: 'string', maxLength: 200, description: `Comma-separated: ${INCIDENT_STATUSES.join(', ')}` },
          severity: { type: 'string', maxLength: 200, description: `Comma-separated: ${SEVERITIES.join(', ')}` },
          locality: { type: 'string', maxLength: 32, description: 'A locality code, with its subtree' },
          rule: { type: 'string', maxLength: 64, description: 'A rule id' },
          category: { type: 'string', maxLength: 64, description: 'An RSIT category' },
          parent: { type: 'string', maxLength: 64, description: 'The id of a roll-up parent: the incidents rolled up into it' },
          from: { type: 'string', maxLength: 64, description: 'last_seen >= from (ISO 8601, epoch ms, now or now-<duration>)' },
          to: { type: 'string', maxLength: 64, description: 'last_seen < to' },
          sort: { type: 'string', description: INCIDENT_SORTS.join(', ') + ' (default last_seen)' },
          direction: { type: 'string', description: 'asc or desc (default desc)' },
          size: { type: 'integer', minimum: 1, maximum: MAX_INCIDENT_PAGE_SIZE, default: DEFAULT_INCIDENT_PAGE_SIZE },
          cursor: { type: 'string', maxLength: 1024, description: 'next_cursor of the previous page (same sort and direction)' },
        },
      },
      response: { 200: { type: 'object', properties: { incidents: { type: 'array', items: incidentSchema }, next_cursor: nullableString } } },
    },
  }, async (req) => {
    const page = await incidents.list(listQuery(req.query, clock.now()), req.scope);
    return { incidents: page.incidents.map(incidentJson), next_cursor: page.nextCursor };
  });

  app.get<{ Params: { id: string } }>('/incidents/:id', {
    schema: {
      tags: ['incidents'], summary: 'One incident with its timeline (oldest first)', params: idParams,
      response: { 200: { type: 'object', properties: { ...incidentProps, timeline: { type: 'array', items: timelineSchema } } } },
    },
  }, async (req) => {
    const incident = await incidents.get(req.params.id, req.scope);
    const timeline = await incidents.timeline(req.params.id, req.scope);
    return { ...incidentJson(incident), timeline: timeline.map(timelineJson) };
  });

  app.post<{ Params: { id: string }; Body: { version: number } }>('/incidents/:id/ack', {
    schema: {
      tags: ['incidents'], summary: 'Acknowledge an open incident', params: idParams,
      body: { type: 'object', required: ['version'], additionalProperties: false, properties: { version } },
      response: actionResponse,
    },
  }, async (req) => incidentJson(await incidents.acknowledge(req.params.id, req.body.version, actorOf(req), req.scope)));

  app.post<{ Params: { id: string }; Body: { version: number; assignee: string | null } }>('/incidents/:id/assign', {
    schema: {
      tags: ['incidents'], summary: 'Set (or with null clear) the assignee of an active incident', params: idParams,
      body: { type: 'object', required: ['version', 'assignee'], additionalProperties: false, properties: { version, assignee: { type: ['string', 'null'], maxLength: 200 } } },
      response: actionResponse,
    },
  }, async (req) => incidentJson(await incidents.assign(req.params.id, req.body.version, actorOf(req), req.scope, { assignee: req.body.assignee })));

  app.post<{ Params: { id: string }; Body: { text: string } }>('/incidents/:id/comment', {
    schema: {
      tags: ['incidents'], summary: 'Add a comment to the timeline (any status; no version needed)', params: idParams,
      body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string' } } },
      response: actionResponse,
    },
  }, async (req) => incidentJson(await incidents.comment(req.params.id, actorOf(req), req.scope, req.body.text)));

  app.post<{ Params: { id: string }; Body: { version: number; resolution: string; note?: string } }>('/incidents/:id/resolve', {
    schema: {
      tags: ['incidents'], summary: 'Resolve an active incident', params: idParams,
      body: {
        type: 'object', required: ['version', 'resolution'], additionalProperties: false,
        // No enum here: the service's error lists the allowed resolutions.
        properties: { version, resolution: { type: 'string', description: RESOLUTIONS.join(', ') }, note: noteProp },
      },
      response: actionResponse,
    },
  }, async (req) => {
    const { version: v, resolution, note } = req.body;
    return incidentJson(await incidents.resolve(req.params.id, v, actorOf(req), req.scope, { resolution: resolution as Resolution, ...(note !== undefined ? { note } : {}) }));
  });

  app.post<{ Params: { id: string }; Body: { version: number; note?: string } }>('/incidents/:id/reopen', {
    schema: {
      tags: ['incidents'], summary: 'Reopen a resolved incident', params: idParams,
      body: { type: 'object', required: ['version'], additionalProperties: false, properties: { version, note: noteProp } },
      response: actionResponse,
    },
  }, async (req) => {
    const { version: v, note } = req.body;
    return incidentJson(await incidents.reopen(req.params.id, v, actorOf(req), req.scope, note !== undefined ? { note } : {}));
  });

  app.post<{ Params: { id: string }; Body: { version: number; to_level?: number } }>('/incidents/:id/escalate', {
    schema: {
      tags: ['incidents'], summary: 'Raise the escalation level of an active incident (default: one up)', params: idParams,
      body: { type: 'object', required: ['version'], additionalProperties: false, properties: { version, to_level: { type: 'integer', minimum: 1, maximum: 100 } } },
      response: actionResponse,
    },
  }, async (req) => {
    const { version: v, to_level: toLevel } = req.body;
    return incidentJson(await incidents.escalate(req.params.id, v, actorOf(req), req.scope, toLevel !== undefined ? { toLevel } : {}));
  });
};

/** The store query of GET /incidents; throws `invalid` naming the parameter (and listing allowed values). */
export function listQuery(q: ListQuery, now: number): IncidentQuery {
  const status = commaList<IncidentStatus>('status', q.status, INCIDENT_STATUSES);
  const severity = commaList<Severity>('severity', q.severity, SEVERITIES);
  const sort = q.sort === undefined ? undefined : commaList<IncidentSort>('sort', q.sort, INCIDENT_SORTS, true)?.[0];
  const direction = q.direction === undefined ? undefined : commaList<SortDirection>('direction', q.direction, ['asc', 'desc'], true)?.[0];
  return {
    ...(status ? { status } : {}),
    ...(severity ? { severity } : {}),
    ...(q.locality ? { locality: q.locality } : {}),
    ...(q.rule ? { ruleId: q.rule } : {}),
    ...(q.category ? { category: q.category } : {}),
    ...(q.parent ? { parentId: q.parent } : {}),
    ...(q.from !== undefined ? { from: parseTime(q.from, 'from', now) } : {}),
    ...(q.to !== undefined ? { to: parseTime(q.to, 'to', now) } : {}),
    ...(sort ? { sort } : {}),
    ...(direction ? { direction } : {}),
    size: q.size ?? DEFAULT_INCIDENT_PAGE_SIZE,
    ...(q.cursor ? { cursor: q.cursor } : {}),
  };
}

/** The values of a comma-separated parameter (undefined when empty); each must be allowed. */
function commaList<T extends string>(field: string, text: string | undefined, allowed: readonly T[], single = false): T[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map((v) => v.trim()).filter((v) => v !== '');
  const bad = values.find((v) => !(allowed as readonly string[]).includes(v));
  if (bad !== undefined || (single && values.length !== 1)) {
    throw errors.invalidRequest(`${field} must be ${single ? 'one' : 'a comma-separated list'} of: ${allowed.join(', ')}${bad !== undefined ? `; got "${bad}"` : ''}`, { field, value: bad ?? text, allowed });
  }
  return values.length > 0 ? (values as T[]) : undefined;
}
