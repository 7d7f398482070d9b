import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { TLSSocket } from 'node:tls';
import type { HttpCheck } from './monitor';
import { MAX_PROBE_BODY_BYTES, MAX_REDIRECTS, microsSince, type ProbeResult } from './probe-result';

type Tls = NonNullable<ProbeResult['tls']>;

/** One request/response of a check. */
interface Hop {
  readonly statusCode: number;
  readonly location: string | undefined;
  readonly body: string;
  readonly tls: Tls | undefined;
}

class ProbeError extends Error {}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DAY_MS = 86_400_000;

function certificateOf(res: IncomingMessage): Tls | undefined {
  const socket = res.socket;
  if (!(socket instanceof TLSSocket)) return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.valid_to) return undefined;
  const reason = socket.authorizationError as unknown;
  const code = reason ? String((reason as { code?: string }).code ?? reason) : null;
  const cn = cert.subject?.CN;
  return {
    notAfter: new Date(cert.valid_to).toISOString(),
    notBefore: new Date(cert.valid_from).toISOString(),
    subject: Array.isArray(cn) ? cn.join(',') : (cn ?? null),
    verificationError: socket.authorized ? null : code,
  };
}

/**
 * One request within `remainingMs` (connect included): the socket is destroyed when the time is up,
 * when the body (read only when `wantBody`) reaches the cap, and when the answer is complete.
 */
function requestOnce(url: URL, method: string, remainingMs: number, wantBody: boolean, userAgent: string): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    let connected = false;
    let settled = false;
    const req = mod.request(url, {
      method,
      agent: false,
      // The certificate is reported (verification error as a warning), not a reason to stop: a
      // self-signed or expired certificate still tells when it expires.
      rejectUnauthorized: false,
      headers: { 'user-agent': userAgent, accept: '*/*', connection: 'close' },
    });
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      req.destroy();
    };
    const timer = setTimeout(() => {
      settle(() => reject(new ProbeError(connected ? `no complete answer within ${remainingMs} ms` : `connect timed out after ${remainingMs} ms`)));
    }, remainingMs);
    req.on('socket', (socket) => socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connected = true)));
    req.on('error', (err: NodeJS.ErrnoException) => settle(() => reject(new ProbeError(err.code ? `${err.code}: ${err.message}` : err.message))));
    req.on('response', (res) => {
      const tls = certificateOf(res);
      const done = (body: string) => settle(() => resolve({ statusCode: res.statusCode ?? 0, location: res.headers.location, body, tls }));
      if (!wantBody || method === 'HEAD') return done('');
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_PROBE_BODY_BYTES) done(Buffer.concat(chunks).subarray(0, MAX_PROBE_BODY_BYTES).toString('utf8'));
      });
      res.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
      res.on('error', (err) => settle(() => reject(new ProbeError(`reading the body: ${err.message}`))));
    });
    req.end();
  });
}

function describeStatuses(codes: readonly number[]): string {
  const sorted = [...codes].sort((a, b) => a - b);
  const contiguous = sorted.every((c, i) => i === 0 || c === sorted[i - 1] + 1);
  return contiguous && sorted.length > 2 ? `${sorted[0]}-${sorted[sorted.length - 1]}` : sorted.join(', ');
}

function tlsWarnings(tls: Tls | undefined, warnDays: number, now: number): { warnings: string[]; expired: string | undefined } {
  if (!tls) return { warnings: [], expired: undefined };
  const warnings: string[] = [];
  const left = Date.parse(tls.notAfter) - now;
  if (tls.verificationError && tls.verificationError !== 'CERT_HAS_EXPIRED') warnings.push(`certificate not trusted: ${tls.verificationError}`);
  if (left <= 0) return { warnings, expired: `certificate expired at ${tls.notAfter}` };
  if (left < warnDays * DAY_MS) warnings.push(`certificate expires in ${Math.floor(left / DAY_MS)} days (${tls.notAfter})`);
  return { warnings, expired: undefined };
}

/**
 * Runs an `http` check: the request (redirects followed when asked, up to MAX_REDIRECTS), all
 * within `timeoutMs`; up when the final status is expected and the body (first 64 KiB) holds the
 * keyword. A certificate's dates are reported even when it is not trusted.
 */
export async function probeHttp(check: HttpCheck, timeoutMs: number, opts: { userAgent: string; now?: () => number }): Promise<ProbeResult> {
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const hr = process.hrtime.bigint();
  let url = new URL(check.url);
  let method: string = check.method;
  let tls: Tls | undefined;
  const down = (error: string, statusCode?: number, warnings: string[] = []): ProbeResult =>
    ({ status: 'down', startedAt, durationUs: microsSince(hr), error, warnings, ...(statusCode !== undefined ? { statusCode } : {}), ...(tls ? { tls } : {}) });
  try {
    for (let hops = 0; ; hops++) {
      const remaining = timeoutMs - Math.floor(microsSince(hr) / 1000);
      if (remaining <= 0) return down(`no complete answer within ${timeoutMs} ms`);
      const hop = await requestOnce(url, method, remaining, check.bodyKeyword !== null, opts.userAgent);
      tls ??= hop.tls;
      if (check.followRedirects && REDIRECTS.has(hop.statusCode) && hop.location) {
        if (hops >= MAX_REDIRECTS) return down(`more than ${MAX_REDIRECTS} redirects`, hop.statusCode);
        url = new URL(hop.location, url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return down(`redirect to a ${url.protocol} URL`, hop.statusCode);
        if (hop.statusCode === 303) method = 'GET';
        continue;
      }
      const { warnings, expired } = tlsWarnings(tls, check.tlsExpiryWarningDays, now());
      if (!check.expectedStatus.includes(hop.statusCode)) return down(`unexpected status ${hop.statusCode} (expected ${describeStatuses(check.expectedStatus)})`, hop.statusCode, warnings);
      if (expired) return down(expired, hop.statusCode, warnings);
      if (check.bodyKeyword !== null && !hop.body.includes(check.bodyKeyword)) return down(`body does not contain "${check.bodyKeyword}"`, hop.statusCode, warnings);
      return { status: 'up', startedAt, durationUs: microsSince(hr), statusCode: hop.statusCode, warnings, ...(tls ? { tls } : {}) };
    }
  } catch (err) {
    return down(err instanceof ProbeError ? err.message : String((err as Error).message ?? err));
  }
}
