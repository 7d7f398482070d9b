import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleFiles } from '../../src/rules/load-rules';
import type { Rule } from '../../src/rules/rule';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

jest.setTimeout(90_000);

/** The shipped rule, and its copy with seconds instead of hours (only id, window, every and delay differ). */
const SHIPPED_FILE = join(__dirname, '../../rules/web.yaml');
const SHIPPED_ID = 'web-source-silent';
const FAST_DIR = join(__dirname, '../fixtures/silent-source');
const FAST_ID = 'web-source-silent-fast';

/** Everything that makes the rule's logic: the whole loaded rule but its name, timing and place. */
function logicOf(rule: Rule) {
  const { id: _id, version: _version, windowMs: _w, everyMs: _e, delayMs: _d, origin: _o, ...logic } = rule;
  return logic;
}

async function loadOne(path: string, id: string): Promise<Rule> {
  const { rules, errors } = await loadRuleFiles([path]);
  expect(errors).toEqual([]);
  const rule = rules.find((r) => r.id === id);
  if (!rule) throw new Error(`rule ${id} not found in ${path}`);
  return rule;
}

describe('the fast test copy of web-source-silent', () => {
  it('has the shipped rule\'s condition, grouping, severity, suppression and auto_resolve; only its timing is shorter', async () => {
    const shipped = await loadOne(SHIPPED_FILE, SHIPPED_ID);
    const fast = await loadOne(FAST_DIR, FAST_ID);
    expect(logicOf(fast)).toEqual(logicOf(shipped));
    expect(shipped).toMatchObject({
      dataset: 'web.access', condition: { type: 'absence', fewerThan: 1, lookbackMs: 86_400_000 },
      groupBy: ['organization.id', 'canh.source_id'], severity: 'medium', autoResolveAfter: 3,
      windowMs: 3_600_000, everyMs: 300_000, delayMs: 120_000,
    });
    expect(fast).toMatchObject({ windowMs: 5_000, everyMs: 1_000, delayMs: 2_000 });
  });
});

/** An nginx combined line stamped `at` (second precision, as nginx writes it). */
function line(i: number, at: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  const t = `${p(at.getUTCDate())}/${months[at.getUTCMonth()]}/${at.getUTCFullYear()}:${p(at.getUTCHours())}:${p(at.getUTCMinutes())}:${p(at.getUTCSeconds())} +0000`;
  return `203.0.113.${i % 250} - - [${t}] "GET /dvc/thu-tuc?id=${i} HTTP/1.1" 200 512 "-" "Mozilla/5.0"`;
}

const PASSWORD = 'mật-khẩu-đủ-dài-2026';
const PROVINCE = '48';
const COMMUNE = '20194';

