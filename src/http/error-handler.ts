import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, coerceError, errors, type ErrorKind } from '../errors';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

const REASON: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** The body of every error answer. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly error: string;
  readonly message: string;
  readonly requestId: string;
  readonly details?: unknown;
}

/** Turns Fastify's own errors (body parsing, validation, limits) into Canh's codes. */
function fromFastify(err: FastifyError, bodyLimit: number): AppError | null {
  if (err.validation) return errors.invalidRequest(`${err.validationContext ?? 'request'}${err.message.replace(/^(body|querystring|params|headers)/, '')}`, { where: err.validationContext });
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.bodyTooLarge(bodyLimit);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.emptyBody();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedMediaType(String(err.message.split(': ')[1] ?? 'unknown'), ['text/plain', 'application/x-ndjson', 'application/json']);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.invalidRequest(`The body is not valid JSON: ${err.message}`);
  }
  if (err instanceof SyntaxError || err.statusCode === 400) return errors.invalidRequest(err.message);
  return null;
}

/**
 * The one HTTP translation point: AppError kind → status; 500s never show their details.
 */
export function makeErrorHandler(bodyLimit: number) {
  return function errorHandler(this: unknown, err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const app = err instanceof AppError ? err : (fromFastify(err, bodyLimit) ?? coerceError(err));
    const statusCode = STATUS[app.kind];
    if (statusCode >= 500) request.log.error({ err, code: app.code }, 'request failed');
    const internal = statusCode === 500;
    const retryAfter = (app.details as { retry_after_seconds?: unknown } | undefined)?.retry_after_seconds;
    if (statusCode === 429 && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    const body: ErrorBody = {
      statusCode,
      code: app.code,
      error: REASON[statusCode] ?? 'Error',
      message: internal ? 'An internal error occurred; it has been logged with this request id' : app.message,
      requestId: request.id,
      ...(app.details && !internal ? { details: app.details } : {}),
    };
    return reply.status(statusCode).type('application/json').send(body);
  };
}

/** The 404 answer of unknown routes, in the same shape. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(404).send({
    statusCode: 404,
    code: 'CANH_ROUTE_NOT_FOUND',
    error: 'Not Found',
    message: `No route ${request.method} ${request.url.split('?')[0]}`,
    requestId: request.id,
  } satisfies ErrorBody);
}
