import { errors as esErrors } from '@elastic/elasticsearch';
import { AppError, coerceError, errors } from '../../errors';

/**
 * The one translation of Elasticsearch client errors into AppError kinds, for every Elasticsearch
 * adapter: the node cannot be reached, timed out, or answered 429/5xx (or anything a retry may fix)
 * → `unavailable`; 400 → `invalid` with Elasticsearch's reason; 409 (a version conflict or an
 * existing `_id` on `create`) → `conflict`, the error the other adapters throw (callers with more
 * context pass their own, e.g. incident-store.ts versionConflict).
 */

export interface EsErrorContext {
  /** What was being done, for messages: "searching events", "writing batch b1". */
  readonly what: string;
  /** The conflict error of a 409; default: CANH_CONFLICT with Elasticsearch's reason. */
  readonly conflict?: (reason: string) => AppError;
}

/** `type: reason` of an Elasticsearch error body (`{ error: { type, reason } }`), or a fallback. */
export function errorReason(body: unknown, fallback: string): string {
  const error = body !== null && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  if (typeof error === 'string') return error;
  if (error === null || typeof error !== 'object') return fallback;
  const { type, reason, root_cause: rootCause } = error as { type?: unknown; reason?: unknown; root_cause?: unknown };
  // A search refused on every shard says why in its first root cause; the top reason is generic.
  const root = Array.isArray(rootCause) && rootCause.length > 0 ? (rootCause[0] as { type?: unknown; reason?: unknown }) : undefined;
  const pick = root && typeof root.reason === 'string' && type === 'search_phase_execution_exception' ? root : { type, reason };
  return `${String(pick.type ?? 'error')}: ${String(pick.reason ?? 'no reason given')}`;
}

/** An `unavailable` error whose cause says what failed and why. */
export function unavailable(what: string, why: string, cause?: unknown): AppError {
  return errors.storeUnavailable(new Error(`Elasticsearch failed ${what}: ${why}`, cause === undefined ? undefined : { cause }));
}

/** The AppError of anything an Elasticsearch call threw (AppErrors pass through unchanged). */
export function fromEsError(err: unknown, context: EsErrorContext): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof esErrors.ResponseError) {
    const status = err.statusCode ?? 0;
    const reason = errorReason(err.body, err.message);
    if (status === 400) return errors.invalidRequest(`Elasticsearch refused ${context.what}: ${reason}`, { reason });
    if (status === 409) return context.conflict ? context.conflict(reason) : errors.conflict(`Conflict while ${context.what}: ${reason}`, { reason });
    return unavailable(context.what, `HTTP ${status}: ${reason}`, err);
  }
  // Connection refused, timeouts, aborted requests, a node that is not Elasticsearch, unreadable answers.
  if (err instanceof esErrors.ElasticsearchClientError) return unavailable(context.what, `${err.name}: ${err.message}`, err);
  return coerceError(err);
}

/** Runs one Elasticsearch call, translating what it throws. */
export async function esCall<T>(what: string, call: () => Promise<T>, conflict?: EsErrorContext['conflict']): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw fromEsError(err, { what, conflict });
  }
}
