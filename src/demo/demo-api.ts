/** An answer of Canh's API that was not 2xx. */
export class DemoApiError extends Error {
  constructor(readonly status: number, readonly body: unknown, what: string) {
    super(`${what} answered ${status}: ${typeof body === 'object' && body !== null && 'message' in body ? String((body as { message: unknown }).message) : JSON.stringify(body)}`);
  }
}

/**
 * What the demo knows of Canh: its public HTTP API only, like a real deployment's shippers,
 * administrators and analysts (no store or service is touched directly).
 */
export class DemoApi {
  constructor(readonly baseUrl: string, private readonly adminToken: string) {}

  /** A JSON request with a bearer token (the admin token unless another is given). */
  async request<T>(method: string, path: string, body?: unknown, token = this.adminToken): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': typeof body === 'string' ? 'text/csv' : 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) throw new DemoApiError(res.status, parsed, `${method} ${path}`);
    return parsed as T;
  }

  /** Ships lines (text/plain) or JSON documents (NDJSON) with a source key, as a shipper would. */
  async ingest(apiKey: string, lines: readonly string[], type: 'text/plain' | 'application/x-ndjson'): Promise<void> {
    if (lines.length === 0) return;
    const res = await fetch(`${this.baseUrl}/api/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `ApiKey ${apiKey}`, 'content-type': type },
      body: lines.join('\n') + '\n',
    });
    if (res.status !== 202) throw new DemoApiError(res.status, await res.json().catch(() => null), 'POST /api/v1/ingest');
    await res.arrayBuffer().catch(() => undefined);
  }

  /** Signs in as a user: a user token (12 hours). */
  async login(username: string, password: string): Promise<string> {
    const res = await fetch(`${this.baseUrl}/api/v1/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
    });
    const body = (await res.json()) as { token?: string };
    if (res.status !== 200 || !body.token) throw new DemoApiError(res.status, body, `POST /api/v1/login as ${username}`);
    return body.token;
  }
}
