/**
 * Canh's one error type. Domain code throws an AppError with a `kind`; the HTTP layer maps kind to a
 * status code (src/http/error-handler.ts) and the queue layer maps kind to retry or give up.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface ErrorDetails {
  /** Where the problem is: a query position, a line number, a field name, ... */
  readonly [key: string]: unknown;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly details?: ErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** Turns anything thrown into an AppError; unknown errors become `internal`. */
export function coerceError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('CANH_INTERNAL', 'internal', message, undefined, { cause: err });
}
