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

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    } catch (err) {
      throw new Error(`Cannot reach Canh at ${this.baseUrl} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}). Start it with \`npm start\` or set CANH_URL.`);
    }
    const text = await res.text();
    const json = text ? JSON.parse(text) : {};
    if (!res.ok) {
      const problems = json.details?.problems ? '\n  - ' + (json.details.problems as string[]).join('\n  - ') : '';
      throw new Error(`${res.status} ${json.code ?? ''}: ${json.message ?? text}${problems}`);
    }
    return json as T;
  }
}

function readToken(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  } catch {
    return '';
  }
}
