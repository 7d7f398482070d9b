import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How the CLI reaches a running Canh: CANH_URL (default http://127.0.0.1:$PORT) and the admin token. */
export class ApiClient {
  readonly baseUrl: string;
  private readonly token: string;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.baseUrl = (env.CANH_URL ?? `http://127.0.0.1:${env.PORT ?? '8080'}`).replace(/\/$/, '');
    this.token = env.CANH_ADMIN_TOKEN ?? readToken(env.CANH_DATA_DIR ?? './data');
  }

  /** Sends a request and returns its JSON answer; a non-2xx answer throws `status code: message`. */
  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await this.send(method, path, body, contentType);
    const text = await res.text();
    if (!res.ok) throw answerError(res.status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /**
   * Sends a JSON request asking for `application/x-ndjson` and hands each line of the answer, parsed,
   * to `onLine` as it arrives. A non-2xx answer throws as request() does.
   */
  async requestLines<T>(method: string, path: string, body: unknown, onLine: (line: T) => void): Promise<void> {
    const res = await this.send(method, path, body, 'application/json', 'application/x-ndjson');
    if (!res.ok) throw answerError(res.status, await res.text());
    if (!res.body) return;
    let pending = '';
    const decoder = new TextDecoder();
    const emit = (text: string) => {
      if (text.trim()) onLine(JSON.parse(text) as T);
    };
    for await (const chunk of res.body) {
      const lines = (pending + decoder.decode(chunk, { stream: true })).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(emit);
    }
    emit(pending + decoder.decode());
  }

  private async send(method: string, path: string, body: unknown, contentType: string, accept?: string): Promise<Response> {
    try {
      return await fetch(this.baseUrl + path, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body !== undefined ? { 'content-type': contentType } : {}),
          ...(accept ? { accept } : {}),
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    } catch (err) {
      throw new Error(`Cannot reach Canh at ${this.baseUrl} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}). Start it with \`npm start\` or set CANH_URL.`);
    }
  }
}

/** The error of a non-2xx answer: `status code: message`, and the problems listed, if any. */
function answerError(status: number, text: string): Error {
  const json = parseJson(text);
  // Problems given as text are listed; structured ones (rule errors) are already in the message.
  const texts = Array.isArray(json.details?.problems) ? (json.details.problems as unknown[]).filter((p): p is string => typeof p === 'string') : [];
  const problems = texts.length ? '\n  - ' + texts.join('\n  - ') : '';
  return new Error(`${status} ${json.code ?? ''}: ${json.message ?? text}${problems}`);
}

interface ErrorAnswer {
  readonly code?: string;
  readonly message?: string;
  readonly details?: { readonly problems?: unknown };
}

function parseJson(text: string): ErrorAnswer {
  try {
    return text ? (JSON.parse(text) as ErrorAnswer) : {};
  } catch {
    return {};
  }
}

function readToken(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  } catch {
    return '';
  }
}
