import { AppError, ErrorDetails } from './app-error';

/**
 * The table of every error code Canh answers with. One function per code keeps messages uniform;
 * docs/errors.md lists them for users.
 */
export const errors = {
  invalidConfig: (problems: string[]) =>
    new AppError('CANH_CONFIG_INVALID', 'invalid', `Invalid configuration:\n  - ${problems.join('\n  - ')}`, { problems }),
  invalidRequest: (message: string, details?: ErrorDetails) =>
    new AppError('CANH_REQUEST_INVALID', 'invalid', message, details),
  invalidQuery: (message: string, position: number) =>
    new AppError('CANH_QUERY_INVALID', 'invalid', `${message} (at position ${position})`, { position }),
  emptyBody: () => new AppError('CANH_INGEST_EMPTY_BODY', 'invalid', 'The request body is empty: send at least one line'),
  bodyTooLarge: (limit: number) =>
    new AppError('CANH_INGEST_TOO_LARGE', 'too_large', `The request body exceeds the limit of ${limit} bytes (after decompression); split it into smaller batches`, { limit }),
  unsupportedMediaType: (type: string, accepted: string[]) =>
    new AppError('CANH_INGEST_UNSUPPORTED_MEDIA_TYPE', 'unsupported', `Content-Type "${type}" is not accepted; use one of: ${accepted.join(', ')}`, { accepted }),
  unsupportedEncoding: (encoding: string) =>
    new AppError('CANH_INGEST_UNSUPPORTED_ENCODING', 'unsupported', `Content-Encoding "${encoding}" is not accepted; use gzip or none`),
  missingCredentials: (expected: string) =>
    new AppError('CANH_AUTH_MISSING', 'unauthenticated', `Missing credentials: send ${expected}`),
  unknownKey: () => new AppError('CANH_AUTH_UNKNOWN_KEY', 'unauthenticated', 'Unknown or revoked API key'),
  badAdminToken: () => new AppError('CANH_AUTH_BAD_TOKEN', 'unauthenticated', 'Invalid bearer token'),
  sourceDisabled: (id: string) => new AppError('CANH_INGEST_SOURCE_DISABLED', 'forbidden', `Source ${id} is disabled`),
  notFound: (what: string, id: string) => new AppError('CANH_NOT_FOUND', 'not_found', `${what} ${id} not found`, { what, id }),
  conflict: (message: string, details?: ErrorDetails) => new AppError('CANH_CONFLICT', 'conflict', message, details),
  queueUnavailable: (cause: unknown) =>
    new AppError('CANH_QUEUE_UNAVAILABLE', 'unavailable', 'The ingest queue is unavailable; nothing was accepted, retry later', undefined, { cause }),
  /** 429 with Retry-After (the handler reads `retry_after_seconds`). */
  rateLimited: (code: string, message: string, retryAfterSeconds: number) =>
    new AppError(code, 'rate_limited', message, { retry_after_seconds: Math.max(1, Math.ceil(retryAfterSeconds)) }),
  storeUnavailable: (cause: unknown) =>
    new AppError('CANH_STORE_UNAVAILABLE', 'unavailable', 'The event store is unavailable', undefined, { cause }),
} as const;
