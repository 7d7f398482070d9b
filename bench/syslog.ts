/**
 * `node dist/bench/syslog.js` (part of `npm run bench`): syslog messages/s over TCP into the store.
 * CANH_BENCH_SYSLOG_MESSAGES (default 200,000) nginx access lines, framed as nginx sends them
 * (RFC 3164, tag `nginx:`), over CANH_BENCH_SYSLOG_CONNECTIONS (default 4) TCP connections, timed
 * from the first byte until the source's counters say every message was stored.
 *
 * The service runs in this process (api + ingest roles and the receiver, real Redis, a DuckDB file in
 * a temp dir); its parse threads do the parsing, so the senders share only the main thread with it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createContainer } from '../src/app/container';
import { startRoles } from '../src/app/start';
import { loadConfig } from '../src/config/load-config';
import { ALL_SCOPE } from '../src/store/scope';
import { startSyslogReceiver } from '../src/syslog/receiver';
import { SyslogSettingsService } from '../src/syslog/syslog-settings';
import { deleteKeys, envInt, int, peakRssMb, REDIS_URL } from './support';

const N = envInt('CANH_BENCH_SYSLOG_MESSAGES', 200_000);
const CONNECTIONS = envInt('CANH_BENCH_SYSLOG_CONNECTIONS', 4);
const PREFIX = `canh-bench-syslog-${randomBytes(4).toString('hex')}`;

const message = (i: number) => `<190>Nov 23 09:00:01 web-${i % 8} nginx: 203.0.113.${i % 250} - - [23/Nov/2026:09:00:01 +0700] `
  + `"GET /dvc/thu-tuc/${i} HTTP/1.1" ${i % 10 === 0 ? 404 : 200} ${512 + (i % 4096)} "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"\n`;

/** Sends messages [from, to) on one connection, respecting the socket's backpressure. */
function sendRange(port: number, from: number, to: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      let i = from;
      const pump = () => {
        while (i < to) {
          let chunk = '';
          for (const end = Math.min(i + 500, to); i < end; i++) chunk += message(i);
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'canh-bench-syslog-'));
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', REDIS_URL, CANH_ADMIN_TOKEN: randomBytes(16).toString('hex'), CANH_LOG_LEVEL: 'silent', CANH_DATA_DIR: dir, CANH_QUEUE_PREFIX: PREFIX });
  const container = await createContainer(config);
  const running = await startRoles(container, ['api', 'ingest'], pino({ level: 'silent' }));
  try {
    await container.directory.createLocality({ code: '01', name: 'Hà Nội', level: 'province' });
    await container.directory.createLocality({ code: '00004', name: 'Ba Đình', level: 'commune', parent_code: '01' });
    const { source } = await container.directory.createSource({ name: 'bench syslog', locality: '00004', kind: 'access', format: 'syslog' }, ALL_SCOPE);
    await new SyslogSettingsService(container.directoryStore).set(source.id, { senders: ['127.0.0.1'] }, ALL_SCOPE);
    const receiver = await startSyslogReceiver({
      directory: container.directoryStore, ingest: container.ingest, logger: { warn: () => undefined, error: (o, m) => console.error(m, o) },
    }, { port: 0, host: '127.0.0.1' });
    console.log(`Canh syslog benchmark: ${int(N)} nginx access lines over syslog (RFC 3164, LF framing), ${CONNECTIONS} TCP connection(s)`);
    const started = performance.now();
    const per = Math.ceil(N / CONNECTIONS);
    await Promise.all(Array.from({ length: CONNECTIONS }, (_, c) => sendRange(receiver.port, c * per, Math.min(N, (c + 1) * per))));
    const sentSeconds = (performance.now() - started) / 1000;
    for (;;) {
      const s = await container.search.sourceStats(source.id, ALL_SCOPE);
      if (s.received >= N) {
        if (s.stored !== N) throw new Error(`stored ${s.stored} of ${N} (dead letters: ${s.deadLettered})`);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const st = receiver.stats();
    await receiver.stop();
    console.log(`syslog TCP → receiver → queue → worker → DuckDB: ${int(N / seconds)} messages/s stored (received at ${int(N / sentSeconds)} messages/s; ${int(st.queued)} queued, ${st.enqueueFailures} queue refusals)`);
    console.log(`peak RSS of this process (service + senders): ${int(peakRssMb(process.pid))} MiB`);
  } finally {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
    await deleteKeys(PREFIX);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
