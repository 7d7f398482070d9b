import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createContainer, type Container } from '../../src/app/container';
import { startRoles, type Role, type Running } from '../../src/app/start';
import { loadConfig } from '../../src/config/load-config';
import { deleteQueueKeys } from './redis-cleanup';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
/** Retention long enough for the 2015 sample log (../shared/data) and fixed-date fixtures. */
export const KEEP_SAMPLES_DAYS = '36500';

export interface TestService {
  readonly container: Container;
  readonly running: Running;
  readonly url: string;
  readonly dataDir: string;
  readonly prefix: string;
  /** fetch against the service with the admin token. */
  admin(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/** A real Canh (real Redis, a real DuckDB file in a temp dir, its own queue prefix) on a free port. */
export async function startTestService(env: Record<string, string> = {}, roles: Role[] = ['api', 'ingest']): Promise<TestService> {
  const ownDir = env.CANH_DATA_DIR === undefined;
  const dataDir = env.CANH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'canh-it-'));
  const prefix = env.CANH_QUEUE_PREFIX ?? `canh-test-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', CANH_ADMIN_TOKEN: ADMIN_TOKEN, CANH_LOG_LEVEL: 'silent', CANH_RETENTION_DAYS: KEEP_SAMPLES_DAYS, ...env, CANH_DATA_DIR: dataDir, CANH_QUEUE_PREFIX: prefix });
  const container = await createContainer(config);
  const running = await startRoles(container, roles, pino({ level: 'silent' })).catch(async (err) => {
    await container.close();
    throw err;
  });
  const url = running.address ?? '';
  return {
    container, running, url, dataDir, prefix,
    async admin(path, init = {}) {
      const res = await fetch(url + path, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      return { status: res.status, body: await res.json() };
    },
    async stop() {
      await running.stop();
      await deleteQueueKeys(prefix);
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
