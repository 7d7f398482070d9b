import type { FastifyPluginAsync, preHandlerAsyncHookHandler } from 'fastify';
import type { DeadLetter } from '../store/event-store';
import type { EventSearchService } from './search-service';

export interface EventRoutesOptions {
  readonly search: EventSearchService;
  readonly authenticate: preHandlerAsyncHookHandler;
}

const queryProps = {
  q: { type: 'string', maxLength: 10000, description: 'Filter in the query language (docs/query-language.md)' },
  from: { type: 'string', description: 'ISO 8601, epoch ms, now or now-<duration>; default: 24 h before `to`' },
  to: { type: 'string', description: 'Exclusive; default now' },
  dataset: { type: 'string', description: 'Comma-separated: web.access, otp.auth, uptime.probe' },
  locality: { type: 'string', description: 'Comma-separated locality codes (each with its subtree)' },
} as const;

const deadLetterJson = (d: DeadLetter) => ({
  id: d.id, source_id: d.sourceId, locality: d.locality, batch_id: d.batchId, line: d.line, raw: d.raw, reason: d.reason,
  received_at: new Date(d.receivedAt).toISOString(),
});

/** /api/v1/events, /api/v1/events/histogram and /api/v1/dead-letters. */
export const eventRoutes: FastifyPluginAsync<EventRoutesOptions> = async (app, { search, authenticate }) => {
  app.addHook('preHandler', authenticate);

  app.get<{ Querystring: { q?: string; from?: string; to?: string; dataset?: string; locality?: string; size?: number; cursor?: string } }>('/events', {
    schema: {
      tags: ['events'], summary: 'Search events, newest first',
      querystring: { type: 'object', additionalProperties: false, properties: { ...queryProps, size: { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, cursor: { type: 'string', maxLength: 512 } } },
      response: { 200: { type: 'object', properties: { total: { type: 'integer' }, events: { type: 'array', items: { type: 'object', additionalProperties: true } }, next_cursor: { type: ['string', 'null'] } } } },
    },
  }, async (req) => {
    const page = await search.search(req.query, req.scope);
    return { total: page.total, events: page.events, next_cursor: page.nextCursor };
  });

  app.get<{ Querystring: { q?: string; from?: string; to?: string; dataset?: string; locality?: string; interval?: string } }>('/events/histogram', {
    schema: {
      tags: ['events'], summary: 'Event counts per time bucket',
      querystring: { type: 'object', additionalProperties: false, properties: { ...queryProps, interval: { type: 'string', description: 'e.g. 1m, 1h, 1d or auto' } } },
      response: { 200: { type: 'object', properties: { interval_ms: { type: 'integer' }, buckets: { type: 'array', items: { type: 'object', properties: { start: { type: 'string' }, count: { type: 'integer' } } } } } } },
    },
  }, async (req) => {
    const h = await search.histogram(req.query, req.scope);
    return { interval_ms: h.intervalMs, buckets: h.buckets.map((b) => ({ start: new Date(b.start).toISOString(), count: b.count })) };
  });

  app.get<{ Querystring: { source?: string; size?: number; cursor?: string } }>('/dead-letters', {
    schema: {
      tags: ['events'], summary: 'Lines that could not be parsed, with their reason, newest first',
      querystring: { type: 'object', additionalProperties: false, properties: { source: { type: 'string', maxLength: 64 }, size: { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, cursor: { type: 'string', maxLength: 512 } } },
      response: {
        200: {
          type: 'object',
          properties: {
            dead_letters: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, source_id: { type: 'string' }, locality: { type: 'string' }, batch_id: { type: 'string' }, line: { type: 'integer' }, raw: { type: 'string' }, reason: { type: 'string' }, received_at: { type: 'string' } } } },
            next_cursor: { type: ['string', 'null'] },
          },
        },
      },
    },
  }, async (req) => {
    const page = await search.deadLetters(req.query, req.scope);
    return { dead_letters: page.deadLetters.map(deadLetterJson), next_cursor: page.nextCursor };
  });
};
