import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseDocument } from 'yaml';
import { loadMonitorFiles } from '../../src/monitors/load-monitors';
import { MonitorService } from '../../src/monitors/monitor-service';
import { probeQueueName } from '../../src/monitors/monitor-scheduler';
import { startProbeRole, type ProbeRole } from '../../src/monitors/probe-role';
import { DuckDbMonitorStore } from '../../src/store/duckdb/monitor-store';
import { ALL_SCOPE } from '../../src/store/scope';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

const DAY = 86_400_000;
const ROOT = join(__dirname, '..', '..');

/** The shipped outage rule, on a test's time scale: same filter, type and condition; seconds instead of minutes. */
function fastOutageRule(): string {
  const doc = parseDocument(readFileSync(join(ROOT, 'rules', 'uptime.yaml'), 'utf8'));
  const rule = (doc.toJS() as Record<string, unknown>[]).find((r) => r.id === 'service-down');
  if (!rule) throw new Error('rules/uptime.yaml has no service-down rule');
  const fast = { ...rule, id: 'service-down-fast', window: '3s', every: '1s', delay: '1s', suppress: '1m' };
  return JSON.stringify([fast]);
}

/** A field of a nested ECS document (or a dotted key). */
const field = (doc: any, path: string): unknown => (path in doc ? doc[path] : path.split('.').reduce((o: any, k) => (o == null ? undefined : o[k]), doc));

