import { existsSync, readFileSync } from 'node:fs';

/** A small seeded random generator (mulberry32): the same seed replays the same traffic. */
export class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** `23/Nov/2026:09:00:01 +0700`: nginx's $time_local in Vietnam time. */
export function nginxTime(ms: number): string {
  const d = new Date(ms + 7 * 3600_000);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0700`;
}

/** ISO 8601 in Vietnam time, as the OTP service and the probes write it. */
export function isoVn(ms: number): string {
  return new Date(ms + 7 * 3600_000).toISOString().replace('Z', '+07:00');
}

export interface Request {
  readonly ip: string;
  readonly method: string;
  readonly target: string;
  readonly status: number;
  readonly bytes: number;
  readonly referrer: string;
  readonly userAgent: string;
}

/** One nginx `combined` line, with `$request_time` (seconds) at the end. */
export function accessLine(ms: number, r: Request, seconds: number): string {
  const q = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `${r.ip} - - [${nginxTime(ms)}] "${r.method} ${q(r.target)} HTTP/1.1" ${r.status} ${r.bytes} "${q(r.referrer)}" "${q(r.userAgent)}" ${seconds.toFixed(3)}`;
}

const COMBINED = /^(\S+) \S+ \S+ \[[^\]]+\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"/;
/** Lines of the sample that would look like an attack to a rule: normal traffic must stay normal. */
const ATTACK_LIKE = /\.\.|%2e|passwd|union|select|script|sleep|benchmark|onerror|onload|javascript|alert|login|admin|xmlrpc|sqlmap|nikto|nmap|masscan/i;

/**
 * Requests of the real Apache log of ../shared/data (Elastic's examples, May 2015), replayed with
 * today's time on the demo's portals; null when the file is not there (a package without the
 * repository's shared data): the demo then generates all its traffic.
 */
export function loadSampleRequests(file: string): Request[] | null {
  if (!existsSync(file)) return null;
  const out: Request[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = COMBINED.exec(line);
    if (!m || ATTACK_LIKE.test(line) || Number(m[4]) >= 400) continue;
    out.push({ ip: m[1], method: m[2], target: m[3], status: Number(m[4]), bytes: m[5] === '-' ? 0 : Number(m[5]), referrer: m[6], userAgent: m[7] });
  }
  return out.length ? out : null;
}

export const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; SM-A556E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
];

const PORTAL_PAGES = [
  '/', '/dvc/', '/dvc/thu-tuc-hanh-chinh', '/dvc/thu-tuc?id=1.004227', '/dvc/thu-tuc?id=2.000986', '/dvc/tra-cuu-ho-so',
  '/dvc/tra-cuu-ho-so?ma=H01.99-241123-0001', '/dvc/nop-ho-so/dang-ky-khai-sinh', '/dvc/nop-ho-so/cap-ban-sao-trich-luc',
  '/dvc/thanh-toan/phi-le-phi', '/tin-tuc/thong-bao-lich-tiep-cong-dan', '/static/css/main.css', '/static/js/app.js',
  '/static/img/logo.png', '/api/ho-so/trang-thai?ma=H01.99-241123-0042', '/favicon.ico',
];

/** A citizen's request to a commune's public-service portal. */
export function portalRequest(rng: Rng, ip: string): Request {
  const target = rng.pick(PORTAL_PAGES);
  const post = target.startsWith('/dvc/nop-ho-so') && rng.chance(0.5);
  const status = rng.chance(0.04) ? 404 : target.startsWith('/static') && rng.chance(0.3) ? 304 : post ? 201 : 200;
  return { ip, method: post ? 'POST' : 'GET', target, status, bytes: status === 304 ? 0 : rng.int(300, 60_000), referrer: rng.chance(0.6) ? 'https://dichvucong.gov.vn/' : '-', userAgent: rng.pick(BROWSERS) };
}

/** A citizen's address: Vietnamese ISP ranges of the documentation style (not real subscribers). */
export function citizenIp(rng: Rng): string {
  return `${rng.pick(['14.160', '27.72', '113.161', '115.73', '171.224', '42.116'])}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

export interface OtpEvent {
  readonly action: 'otp-requested' | 'otp-sent' | 'otp-delivery-failed' | 'otp-verified' | 'otp-verify-failed' | 'otp-expired' | 'otp-locked';
  readonly userId: string;
  readonly reason?: string;
}

/**
 * The JSON line the OTP service of a portal writes (docs/sources.md short shape). It carries the
 * phone number and the code, as real services do: Canh removes them before storing.
 */
export function otpLine(ms: number, e: OtpEvent, rng: Rng, provider: string): string {
  return JSON.stringify({
    timestamp: isoVn(ms), action: e.action, user_id: e.userId, service: 'dvc-portal', provider, channel: 'sms',
    phone: `09${rng.int(10_000_000, 99_999_999)}`, code: String(rng.int(100_000, 999_999)),
    ...(e.action === 'otp-sent' ? { delivery_ms: rng.int(400, 3000) } : {}),
    ...(e.reason ? { reason: e.reason } : {}), ip: `113.161.${rng.int(0, 255)}.${rng.int(1, 254)}`,
  });
}

/** The JSON line a Heartbeat at another location sends for one check (docs/sources.md, probe). */
export function probeLine(ms: number, p: { monitorId: string; name: string; url: string; up: boolean; statusCode: number | null; durationMs: number; error?: string; observer: string }): string {
  return JSON.stringify({
    timestamp: isoVn(ms), monitor_id: p.monitorId, name: p.name, type: 'http', status: p.up ? 'up' : 'down', duration_ms: p.durationMs,
    url: p.url, ...(p.statusCode === null ? {} : { status_code: p.statusCode }), ...(p.error ? { error: p.error } : {}), observer: p.observer,
  });
}
