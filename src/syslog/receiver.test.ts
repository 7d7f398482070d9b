import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { waitFor } from '../../test/support/wait';
import type { Source } from '../directory/types';
import { startSyslogReceiver, type SyslogReceiver } from './receiver';

const SOURCE: Source = {
  id: 'src_syslog', name: 'syslog', locality: '00004', province: '01', kind: 'access', format: 'syslog', enabled: true,
  keyPrefix: 'canh_x', createdAt: 0, syslog: { senders: ['127.0.0.1'], token: null },
};

/** A queue that can be switched off (throws like BullMQ with Redis down) and records every batch. */
class FakeQueue {
  down = false;
  readonly batches: { source: string; lines: string[] }[] = [];
  async acceptBody(source: Source, body: string): Promise<void> {
    if (this.down) throw new Error('queue unavailable');
    this.batches.push({ source: source.id, lines: body.split('\n') });
  }
  get lines(): string[] {
    return this.batches.flatMap((b) => b.lines);
  }
}

describe('startSyslogReceiver', () => {
  let receiver: SyslogReceiver;
  let queue: FakeQueue;
  const start = async (batching = {}, tls?: { cert: Buffer; key: Buffer }) => {
    queue = new FakeQueue();
    receiver = await startSyslogReceiver({
      directory: { listSyslogSources: async () => [SOURCE] }, ingest: queue, logger: { warn: () => undefined, error: () => undefined },
    }, { port: 0, host: '127.0.0.1', tls, batching: { flushMs: 20, retryMs: 20, ...batching } });
  };
  afterEach(async () => receiver?.stop());

  it('gathers many messages into few queue jobs, over UDP and TCP on the same port', async () => {
    await start();
    const tcp = connect({ host: '127.0.0.1', port: receiver.port });
    await new Promise((r) => tcp.once('connect', r));
    tcp.write(Array.from({ length: 500 }, (_, i) => `<13>Nov 23 09:00:00 h app: tcp ${i}\n`).join(''));
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.send('<13>Nov 23 09:00:00 h app: udp', receiver.port, '127.0.0.1', () => r()));
    udp.close();
    await waitFor('501 lines', () => queue.lines.length === 501);
    expect(queue.batches.length).toBeLessThan(10);
    expect(queue.lines).toContain('<13>Nov 23 09:00:00 h app: udp');
    expect(receiver.stats()).toMatchObject({ received: 501, queued: 501, unmatched: 0 });
    tcp.destroy();
  });

  it('stops reading TCP while the queue is down (nothing buffered without bound) and delivers everything once it is back', async () => {
    await start({ highWaterChars: 10_000, maxLines: 50 });
    queue.down = true;
    const tcp: Socket = connect({ host: '127.0.0.1', port: receiver.port });
    await new Promise((r) => tcp.once('connect', r));
    const total = 20_000;
    const payload = Array.from({ length: total }, (_, i) => `<13>Nov 23 09:00:00 h app: message number ${i}\n`).join('');
    tcp.write(payload);
    await waitFor('the queue to be refused', () => receiver.stats().enqueueFailures > 0);
    await waitFor('reading to stop', async () => {
      const seen = receiver.stats().received;
      await new Promise((r) => setTimeout(r, 100));
      return receiver.stats().received === seen && seen < total;
    }, 10_000, 10);
    // UDP is dropped (counted) while TCP is paused.
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.send('<13>Nov 23 09:00:00 h app: dropped', receiver.port, '127.0.0.1', () => r()));
    udp.close();
    await waitFor('the UDP drop', () => receiver.stats().droppedBackpressure === 1);
    queue.down = false;
    await waitFor('every TCP message', () => queue.lines.length === total, 20_000);
    expect(new Set(queue.lines).size).toBe(total);
    tcp.destroy();
  });

  const openssl = spawnSync('sh', ['-c', 'command -v openssl'], { encoding: 'utf8' }).stdout.trim();
  (openssl ? it : it.skip)(`speaks TLS on TCP when given a certificate${openssl ? '' : ' (skipped: openssl not installed)'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canh-syslog-tls-'));
    const made = spawnSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { encoding: 'utf8' });
    expect(made.status).toBe(0);
    await start({}, { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) });
    rmSync(dir, { recursive: true, force: true });
    const s = tlsConnect({ host: '127.0.0.1', port: receiver.port, rejectUnauthorized: false });
    await new Promise((r) => s.once('secureConnect', r));
    s.end('<13>Nov 23 09:00:00 h app: over tls\n');
    await waitFor('the TLS message', () => queue.lines.includes('<13>Nov 23 09:00:00 h app: over tls'));
  });
});
