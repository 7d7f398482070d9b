import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, spawnCanh } from '../support/canh-process';
import { sampleAccessLogPath } from '../support/shared-data';
import { ADMIN_TOKEN, startTestService, type TestService } from '../support/test-service';

jest.setTimeout(60_000);

describe('the canh CLI against a running service', () => {
  let svc: TestService;
  let env: NodeJS.ProcessEnv;
  const run = async (...args: string[]) => {
    const child = spawnCanh(args, env);
    const code = await exited(child);
    return { code, out: child.output() };
  };

  beforeAll(async () => {
    svc = await startTestService();
    env = { CANH_URL: svc.url, CANH_ADMIN_TOKEN: ADMIN_TOKEN };
  });
  afterAll(async () => svc?.stop());

  it('adds and imports localities, reporting every bad CSV row and importing nothing then', async () => {
    expect(await run('localities', 'add', '--code', '01', '--name', 'Hà Nội', '--level', 'province')).toMatchObject({ code: 0, out: expect.stringContaining('created locality 01') });
    const dir = mkdtempSync(join(tmpdir(), 'canh-cli-'));
    writeFileSync(join(dir, 'bad.csv'), 'code,name,level,parent_code\n00004,Ba Đình,commune,01\n00007,,commune,01\n00010,Xa,commune,99\n');
    const bad = await run('localities', 'import', join(dir, 'bad.csv'));
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('line 3: name');
    expect(bad.out).toMatch(/line 4: parent_code: unknown parent_code 99/);
    expect((await svc.admin('/api/v1/localities')).body.localities).toHaveLength(1);
    writeFileSync(join(dir, 'good.csv'), 'code,name,level,parent_code\n00004,"Phường Ba Đình, Hà Nội",commune,01\n79,TP Hồ Chí Minh,province,\n');
    expect(await run('localities', 'import', join(dir, 'good.csv'))).toMatchObject({ code: 0, out: expect.stringContaining('imported 2 localities') });
    const list = await run('localities', 'list');
    expect(list.out).toMatch(/00004\s+commune\s+01\s+Phường Ba Đình, Hà Nội/);
  });

  it('adds a source (printing its key once) and imports a log file through the pipeline', async () => {
    const added = await run('sources', 'add', '--name', 'apache', '--locality', '00004', '--kind', 'access', '--format', 'apache_combined');
    expect(added.code).toBe(0);
    const id = /source id: (\S+)/.exec(added.out)?.[1] as string;
    expect(added.out).toMatch(/api key:\s+canh_[A-Za-z0-9_-]{43}/);
    const imported = await run('import', sampleAccessLogPath(), '--source', id);
    expect(imported.out).toMatch(/sent 10000 lines: 10000 stored, 0 dead letters, [\d.]+ s, \d+ events\/s/);
    expect(imported.code).toBe(0);
    expect((await svc.admin(`/api/v1/sources/${id}/stats`)).body).toMatchObject({ received: 10000, stored: 10000, dead_lettered: 0 });
  });

  it('validates rule files: the shipped pack passes, a bad file names file, line and field', async () => {
    const shipped = await run('rules', 'validate');
    expect(shipped.code).toBe(0);
    expect(shipped.out).toMatch(/\d+ rules and [1-9]\d* escalation policies valid, 0 errors/);
    const dir = mkdtempSync(join(tmpdir(), 'canh-cli-rules-'));
    writeFileSync(join(dir, 'bad.yaml'), 'id: bad-rule\ntitle: x\nseverity: high\ncategory: availability\ndataset: web.access\ntype: threshold\ncondition: { count: 3 }\ntresholds: 4\n');
    const bad = await run('rules', 'validate', join(dir, 'bad.yaml'));
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`${join(dir, 'bad.yaml')}:8: tresholds:`);
    expect(bad.out).toContain('0 rules and 0 escalation policies valid, 1 errors');
    // A policy file with a typo, in the escalation/ folder of a rules directory.
    const policyDir = mkdtempSync(join(tmpdir(), 'canh-cli-policies-'));
    mkdirSync(join(policyDir, 'escalation'));
    writeFileSync(join(policyDir, 'escalation', 'p.yaml'), '- name: p\n  levels:\n    - after: 5m\n      targte: province\n');
    const badPolicy = await run('rules', 'validate', policyDir);
    expect(badPolicy.code).toBe(1);
    expect(badPolicy.out).toContain(`${join(policyDir, 'escalation', 'p.yaml')}:4:`);
  });

  it('says how to reach Canh when it is not running', async () => {
    const r = spawnCanh(['sources', 'list'], { CANH_URL: 'http://127.0.0.1:1', CANH_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(await exited(r)).toBe(1);
    expect(r.output()).toContain('Cannot reach Canh at http://127.0.0.1:1');
  });
});
