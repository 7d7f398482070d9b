import type { FastifyError } from 'fastify';
import { AppError, coerceError, errors } from '../../errors';

/**
 * Errors of the Elasticsearch-compatible routes, in Elasticsearch's shape, because shippers and
 * Elasticsearch clients parse them (`error.type`, `error.reason`, `status`):
 * `{"error":{"root_cause":[{"type":..,"reason":..}],"type":..,"reason":..},"status":N}`.
 * This is the translation point for these routes; the rest of the API answers in Canh's own shape.
 */

export interface EsErrorBody {
  readonly error: {
    readonly root_cause: ReadonlyArray<Record<string, unknown>>;
    readonly type: string;
    readonly reason: string;
    readonly [extra: string]: unknown;
  };
  readonly status: number;
}

export interface EsErrorReply {
  readonly status: number;
  readonly body: EsErrorBody;
  readonly headers: Readonly<Record<string, string | string[]>>;
}

/** The challenges of a 401, as Elasticsearch sends them (one header per scheme). */
export const WWW_AUTHENTICATE: readonly string[] = ['Basic realm="canh", charset="UTF-8"', 'ApiKey'];

/** `{"error":{"root_cause":[cause],...cause},"status":status}`. */
export function esErrorBody(status: number, type: string, reason: string, extra: Record<string, unknown> = {}): EsErrorBody {
  const cause = { type, reason, ...extra };
  return { error: { root_cause: [cause], ...cause }, status };
}

/** Elasticsearch's answer to a `_bulk` with no action in it. */
export function noRequestsError(): AppError {
  return errors.invalidRequest('Validation Failed: 1: no requests added;', { type: 'action_request_validation_exception' });
}

const UNAUTHENTICATED_REASON = 'unable to authenticate with provided credentials and anonymous access is not allowed for this request';

/** Anything thrown while serving an Elasticsearch-compatible route, as Elasticsearch would answer it. */
export function toEsError(err: unknown, url: string, requestId: string, bodyLimit: number): EsErrorReply {
  const app = err instanceof AppError ? err : fromFastify(err as FastifyError, bodyLimit);
  switch (app.kind) {
    case 'unauthenticated': {
      const header = { 'WWW-Authenticate': WWW_AUTHENTICATE };
      const reason = app.code === 'CANH_AUTH_MISSING' ? `missing authentication credentials for REST request [${url}]` : UNAUTHENTICATED_REASON;
      const extra = app.code === 'CANH_AUTH_MISSING' ? { header } : { additional_unsuccessful_credentials: app.message, header };
      return { status: 401, body: esErrorBody(401, 'security_exception', reason, extra), headers: { 'www-authenticate': [...WWW_AUTHENTICATE] } };
    }
    case 'forbidden':
      return plain(403, 'security_exception', app.message);
    case 'invalid':
      return plain(400, typeof app.details?.type === 'string' ? app.details.type : 'illegal_argument_exception', app.message);
    case 'too_large':
      return plain(413, 'content_too_long_exception', app.message);
    case 'unsupported':
      return plain(415, 'illegal_argument_exception', app.message);
    case 'unavailable':
      return plain(503, 'unavailable_shards_exception', app.message);
    case 'not_found':
      return plain(404, 'resource_not_found_exception', app.message);
    case 'conflict':
      return plain(409, 'version_conflict_engine_exception', app.message);
    case 'rate_limited': {
      // Shippers (Filebeat, Vector, Logstash) back off and retry on 429.
      const retry = app.details?.retry_after_seconds;
      return { status: 429, body: esErrorBody(429, 'es_rejected_execution_exception', app.message), headers: typeof retry === 'number' ? { 'retry-after': String(retry) } : {} };
    }
    default:
      return plain(500, 'exception', `An internal error occurred; it has been logged with request id ${requestId}`);
  }
}

function plain(status: number, type: string, reason: string): EsErrorReply {
  return { status, body: esErrorBody(status, type, reason), headers: {} };
}

/** Fastify's own errors (body limit, validation, parsing) as Canh errors. */
function fromFastify(err: FastifyError, bodyLimit: number): AppError {
  if (err?.validation) return errors.invalidRequest(err.message);
  if (err?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return errors.bodyTooLarge(bodyLimit);
  const status = typeof err?.statusCode === 'number' ? err.statusCode : 500;
  if (status === 413) return errors.bodyTooLarge(bodyLimit);
  if (status >= 400 && status < 500) return errors.invalidRequest(err.message);
  return coerceError(err);
}
