import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSyslogReceiver, type SyslogReceiver } from '../../src/syslog/receiver';
import { SyslogSettingsService } from '../../src/syslog/syslog-settings';
import { ALL_SCOPE } from '../../src/store/scope';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

const which = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).stdout.trim();
const loggerBin = which('logger');
const rsyslogd = which('rsyslogd');
const DAY = `from=${encodeURIComponent('2026-01-01T00:00:00Z')}&to=${encodeURIComponent('2028-01-01T00:00:00Z')}`;
const ACCESS = (path: string) => `203.0.113.7 - - [23/Nov/2026:09:00:01 +0700] "GET ${path} HTTP/1.1" 404 153 "-" "sqlmap/1.7"`;

/** Sends raw bytes over TCP from `localAddress` and waits until the receiver has them. */
function sendTcp(port: number, data: string, localAddress = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }, () => s.end(data));
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

function runLogger(args: string[]): void {
  const r = spawnSync(loggerBin, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`logger ${args.join(' ')} failed: ${r.stderr}`);
}

(loggerBin ? describe : describe.skip)(`syslog receiver with real senders${loggerBin ? '' : ' (skipped: logger from util-linux/bsdutils is not installed)'}`, () => {
  let svc: TestService;
  let receiver: SyslogReceiver;
  let sourceId: string;
  const warnings: Record<string, unknown>[] = [];
  jest.setTimeout(60_000);

  const search = async (q: string) => (await svc.admin(`/api/v1/events?${DAY}&q=${encodeURIComponent(q)}`)).body;
  const stats = async () => (await svc.admin(`/api/v1/sources/${sourceId}/stats`)).body;

  beforeAll(async () => {
    svc = await startTestService();
    await svc.admin('/api/v1/localities', { body: { code: '48', name: 'Đà Nẵng', level: 'province' } });
    await svc.admin('/api/v1/localities', { body: { code: '20194', name: 'Hải Châu', level: 'commune', parent_code: '48' } });
    const created = await svc.admin('/api/v1/sources', { body: { name: 'web servers over syslog', locality: '20194', kind: 'access', format: 'syslog' } });
    expect(created.status).toBe(201);
    sourceId = created.body.id;
    await new SyslogSettingsService(svc.container.directoryStore).set(sourceId, { senders: ['127.0.0.1'] }, ALL_SCOPE);
    receiver = await startSyslogReceiver({
      directory: svc.container.directoryStore,
      ingest: svc.container.ingest,
      logger: { warn: (obj) => void warnings.push(obj), error: () => undefined },
    }, { port: 0, host: '127.0.0.1', batching: { flushMs: 50 } });
  });
  afterAll(async () => {
    await receiver?.stop();
    await svc?.stop();
  });

  it('stores an nginx access line sent over UDP like access_log syslog:server=... as a web.access event of the source\'s locality', async () => {
    runLogger(['--server', '127.0.0.1', '--port', String(receiver.port), '--udp', '--rfc3164', '-p', 'local7.info', '-t', 'nginx', ACCESS('/wp-login.php')]);
    const page = await waitFor('the access event', async () => {
      const p = await search('url.path:"/wp-login.php"');
      return p.total === 1 ? p : undefined;
    });
    expect(page.events[0]).toMatchObject({
      event: { dataset: 'web.access' }, organization: { id: '20194' }, source: { ip: '203.0.113.7' },
      http: { response: { status_code: 404 } }, log: { syslog: { appname: 'nginx', facility: { name: 'local7' } } },
    });
  });

  it('stores a generic RFC 5424 message sent over TCP with log.syslog.*, host, process and message fields', async () => {
    runLogger(['--server', '127.0.0.1', '--port', String(receiver.port), '--tcp', '--rfc5424', '-p', 'authpriv.warning', '-t', 'sshd',
      '--msgid', 'AUTH', '--sd-id', 'origin@32473', '--sd-param', 'ip="10.0.0.1"', 'Failed password for root from 198.51.100.9']);
    const page = await waitFor('the generic event', async () => {
      const p = await search('process.name:sshd');
      return p.total === 1 ? p : undefined;
    });
    const e = page.events[0];
    expect(e).toMatchObject({
      event: { dataset: 'syslog' }, organization: { id: '20194' }, message: 'Failed password for root from 198.51.100.9', process: { name: 'sshd' },
      log: { level: 'warning', syslog: { appname: 'sshd', msgid: 'AUTH', severity: { code: 4 }, facility: { name: 'authpriv' }, structured_data: { 'origin@32473': { ip: '10.0.0.1' } } } },
    });
    expect(typeof e.host.hostname).toBe('string');
  });

  it('keeps a malformed line from a known sender as a dead letter with its reason', async () => {
    await sendTcp(receiver.port, 'this line is not syslog at all\n');
    const dead = await waitFor('the dead letter', async () => {
      const d = (await svc.admin(`/api/v1/dead-letters?source=${sourceId}`)).body.dead_letters;
      return d.length >= 1 ? d : undefined;
    });
    expect(dead[0]).toMatchObject({ raw: 'this line is not syslog at all', reason: expect.stringContaining('<PRI>') });
  });

  it('drops what an unknown sender sends: counted, warned about once a minute, nothing stored', async () => {
    const before = (await stats()).received;
    const unmatched = receiver.stats().unmatched;
    const line = (n: number) => `<13>Nov 23 09:00:0${n} 127.0.0.1 nginx: ${ACCESS(`/unknown-sender-${n}`)}\n`;
    await sendTcp(receiver.port, line(1) + line(2), '127.0.0.2');
    await waitFor('the unmatched counter', () => receiver.stats().unmatched === unmatched + 2);
    expect(receiver.stats().unmatchedByReason.unknown_sender).toBeGreaterThanOrEqual(2);
    const mine = warnings.filter((w) => w.sender === '127.0.0.2');
    expect(mine).toHaveLength(1);
    expect(String(mine[0].excerpt).length).toBeLessThanOrEqual(81);
    // Everything from the known sender sent after it is stored: the unknown one's lines never were.
    runLogger(['--server', '127.0.0.1', '--port', String(receiver.port), '--udp', '--rfc3164', '-t', 'app', 'marker after unknown sender']);
    await waitFor('the marker', async () => ((await search('message:"marker after unknown sender"')).total === 1));
    expect((await search('url.path:/unknown-sender-*')).total).toBe(0);
    expect((await stats()).received).toBe(before + 1);
  });

  it('dead-letters a frame over the 64 KiB cap with its size, not a crash', async () => {
    const big = `<13>Nov 23 09:00:00 h app: ${'x'.repeat(70_000)}`;
    await sendTcp(receiver.port, `${Buffer.byteLength(big)} ${big}<13>Nov 23 09:00:00 h app: after the big one\n`);
    await waitFor('the message after it', async () => ((await search('message:"after the big one"')).total === 1));
    const dead = (await svc.admin(`/api/v1/dead-letters?source=${sourceId}`)).body.dead_letters;
    expect(dead.find((d: { reason: string }) => d.reason.includes('70027 bytes is over the 65536-byte cap'))).toBeDefined();
  });

  (rsyslogd ? it : it.skip)(`forwards a file's access lines through rsyslog omfwd over TCP (octet-counted)${rsyslogd ? '' : ' (skipped: apt-get install rsyslog)'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canh-rsyslog-fwd-'));
    const logFile = join(dir, 'access.log');
    writeFileSync(logFile, '');
    writeFileSync(join(dir, 'rsyslog.conf'), [
      `global(workDirectory="${dir}")`,
      'module(load="imfile")',
      `input(type="imfile" File="${logFile}" Tag="nginx:" Ruleset="fwd" freshStartTail="off")`,
      `ruleset(name="fwd") { action(type="omfwd" target="127.0.0.1" port="${receiver.port}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format") }`,
    ].join('\n'));
    const child = spawn(rsyslogd, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslog.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    try {
      appendFileSync(logFile, `${ACCESS('/via-rsyslog')}\n`);
      const page = await waitFor('rsyslog to deliver', async () => {
        if (child.exitCode !== null) throw new Error(`rsyslogd exited ${child.exitCode}: ${output}`);
        const p = await search('url.path:"/via-rsyslog"');
        return p.total === 1 ? p : undefined;
      }, 30_000, 200).catch((err) => {
        throw new Error(`${(err as Error).message}\nrsyslogd said: ${output}`);
      });
      expect(page.events[0]).toMatchObject({ event: { dataset: 'web.access' }, organization: { id: '20194' }, log: { syslog: { version: '1' } } });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