describe('probes: local HTTP, HTTPS and TCP servers → uptime.probe events → the outage rule (real Redis, real DuckDB)', () => {
  let svc: TestService;
  let dir: string;
  let web: Server;
  let tls: Server;
  let tcp: TcpServer;
  const sockets = new Set<Socket>();
  let outage = true;
  let probes: ProbeRole[] = [];
  let monitors: MonitorService;
  let store: DuckDbMonitorStore;

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const ua = req.headers['user-agent'] ?? '';
    switch (req.url) {
      case '/ok': return res.end('<h1>Cổng dịch vụ công — Đăng nhập</h1>');
      case '/error': res.statusCode = 500; return res.end('oops');
      case '/hang': return undefined; // never answers
      case '/no-keyword': return res.end('maintenance page');
      case '/outage': res.statusCode = outage ? 503 : 200; return res.end();
      case '/local-trouble': res.statusCode = ua.includes('(hanoi)') ? 503 : 200; return res.end();
      default: res.statusCode = 404; return res.end();
    }
  };
  const listen = async <S extends Server | TcpServer>(s: S): Promise<number> => {
    s.on('connection', (c: Socket) => {
      sockets.add(c);
      c.on('close', () => sockets.delete(c));
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return (s.address() as AddressInfo).port;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'canh-probes-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '5', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    web = createServer(handler);
    tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, handler);
    tcp = createTcpServer((c) => c.end());
    const [webPort, tlsPort, tcpPort] = [await listen(web), await listen(tls), await listen(tcp)];
    const closed = createTcpServer();
    const closedPort = await listen(closed);
    await new Promise((r) => closed.close(r));

    const http = (id: string, path: string, extra = '') => `
- { id: ${id}, name: "Monitor ${id}", locality: "26734", service: Cổng DVC, type: http, url: "http://127.0.0.1:${webPort}${path}", interval: 1s, timeout: 500ms ${extra} }`;
    writeFileSync(join(dir, 'monitors.yaml'), [
      http('ok', '/ok', ', body_keyword: Đăng nhập'),
      http('error', '/error'),
      http('hang', '/hang'),
      http('no-keyword', '/no-keyword', ', body_keyword: Đăng nhập'),
      http('outage', '/outage'),
      http('local-trouble', '/local-trouble'),
      `\n- { id: tls, name: TLS, locality: "26734", type: http, url: "https://localhost:${tlsPort}/ok", interval: 1s, timeout: 900ms, tls_expiry_warning_days: 14 }`,
      `\n- { id: tcp-open, name: TCP open, locality: "26734", type: tcp, host: 127.0.0.1, port: ${tcpPort}, interval: 1s, timeout: 500ms }`,
      `\n- { id: tcp-closed, name: TCP closed, locality: "26734", type: tcp, host: 127.0.0.1, port: ${closedPort}, interval: 1s, timeout: 500ms }`,
    ].join(''));
    writeFileSync(join(dir, 'rules.yaml'), fastOutageRule());

    svc = await startTestService({ CANH_RULES_DIR: join(dir, 'rules.yaml') }, ['api', 'ingest', 'rules', 'incidents']);
    await svc.admin('/api/v1/localities', { body: { code: '79', name: 'TP. Hồ Chí Minh', level: 'province' } });
    await svc.admin('/api/v1/localities', { body: { code: '26734', name: 'Phường Bến Nghé', level: 'commune', parent_code: '79' } });

    store = new DuckDbMonitorStore({ path: join(dir, 'monitors.duckdb') });
    await store.init();
    const c = svc.container;
    const yaml = async () => {
      const loaded = await loadMonitorFiles([join(dir, 'monitors.yaml')]);
      if (loaded.errors.length) throw new Error(JSON.stringify(loaded.errors));
      return loaded.monitors;
    };
    monitors = new MonitorService(store, yaml, c.directoryStore, c.clock);
    for (const location of ['hanoi', 'hcm']) {
      probes.push(await startProbeRole({
        location, redisUrl: c.config.redisUrl, redis: c.redis, prefix: svc.prefix, monitors: () => monitors.all(),
        province: async (code) => {
          const l = await c.directoryStore.getLocality(code, ALL_SCOPE);
          return l ? { province: l.provinceCode } : null;
        },
        ingestQueue: c.ingestQueue, clock: c.clock, log: pino({ level: 'silent' }), syncEveryMs: 60_000,
      }));
    }
  });

  afterAll(async () => {
    await Promise.all(probes.map((p) => p.stop()));
    await store?.close();
    await svc?.stop();
    for (const s of sockets) s.destroy();
    await Promise.all([web, tls, tcp].map((s) => new Promise((r) => (s ? s.close(r) : r(null)))));
    rmSync(dir, { recursive: true, force: true });
  });

  /** The newest uptime.probe event of a monitor from a location. */
  const latest = (monitor: string, location = 'hanoi') => waitFor(`an event of ${monitor} from ${location}`, async () => {
    const q = encodeURIComponent(`monitor.id:"${monitor}" AND observer.name:"${location}"`);
    const res = await svc.admin(`/api/v1/events?dataset=uptime.probe&from=now-5m&size=1&q=${q}`);
    return res.body.events?.[0];
  }, 20_000, 100);

  it('keeps one job scheduler monitor:<id> per monitor on each location queue', async () => {
    for (const p of probes) {
      const ids = (await p.queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();
      expect(ids).toEqual(['monitor:error', 'monitor:hang', 'monitor:local-trouble', 'monitor:no-keyword', 'monitor:ok', 'monitor:outage', 'monitor:tcp-closed', 'monitor:tcp-open', 'monitor:tls']);
    }
    expect(probes.map((p) => p.queue.name)).toEqual([probeQueueName('hanoi'), probeQueueName('hcm')]);
  });

  it('an answering service is up, with its status, duration, service and location', async () => {
    const e = await latest('ok');
    expect(e).toMatchObject({ event: { dataset: 'uptime.probe', kind: 'state', outcome: 'success' }, organization: { id: '26734' }, observer: { name: 'hanoi' } });
    expect([field(e, 'monitor.status'), field(e, 'http.response.status_code'), field(e, 'monitor.type'), field(e, 'service.name')]).toEqual(['up', 200, 'http', 'Cổng DVC']);
    expect(field(e, 'monitor.duration.us')).toEqual(expect.any(Number));
    expect(field(e, 'error.message')).toBeUndefined();
    expect(field(await latest('ok', 'hcm'), 'observer.name')).toBe('hcm');
  });

  it('a failing service, a wrong status, a missing keyword and a hang are down with the reason', async () => {
    const error = await latest('error');
    expect([field(error, 'monitor.status'), field(error, 'http.response.status_code'), field(error, 'error.message')]).toEqual(['down', 500, 'unexpected status 500 (expected 200-299)']);
    const noKeyword = await latest('no-keyword');
    expect([field(noKeyword, 'monitor.status'), field(noKeyword, 'http.response.status_code'), field(noKeyword, 'error.message')]).toEqual(['down', 200, 'body does not contain "Đăng nhập"']);
    const hang = await latest('hang');
    expect(field(hang, 'monitor.status')).toBe('down');
    expect(field(hang, 'error.message')).toBe('no complete answer within 500 ms');
    // The timeout holds: the check ended at 500 ms, not when the server gave up.
    expect(field(hang, 'monitor.duration.us')).toBeGreaterThanOrEqual(490_000);
    expect(field(hang, 'monitor.duration.us')).toBeLessThan(1_500_000);
  });

  it('TCP: an open port is up, a closed one is down', async () => {
    expect(field(await latest('tcp-open'), 'monitor.status')).toBe('up');
    const closed = await latest('tcp-closed');
    expect(field(closed, 'monitor.status')).toBe('down');
    expect(String(field(closed, 'error.message'))).toMatch(/ECONNREFUSED/);
  });

  it('a self-signed certificate that expires in 5 days: up, with not_after and the warnings', async () => {
    const e = await latest('tls');
    expect(field(e, 'monitor.status')).toBe('up');
    const notAfter = Date.parse(String(field(e, 'tls.server.x509.not_after')));
    expect(Math.abs(notAfter - (Date.now() + 5 * DAY))).toBeLessThan(DAY);
    expect(field(e, 'tls.server.verification_error')).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(String(field(e, 'monitor.warning'))).toMatch(/certificate not trusted: DEPTH_ZERO_SELF_SIGNED_CERT; certificate expires in 4 days/);
  });

  it('the shipped outage rule opens an incident when 2 locations see the service down, not 1, and resolves it once it is back', async () => {
    const incidents = async () => (await svc.admin('/api/v1/incidents?rule=service-down-fast')).body.incidents as any[];
    const [incident] = await waitFor('an outage incident', async () => {
      const list = (await incidents()).filter((i) => i.group['monitor.id'] === 'outage');
      return list.length ? list : undefined;
    }, 30_000, 200);
    expect(incident).toMatchObject({ status: 'open', locality: '26734', group: { 'organization.id': '26734', 'monitor.id': 'outage' } });
    // local-trouble is down from hanoi only: that location's problem, not an outage.
    expect(field(await latest('local-trouble', 'hanoi'), 'monitor.status')).toBe('down');
    expect(field(await latest('local-trouble', 'hcm'), 'monitor.status')).toBe('up');
    expect((await incidents()).filter((i) => i.group['monitor.id'] === 'local-trouble')).toEqual([]);

    outage = false;
    const resolved = await waitFor('the outage incident to resolve itself', async () => {
      const detail = (await svc.admin(`/api/v1/incidents/${incident.id}`)).body;
      return detail.status === 'resolved' ? detail : undefined;
    }, 30_000, 200);
    expect(resolved.timeline[resolved.timeline.length - 1]).toMatchObject({ action: 'auto_resolved', actor: 'rule:service-down-fast' });
    expect((await incidents()).filter((i) => i.group['monitor.id'] === 'local-trouble')).toEqual([]);
  });

  it('an API monitor gets its scheduler; deleting it removes the scheduler', async () => {
    const created = await monitors.create({ id: 'api-ok', name: 'API', locality: '26734', type: 'tcp', host: '127.0.0.1', port: (tcp.address() as AddressInfo).port, interval: '1s', timeout: '500ms' }, ALL_SCOPE);
    expect(created.origin).toEqual({ kind: 'api' });
    await probes[0].sync();
    expect((await probes[0].queue.getJobSchedulers(0, -1)).map((s) => s.key)).toContain('monitor:api-ok');
    expect(field(await latest('api-ok'), 'monitor.status')).toBe('up');
    await expect(monitors.create({ id: 'ok', name: 'dup', locality: '26734', type: 'tcp', host: 'x', port: 1 }, ALL_SCOPE)).rejects.toMatchObject({ kind: 'conflict' });
    await monitors.delete('api-ok', ALL_SCOPE);
    await probes[0].sync();
    expect((await probes[0].queue.getJobSchedulers(0, -1)).map((s) => s.key)).not.toContain('monitor:api-ok');
  });
});
