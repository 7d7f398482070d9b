/**
 * The console's only way to the API: same-origin fetch with the session cookie (HttpOnly, sent by
 * the browser), the CSRF token on every change, and errors turned into ApiError.
 */
let csrfToken: string | null = null;

/** Remembers the CSRF token of the session (answered by POST and GET /api/v1/session). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

let onUnauthorized: (() => void) | null = null;

/** Called when the API answers 401 outside /session: the session expired or was revoked. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds, from Retry-After (429). */
    readonly retryAfter: number | null,
    readonly details: Record<string, unknown> | null,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | null | undefined>;

/** `path` with the non-empty query parameters. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Calls /api/v1`path`; resolves with the JSON answer (null for 204), rejects with ApiError. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method, headers, credentials: 'same-origin', cache: 'no-store', signal: init.signal,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', (err as Error).message, null, null);
  }
  if (res.status === 204) return null as T;
  // Aborted while the body was read (the caller moved on): an AbortError, never a null answer.
  const body = (await res.json().catch((err: unknown) => {
    if (init.signal?.aborted) throw err;
    return null;
  })) as Record<string, unknown> | null;
  if (res.ok && body === null) throw new ApiError(res.status, 'BAD_ANSWER', 'The server answered something that is not JSON', null, null);
  if (res.status === 401 && path !== '/session') onUnauthorized?.();
  if (!res.ok) {
    const retry = Number(res.headers.get('retry-after'));
    throw new ApiError(
      res.status, String(body?.code ?? `HTTP_${res.status}`), String(body?.message ?? res.statusText),
      Number.isFinite(retry) && retry > 0 ? retry : null, (body?.details as Record<string, unknown> | undefined) ?? null,
    );
  }
  return body as T;
}
