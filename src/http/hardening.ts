import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, errors } from '../errors';
import { systemClock, type Clock } from '../lib/clock';
import { readCookie, SESSION_COOKIE } from './admin-auth';
import { findTooDeep } from './json-depth';
import type { RateLimiter } from './rate-limit';
import { firstInvalidUtf8 } from './utf8';

/** Default deepest nesting of a JSON request body (CANH_MAX_JSON_DEPTH). */
export const DEFAULT_MAX_JSON_DEPTH = 32;

/** Error codes of the request hardening (docs/security.md lists them). */
export const hardeningErrors = {
  tooDeep: (position: number, maxDepth: number) =>
    new AppError('CANH_REQUEST_TOO_DEEP', 'invalid', `The JSON body is nested deeper than ${maxDepth} levels (at character ${position}); flatten it`, { position, max_depth: maxDepth }),
  invalidUtf8: (offset: number) =>
    new AppError('CANH_REQUEST_INVALID_UTF8', 'invalid', `The body is not valid UTF-8 (first invalid byte at offset ${offset}); send UTF-8 text`, { offset }),
  rateLimited: (per: 'address' | 'credential', limit: number, retryAfterSeconds: number) =>
    errors.rateLimited('CANH_RATE_LIMITED', `Too many requests from this ${per === 'address' ? 'address' : 'key or token'} (limit ${limit} a minute): retry after ${retryAfterSeconds} s`, retryAfterSeconds),
} as const;

/** Headers of every answer; HSTS is added only to answers sent over TLS. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  // A JSON API now, a same-origin single-page console later: nothing from elsewhere, never framed.
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};
export const HSTS = 'max-age=31536000; includeSubDomains';

/** Routes probes and scrapers call: never rate limited, so a busy address cannot fail readiness. */
const UNLIMITED = new Set(['/healthz', '/readyz', '/metrics']);

export interface HardeningOptions {
  /** @defaultValue DEFAULT_MAX_JSON_DEPTH */
  readonly maxJsonDepth?: number;
  /** Limits per address and credential; none: no rate limits. */
  readonly rateLimiter?: RateLimiter;
  /** @defaultValue the system clock */
  readonly clock?: Clock;
}

/**
 * Registers on the root app, before any route plugin: the security headers of every answer (errors
 * and 404s included), the rate limits (an onRequest hook, before any body is read or any credential
 * is looked up) and the JSON body parser (valid UTF-8, depth checked before parsing, prototype
 * poisoning refused as Fastify does).
 */
export function registerHardening(app: FastifyInstance, options: HardeningOptions = {}): void {
  app.addHook('onSend', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
  const limiter = options.rateLimiter;
  if (limiter) {
    const clock = options.clock ?? systemClock;
    app.addHook('onRequest', async (request) => {
      if (UNLIMITED.has(request.url.split('?')[0])) return;
      const decision = await limiter.check({ address: request.ip, credential: credentialOf(request) }, clock.now());
      if (!decision.allowed) throw hardeningErrors.rateLimited(decision.per, decision.limit, decision.retryAfterSeconds);
    });
  }
  registerJsonParser(app, options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH);
}

/** The credential a request carries: its Authorization header, else the console's session cookie. */
function credentialOf(request: FastifyRequest): string | null {
  const authorization = request.headers.authorization;
  if (authorization) return authorization;
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}

/** application/json bodies: UTF-8 checked, depth checked by a linear scan, then Fastify's secure parse. */
function registerJsonParser(app: FastifyInstance, maxDepth: number): void {
  const secureParse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    const invalid = firstInvalidUtf8(bytes);
    if (invalid >= 0) return done(hardeningErrors.invalidUtf8(invalid), undefined);
    const text = bytes.toString('utf8');
    const deep = findTooDeep(text, maxDepth);
    if (deep) return done(hardeningErrors.tooDeep(deep.position, deep.maxDepth), undefined);
    secureParse(request, text, done);
  });
}
