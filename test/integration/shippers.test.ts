import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

const FIXTURE = join(__dirname, '..', 'fixtures', 'shippers', 'rsyslog-canh.conf');
const rsyslogd = spawnSync('sh', ['-c', 'command -v rsyslogd'], { encoding: 'utf8' }).stdout.trim();
const omes = ['/usr/lib/x86_64-linux-gnu/rsyslog/omelasticsearch.so', '/usr/lib/rsyslog/omelasticsearch.so'].some(existsSync);
const available = Boolean(rsyslogd) && omes;

const LINES = [
  '203.0.113.7 - - [23/Nov/2026:09:00:01 +0700] "GET /dvc/thu-tuc HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0" 0.012',
  '198.51.100.23 - - [23/Nov/2026:09:00:03 +0700] "GET /wp-login.php HTTP/1.1" 404 153 "-" "sqlmap/1.7"',
  'garbage that no nginx wrote',
];

// Debian's rsyslog with omelasticsearch ships lines to Canh as it would to Elasticsearch 8.
(available ? describe : describe.skip)(`real shipper: rsyslog omelasticsearch → /_bulk${available ? '' : ' (skipped: apt-get install rsyslog rsyslog-elasticsearch)'}`, () => {
  let svc: TestService;
  let stop = async () => undefined as unknown;

  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await stop();
    await svc?.stop();
  });

  jest.setTimeout(60_000);

  it('delivers the fixture configuration\'s lines: parsed, stored under the key\'s locality, the bad line dead-lettered', async () => {
    await svc.admin('/api/v1/localities', { body: { code: '48', name: 'Đà Nẵng', level: 'province' } });
    await svc.admin('/api/v1/localities', { body: { code: '20194', name: 'Hải Châu', level: 'commune', parent_code: '48' } });
    const source = (await svc.admin('/api/v1/sources', { body: { name: 'nginx via rsyslog', locality: '20194', kind: 'access', format: 'nginx_combined' } })).body;

    const dir = mkdtempSync(join(tmpdir(), 'canh-rsyslog-'));
    const logFile = join(dir, 'access.log');
    writeFileSync(logFile, '');
    const port = new URL(svc.url).port;
    const conf = readFileSync(FIXTURE, 'utf8')
      .replace('/var/spool/rsyslog', dir)
      .replace('/var/log/nginx/access.log', logFile)
      .replace('/var/log/rsyslog-canh-errors.json', join(dir, 'errors.json'))
      .replace('serverport="8080"', `serverport="${port}"`)
      .replaceAll('CANH_SOURCE_KEY', source.api_key);
    writeFileSync(join(dir, 'rsyslog.conf'), conf);
    const child = spawn(rsyslogd, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslog.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    stop = async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    };

    appendFileSync(logFile, LINES.join('\n') + '\n');
    const stats = await waitFor('rsyslog to deliver 3 lines', async () => {
      const s = (await svc.admin(`/api/v1/sources/${source.id}/stats`)).body;
      if (child.exitCode !== null) throw new Error(`rsyslogd exited ${child.exitCode}: ${output}`);
      return s.received >= 3 ? s : undefined;
    }, 30_000, 200).catch((err) => {
      throw new Error(`${(err as Error).message}\nrsyslogd said: ${output}`);
    });
    expect(stats).toMatchObject({ received: 3, stored: 2, dead_lettered: 1 });

    const page = (await svc.admin('/api/v1/events?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&q=' + encodeURIComponent('url.path:"/wp-login.php"'))).body;
    expect(page.total).toBe(1);
    expect(page.events[0]).toMatchObject({
      organization: { id: '20194' },
      source: { ip: '198.51.100.23' },
      http: { response: { status_code: 404 } },
      user_agent: { original: 'sqlmap/1.7' },
    });
    const dead = (await svc.admin(`/api/v1/dead-letters?source=${source.id}`)).body.dead_letters;
    expect(dead).toHaveLength(1);
    expect(dead[0].raw).toContain('garbage that no nginx wrote');
  });
});