describe('a silent access log source raises an incident of the absence rule, resolved when it sends again (real Redis, real DuckDB)', () => {
  let svc: TestService;
  let dataDir: string;
  let fast: Rule;
  let token: string;
  let silent: { id: string; name: string; api_key: string };
  let active: { id: string; name: string; api_key: string };
  let incidentId: string;
  const senders: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    fast = await loadOne(FAST_DIR, FAST_ID);
    dataDir = mkdtempSync(join(tmpdir(), 'canh-silent-'));
    // startTestService gives the service its own queue prefix; stop() deletes the Redis keys under it.
    svc = await startTestService({ CANH_RULES_DIR: FAST_DIR, CANH_DATA_DIR: dataDir }, ['api', 'ingest', 'rules', 'incidents']);
    expect((await svc.admin('/api/v1/localities', { body: { code: PROVINCE, name: 'Đà Nẵng', level: 'province' } })).status).toBe(201);
    expect((await svc.admin('/api/v1/localities', { body: { code: COMMUNE, name: 'Phường Hải Châu', level: 'commune', parent_code: PROVINCE } })).status).toBe(201);
    expect((await svc.admin('/api/v1/users', { body: { username: 'lan.tran', password: PASSWORD, display_name: 'Trần Thị Lan', role: 'locality_admin', locality: COMMUNE } })).status).toBe(201);
    const res = await fetch(`${svc.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'lan.tran', password: PASSWORD }) });
    expect(res.status).toBe(200);
    token = ((await res.json()) as { token: string }).token;
  });
  afterAll(async () => {
    for (const s of senders) await s.stop().catch(() => undefined);
    await svc?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The API as the commune's locality admin sees it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const api = async (path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(svc.url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const send = async (key: string, lines: string[]) => {
    const res = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${key}`, 'content-type': 'text/plain' }, body: lines.join('\n') + '\n' });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  };
  /** A shipper that sends one line stamped now every 300 ms until stopped; stop() fails if a send failed. */
  const keepSending = (key: string) => {
    let on = true;
    let failure: unknown = null;
    const done = (async () => {
      for (let i = 0; on; i++) {
        await send(key, [line(i, new Date())]).catch((err) => {
          failure = err;
          on = false;
        });
        if (on) await new Promise((r) => setTimeout(r, 300));
      }
    })();
    const sender = {
      async stop() {
        on = false;
        await done;
        if (failure) throw failure;
      },
    };
    senders.push(sender);
    return sender;
  };
  const status = async (id: string) => (await api(`/api/v1/sources/${id}`)).body;
  const incidentsOfRule = async () => (await api(`/api/v1/incidents?rule=${FAST_ID}`)).body.incidents as any[];
  const ofSource = (list: any[], id: string) => list.filter((i) => i.group?.['canh.source_id'] === id);

  let activeSender: { stop(): Promise<void> };
  let lastSilentLine: number;

  it('onboards two sources of the commune; both are receiving', async () => {
    const create = async (name: string) => {
      const res = await api('/api/v1/sources', { name, locality: COMMUNE, kind: 'access', format: 'nginx_combined' });
      expect(res.status).toBe(201);
      return res.body as { id: string; name: string; api_key: string };
    };
    silent = await create('Cổng dịch vụ công Hải Châu');
    active = await create('Cổng thông tin Hải Châu');

    // The active source sends first, so every window that can find the silent one gone also has the
    // active one in its lookback: the rule has to tell them apart, not just not know the active one yet.
    activeSender = keepSending(active.api_key);
    await waitFor('the active source to be receiving', async () => ((await status(active.id)).status === 'receiving' ? true : undefined), 20_000, 100);

    const at = new Date();
    await send(silent.api_key, [line(1, at), line(2, at), line(3, at)]);
    lastSilentLine = Math.floor(at.getTime() / 1000) * 1000;
    const s = await waitFor('the silent source to be receiving', async () => {
      const body = await status(silent.id);
      return body.status === 'receiving' && body.events === 3 ? body : undefined;
    }, 20_000, 100);
    expect(s).toMatchObject({ id: silent.id, locality: COMMUNE, status: 'receiving', events: 3, parse_rate: 1 });
    expect(await incidentsOfRule()).toEqual([]);
  });

  it('opens an incident of the absence rule for the source that stopped sending, and none for the one still sending', async () => {
    const open = await waitFor('an open incident for the silent source', async () => {
      const [mine] = ofSource(await incidentsOfRule(), silent.id);
      return mine?.status === 'open' ? mine : undefined;
    }, 40_000, 200);
    incidentId = open.id;
    expect(open).toMatchObject({
      rule_id: FAST_ID, rule_version: fast.version, title: fast.title, severity: 'medium', category: 'availability',
      locality: COMMUNE, province: PROVINCE, count: 1,
      group: { 'organization.id': COMMUNE, 'canh.source_id': silent.id },
    });
    // The window that fired holds none of the silent source's lines: they are all before it.
    expect(Date.parse(open.first_seen) - fast.windowMs).toBeGreaterThan(lastSilentLine);
    // The group names the source: the locality admin finds it by that id.
    expect(await status(open.group['canh.source_id'])).toMatchObject({ id: silent.id, name: 'Cổng dịch vụ công Hải Châu' });
    const detail = (await api(`/api/v1/incidents/${open.id}`)).body;
    expect(detail.timeline.map((e: { action: string }) => e.action)).toContain('created');

    const all = await incidentsOfRule();
    expect(ofSource(all, active.id)).toEqual([]);
    expect(all.map((i) => i.id)).toEqual([open.id]);
  });

  it('resolves the incident by itself after the rule\'s auto_resolve count of clear evaluations once the source sends again', async () => {
    const resumedAt = Date.now();
    const silentSender = keepSending(silent.api_key);
    const resolved = await waitFor('the incident to resolve itself', async () => {
      const detail = (await api(`/api/v1/incidents/${incidentId}`)).body;
      return detail.status === 'resolved' ? detail : undefined;
    }, 40_000, 200);
    await silentSender.stop();
    await activeSender.stop();

    expect(resolved).toMatchObject({ id: incidentId, status: 'resolved', resolution: null });
    expect(Date.parse(resolved.resolved_at)).toBeGreaterThan(resumedAt);
    const last = resolved.timeline[resolved.timeline.length - 1];
    expect(last).toMatchObject({
      action: 'auto_resolved', actor: `rule:${FAST_ID}`, note: `condition clear for ${fast.autoResolveAfter} consecutive evaluations`,
    });
    // Still one incident of the rule: the source that never stopped has none.
    const all = await incidentsOfRule();
    expect(all.map((i) => [i.id, i.status])).toEqual([[incidentId, 'resolved']]);
    expect(ofSource(all, active.id)).toEqual([]);
    expect((await status(silent.id)).status).toBe('receiving');
  });
});
