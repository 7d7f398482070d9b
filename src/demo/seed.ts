import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DemoApiError, type DemoApi } from './demo-api';
import { COMMUNES, LOCALITIES, USERS, localityCsv, localityName } from './demo-data';
import type { LocalServices } from './local-services';
import { duration, type DemoTimings } from './timings';

export type SourceKind = 'access' | 'otp' | 'probe';

/** A source the demo ships to: its id and key (the key is shown by Canh only once: kept in demo-seed.json). */
export interface SeededSource {
  readonly id: string;
  readonly key: string;
}

export interface Seeded {
  /** By commune code, by kind. */
  readonly sources: Readonly<Record<string, Readonly<Record<SourceKind, SeededSource>>>>;
  /** Monitor id by commune code. */
  readonly monitors: Readonly<Record<string, string>>;
}

const SEED_FILE = 'demo-seed.json';

/** Monitor id of a commune's portal. */
export const monitorId = (code: string) => `dvc-${code}`;

/**
 * Fills an empty Canh through its API: the locality tree (CSV import), contacts (webhooks to the
 * demo's local server, emails when SMTP_URL is set), sources per commune, users of every role and
 * one monitor per commune portal. Idempotent over a kept data dir (`--keep`): what exists is kept,
 * the source keys come back from `<dataDir>/demo-seed.json`, contacts and monitors are rewritten
 * (the local server's port changes at each start).
 */
export async function seed(api: DemoApi, local: LocalServices, dataDir: string, t: DemoTimings, withEmail: boolean): Promise<Seeded> {
  const existing = await api.request<{ localities: { code: string }[] }>('GET', '/api/v1/localities');
  if (existing.localities.length === 0) await api.request('POST', '/api/v1/localities/import', localityCsv());
  for (const l of LOCALITIES) await api.request('PUT', `/api/v1/localities/${l.code}/contacts`, { contacts: contactsOf(l.code, local, withEmail) });
  const sources = await seedSources(api, dataDir);
  for (const u of USERS) {
    await ignoreConflict(api.request('POST', '/api/v1/users', { username: u.username, password: u.password, role: u.role, locality: u.locality, display_name: u.displayName }));
  }
  const monitors: Record<string, string> = {};
  for (const c of COMMUNES) {
    const id = monitorId(c.code);
    const body = {
      id, name: `Cổng dịch vụ công ${c.name}`, locality: c.code, service: 'dvc-portal', type: 'http',
      url: local.portalUrl(c.code), interval: duration(t.probeEveryMs), timeout: duration(Math.min(t.probeEveryMs, 2000)),
    };
    try {
      await api.request('POST', '/api/v1/monitors', body);
    } catch (err) {
      if (!(err instanceof DemoApiError && err.status === 409)) throw err;
      await api.request('PUT', `/api/v1/monitors/${id}`, body);
    }
    monitors[c.code] = id;
  }
  return { sources, monitors };
}

function contactsOf(code: string, local: LocalServices, withEmail: boolean): unknown[] {
  // .test is reserved (RFC 2606): these addresses never reach anyone, whatever SMTP_URL is.
  const email = withEmail ? [{ email: `truc-ban.${code.toLowerCase()}@canh-demo.test`, language: 'vi' }] : [];
  return [...email, { webhook: local.hookUrl(code) }];
}

async function seedSources(api: DemoApi, dataDir: string): Promise<Seeded['sources']> {
  const file = join(dataDir, SEED_FILE);
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { sources: Seeded['sources'] }).sources;
  const sources: Record<string, Record<SourceKind, SeededSource>> = {};
  for (const c of COMMUNES) {
    const create = async (name: string, kind: SourceKind, format: string): Promise<SeededSource> => {
      const s = await api.request<{ id: string; api_key: string }>('POST', '/api/v1/sources', { name, locality: c.code, kind, format });
      return { id: s.id, key: s.api_key };
    };
    sources[c.code] = {
      access: await create(`Cổng dịch vụ công ${localityName(c.code)} (nginx)`, 'access', 'nginx_combined'),
      otp: await create(`Xác thực OTP ${localityName(c.code)}`, 'otp', 'json'),
      probe: await create(`Heartbeat probe-danang → ${localityName(c.code)}`, 'probe', 'json'),
    };
  }
  writeFileSync(file, JSON.stringify({ sources }, null, 2) + '\n', { mode: 0o600 });
  return sources;
}

async function ignoreConflict(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof DemoApiError && err.status === 409)) throw err;
  }
}
