import { Socket } from 'node:net';
import type { TcpCheck } from './monitor';
import { microsSince, type ProbeResult } from './probe-result';

/** Opens a TCP connection to the monitor's host:port within `timeoutMs`; the socket is always destroyed. */
export function probeTcp(check: TcpCheck, timeoutMs: number, now: () => number = Date.now): Promise<ProbeResult> {
  const startedAt = now();
  const hr = process.hrtime.bigint();
  return new Promise((resolve) => {
    const socket = new Socket();
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const durationUs = microsSince(hr);
      resolve(error === undefined ? { status: 'up', startedAt, durationUs, warnings: [] } : { status: 'down', startedAt, durationUs, error, warnings: [] });
    };
    const timer = setTimeout(() => finish(`connect timed out after ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => finish());
    socket.once('error', (err: NodeJS.ErrnoException) => finish(`connect ${check.host}:${check.port}: ${err.code ?? err.message}`));
    socket.connect({ host: check.host, port: check.port });
  });
}
