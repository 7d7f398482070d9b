import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, spawnCanh } from '../support/canh-process';
import { ADMIN_TOKEN, startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

const RULE = `
- id: login-failures-draft
  title: Login failures from one address
  severity: high
  category: intrusion-attempts
  dataset: web.access
  filter: 'url.path:"/dang-nhap" AND http.response.status_code:401'
  type: threshold
  condition: { count: 3 }
  group_by: [organization.id, source.ip]
  window: 1m
  every: 1m
  delay: 0s
  suppress: 10m
`;

type Line = { progress?: { done: number; total: number }; result?: unknown; error?: { code: string; message: string } };

/** POST /api/v1/rules/test with the admin token, optionally asking for the ndjson stream. */
function postTest(svc: TestService, body: unknown, accept?: string): Promise<Response> {
  return fetch(`${svc.url}/api/v1/rules/test`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(accept ? { accept } : {}) },
    body: JSON.stringify(body),
  });
}

describe('POST /api/v1/rules/test as application/x-ndjson (real Redis, real DuckDB)', () => {
  let svc: TestService;
  // Two hours of one-minute evaluations, ending on the next whole minute.
  const to = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
  const range = { from: new Date(to - 2 * 3_600_000).toISOString(), to: new Date(to).toISOString() };

  beforeAll(async () => {
    svc = await startTestService();
    await svc.admin('/api/v1/localities', { body: { code: '01', name: 'Hà Nội', level: 'province' } });
    await svc.admin('/api/v1/localities', { body: { code: '00004', name: 'Ba Đình', level: 'commune', parent_code: '01' } });
    const source = (await svc.admin('/api/v1/sources', { body: { name: 'portal', locality: '00004', kind: 'access', format: 'json' } })).body;
    // Three failures from one address in one minute, 30 minutes before the end: one hit.
    const at = new Date(to - 30 * 60_000 - 30_000).toISOString();
    const doc = (ip: string, status: number) => JSON.stringify({ '@timestamp': at, source: { ip }, url: { path: '/dang-nhap' }, http: { request: { method: 'POST' }, response: { status_code: status } } });
    const lines = [doc('203.0.113.7', 401), doc('203.0.113.7', 401), doc('203.0.113.7', 401), doc('198.51.100.1', 401)];
    const res = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
    expect(res.status).toBe(202);
    const query = `/api/v1/events?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`;
    await waitFor('the events to be stored', async () => (await svc.admin(query)).body.total === lines.length);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('streams progress lines, then the same result as the JSON answer', async () => {
    const body = { rule: RULE, ...range };
    const res = await postTest(svc, body, 'application/x-ndjson');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text()).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Line);

    const progress = lines.filter((l) => l.progress).map((l) => l.progress!);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i].done).toBeGreaterThanOrEqual(progress[i - 1].done);
    const last = progress[progress.length - 1];
    expect(last.total).toBe(120);
    expect(last.done).toBe(last.total);
    expect(lines.slice(0, -1).every((l) => l.progress)).toBe(true);

    const final = lines[lines.length - 1];
    expect(final.error).toBeUndefined();
    const plain = await postTest(svc, body);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toContain('application/json');
    const json = await plain.json();
    expect(final.result).toEqual(json);
    expect(json).toMatchObject({ rule_id: 'login-failures-draft', windows: 120, hits: [{ group: { 'source.ip': '203.0.113.7' }, observed: 3 }] });
  });

  it('still answers 400 JSON for a bad rule or range when the stream is asked for', async () => {
    const bad = await postTest(svc, { rule: 'id: x\ntitle: y\n', from: 'now-1h' }, 'application/x-ndjson');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/json');
    expect(await bad.json()).toMatchObject({ statusCode: 400, code: 'CANH_REQUEST_INVALID', message: expect.stringContaining('request:') });
    const backwards = await postTest(svc, { rule: RULE, from: range.to, to: range.from }, 'application/x-ndjson');
    expect(backwards.status).toBe(400);
    expect(((await backwards.json()) as { message: string }).message).toContain('from must be before to');
  });

  it('`canh rules test` prints the hits, and no progress bar when stderr is not a terminal', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'canh-rule-')), 'draft.yaml');
    writeFileSync(file, RULE);
    const child = spawnCanh(['rules', 'test', file, '--from', range.from, '--to', range.to], { CANH_URL: svc.url, CANH_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(await exited(child)).toBe(0);
    const out = child.output();
    expect(out).toContain('{"organization.id":"00004","source.ip":"203.0.113.7"}');
    expect(out).toContain('login-failures-draft: 1 hits over 120 evaluations (dry run: nothing raised)');
    expect(out).not.toContain('windows');
    expect(out).not.toContain('\r');
  });
});
