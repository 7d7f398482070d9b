import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { DirectoryStore } from '../store/directory-store';
import { systemClock, type Clock } from '../lib/clock';
import { frameToLine, oversizeLine } from './frame-line';
import { SenderMatcher, type UnmatchedReason } from './sender-matcher';
import { SourceBatcher, type BatchSink, type SourceBatcherOptions } from './source-batcher';
import { TcpFramer, type Frame } from './tcp-framer';
import { UnmatchedLog, type WarnLogger } from './unmatched-log';

export interface SyslogReceiverDeps {
  /** Where the sources and their syslog settings come from (re-read every `refreshMs`). */
  readonly directory: Pick<DirectoryStore, 'listSyslogSources'>;
  /** Queues batches: the IngestService (acceptBody). */
  readonly ingest: BatchSink;
  readonly logger: WarnLogger & { error(obj: Record<string, unknown>, msg: string): void };
  readonly clock?: Clock;
}

export interface SyslogReceiverOptions {
  /** UDP and TCP port (the same number for both); 0 picks a free one. @defaultValue 5514 (CANH_SYSLOG_PORT) */
  readonly port: number;
  /** Address to listen on. @defaultValue '0.0.0.0' */
  readonly host?: string;
  /** PEM certificate and key: TCP then speaks TLS only (RFC 5425); UDP stays plain. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Listen on UDP too. @defaultValue true */
  readonly udp?: boolean;
  /** Largest frame or datagram kept, bytes; a larger one is a dead letter of its first bytes. @defaultValue 65536 */
  readonly maxFrameBytes?: number;
  /** How often the sources are re-read, ms. @defaultValue 10000 */
  readonly refreshMs?: number;
  /** Open TCP connections at most. @defaultValue 1024 */
  readonly maxConnections?: number;
  /** A TCP connection silent this long is closed, ms. @defaultValue 600000 */
  readonly idleMs?: number;
  readonly batching?: SourceBatcherOptions;
}

/** Counters of a running receiver (also what `/metrics` can expose). */
export interface SyslogStats {
  /** Frames and datagrams received, matched or not. */
  readonly received: number;
  /** Lines queued for ingest (each becomes an event or a dead letter). */
  readonly queued: number;
  /** Messages dropped because no source matched, in all and by reason. */
  readonly unmatched: number;
  readonly unmatchedByReason: Readonly<Record<UnmatchedReason, number>>;
  /** Frames over the size cap (queued as dead letters when their sender matched). */
  readonly oversize: number;
  /** UDP datagrams dropped while the queue could not keep up (TCP is paused instead). */
  readonly droppedBackpressure: number;
  /** Times the queue refused a batch (retried). */
  readonly enqueueFailures: number;
  readonly openConnections: number;
  /** Sources the matcher knows (with senders or a token). */
  readonly sources: number;
}

export interface SyslogReceiver {
  readonly port: number;
  stats(): SyslogStats;
  /** Re-reads the sources now (they are also re-read every refreshMs). */
  refresh(): Promise<void>;
  /** Stops listening, closes connections and queues what was gathered. */
  stop(): Promise<void>;
}

type Transport = 'udp' | 'tcp' | 'tls';

/** Starts the syslog receiver (docs/syslog.md); resolves once it listens on TCP and UDP. */
export async function startSyslogReceiver(deps: SyslogReceiverDeps, options: SyslogReceiverOptions): Promise<SyslogReceiver> {
  const r = new Receiver(deps, options);
  await r.start();
  return r;
}

class Receiver implements SyslogReceiver {
  port = 0;
  private matcher = new SenderMatcher([]);
  private readonly batcher: SourceBatcher;
  private readonly unmatchedLog: UnmatchedLog;
  private readonly sockets = new Set<Socket>();
  private readonly paused = new Set<Socket>();
  private tcp: Server | null = null;
  private udp: UdpSocket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly maxFrame: number;
  private readonly counts = { received: 0, unmatched: 0, oversize: 0, droppedBackpressure: 0 };
  private readonly byReason: Record<UnmatchedReason, number> = { unknown_sender: 0, source_disabled: 0, ambiguous_sender: 0 };

