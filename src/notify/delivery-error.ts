import { AppError, type ErrorDetails } from '../errors';

/**
 * A delivery that failed. Permanent failures (an SMTP 5xx reply, an invalid address, a webhook 4xx)
 * have kind `invalid`, so the worker factory stops them at once (UnrecoverableError); transient ones
 * (connection refused, timeouts, SMTP 4xx, webhook 5xx/408/429) have kind `unavailable` and are
 * retried with the job's backoff.
 */
export class DeliveryError extends AppError {
  constructor(
    readonly permanent: boolean,
    message: string,
    details?: ErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(permanent ? 'CANH_NOTIFY_REJECTED' : 'CANH_NOTIFY_UNAVAILABLE', permanent ? 'invalid' : 'unavailable', message, details, options);
    this.name = 'DeliveryError';
  }
}

/** A delivery that will fail again however often it is retried. */
export const permanentFailure = (message: string, details?: ErrorDetails, cause?: unknown): DeliveryError =>
  new DeliveryError(true, message, details, { cause });

/** A delivery that may succeed later. */
export const transientFailure = (message: string, details?: ErrorDetails, cause?: unknown): DeliveryError =>
  new DeliveryError(false, message, details, { cause });