  constructor(private readonly deps: SyslogReceiverDeps, private readonly options: SyslogReceiverOptions) {
    const clock = deps.clock ?? systemClock;
    this.maxFrame = options.maxFrameBytes ?? 65_536;
    this.unmatchedLog = new UnmatchedLog(deps.logger, () => clock.now());
    this.batcher = new SourceBatcher(deps.ingest, () => this.resume(), (err) => {
      deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'syslog: the ingest queue refused a batch; kept and retried');
    }, options.batching);
  }

  async start(): Promise<void> {
    await this.refresh();
    const host = this.options.host ?? '0.0.0.0';
    this.tcp = this.options.tls
      ? createTlsServer({ cert: this.options.tls.cert, key: this.options.tls.key, minVersion: 'TLSv1.2' }, (s) => this.onConnection(s, 'tls'))
      : createServer((s) => this.onConnection(s, 'tcp'));
    this.tcp.maxConnections = this.options.maxConnections ?? 1024;
    // Port 0: the free TCP port may be taken for UDP; try another few.
    for (let attempt = 1; ; attempt++) {
      this.port = await listenTcp(this.tcp, this.options.port, host);
      if (this.options.udp === false) break;
      try {
        this.udp = await bindUdp(this.port, host, (msg, rinfo) => this.onDatagram(msg, rinfo));
        break;
      } catch (err) {
        await new Promise((r) => (this.tcp as Server).close(r));
        if (this.options.port !== 0 || attempt >= 5) throw err;
      }
    }
    this.udp?.on('error', (err) => this.deps.logger.error({ err: err.message }, 'syslog: UDP socket error'));
    const every = this.options.refreshMs ?? 10_000;
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), every);
    this.timer.unref();
  }

  async refresh(): Promise<void> {
    try {
      this.matcher = new SenderMatcher(await this.deps.directory.listSyslogSources());
    } catch (err) {
      this.deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'syslog: could not read the sources; still matching against the previous list');
      throw err;
    }
  }

  stats(): SyslogStats {
    return {
      ...this.counts, unmatchedByReason: { ...this.byReason }, queued: this.batcher.queued, enqueueFailures: this.batcher.failures,
      openConnections: this.sockets.size, sources: this.matcher.size,
    };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const closing = this.tcp ? new Promise((r) => (this.tcp as Server).close(r)) : Promise.resolve();
    for (const s of this.sockets) s.destroy();
    this.udp?.close();
    await closing;
    await this.batcher.close();
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    this.counts.received++;
    if (this.batcher.full) {
      this.counts.droppedBackpressure++;
      return;
    }
    const frame: Frame = msg.length > this.maxFrame ? { kind: 'oversize', size: msg.length, head: msg } : { kind: 'message', data: msg };
    this.accept(frame, rinfo.address, 'udp');
  }

  private onConnection(socket: Socket, transport: Transport): void {
    const address = socket.remoteAddress ?? '';
    const framer = new TcpFramer(this.maxFrame);
    this.sockets.add(socket);
    socket.setTimeout(this.options.idleMs ?? 600_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const frame of framer.push(chunk)) {
        this.counts.received++;
        this.accept(frame, address, transport);
      }
      // Backpressure: stop reading until the queue takes what is held.
      if (this.batcher.full && !this.paused.has(socket)) {
        this.paused.add(socket);
        socket.pause();
      }
    });
    socket.on('end', () => {
      for (const frame of framer.end()) {
        this.counts.received++;
        this.accept(frame, address, transport);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.paused.delete(socket);
    });
  }

  private accept(frame: Frame, address: string, transport: Transport): void {
    let line: string;
    if (frame.kind === 'oversize') {
      this.counts.oversize++;
      line = oversizeLine(frame.size, this.maxFrame, frame.head);
    } else {
      line = frameToLine(frame.data);
      if (line.trim() === '') return;
    }
    // An oversize line starts with its marker: match on the frame's own first bytes.
    const match = this.matcher.match(address, frame.kind === 'oversize' ? frameToLine(frame.head) : line);
    if (!match.ok) {
      this.counts.unmatched++;
      this.byReason[match.reason]++;
      this.unmatchedLog.dropped(address, transport, match.reason, line);
      return;
    }
    this.batcher.add(match.source, line);
  }

  private resume(): void {
    if (this.batcher.full || this.paused.size === 0) return;
    for (const s of this.paused) s.resume();
    this.paused.clear();
  }
}

function bindUdp(port: number, host: string, onMessage: (msg: Buffer, rinfo: RemoteInfo) => void): Promise<UdpSocket> {
  const udp = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 4 << 20 });
  udp.on('message', onMessage);
  return new Promise((resolve, reject) => {
    udp.once('error', (err) => {
      udp.close();
      reject(err);
    });
    udp.bind(port, host, () => {
      udp.removeAllListeners('error');
      resolve(udp);
    });
  });
}

function listenTcp(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}
