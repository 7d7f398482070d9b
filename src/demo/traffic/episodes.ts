import { accessLine, type OtpEvent, type Request, type Rng } from './lines';

/** An episode's lines per tick: `total` spread evenly over the episode's length. */
export function perTick(total: number, tickMs: number, forMs: number): number {
  return Math.max(1, Math.ceil((total * tickMs) / forMs));
}

/** Credential stuffing on the portal's login page from one address: 401s and a few 403s. */
export function bruteForceLines(ms: number, n: number, rng: Rng): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r: Request = {
      ip: '45.134.26.91', method: 'POST', target: rng.chance(0.8) ? '/dvc/dang-nhap' : '/dvc/DangNhap?returnUrl=%2Fdvc%2F',
      status: rng.chance(0.9) ? 401 : 403, bytes: 312, referrer: 'https://dichvucong.gov.vn/dvc/dang-nhap',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36',
    };
    out.push(accessLine(ms + i * 37, r, 0.08 + rng.next() / 10));
  }
  return out;
}

const SQLMAP = 'sqlmap/1.8.11#stable (https://sqlmap.org)';
const NIKTO = 'Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000562)';
const SQLI = [
  "/dvc/thu-tuc?id=1.004227%27%20OR%201%3D1--",
  '/dvc/tra-cuu-ho-so?ma=H01%27%20UNION%20ALL%20SELECT%20NULL,NULL,table_name%20FROM%20information_schema.tables--',
  '/dvc/thu-tuc?id=1%20AND%20SLEEP(5)',
  '/api/ho-so/trang-thai?ma=1%20union%20select%20username,password%20from%20users--',
];
const TRAVERSAL = [
  '/static/../../../../etc/passwd', '/cgi-bin/..%2f..%2f..%2f..%2fetc/passwd', '/dvc/tai-lieu?file=../../../../windows/win.ini',
  '/images/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/shadow',
];
const PROBES = ['/phpmyadmin/', '/.env', '/wp-login.php', '/admin/config.php', '/backup.zip', '/.git/config', '/server-status'];

/** A scanner run from one address: sqlmap's injections, then Nikto's path traversals and probes. */
export function scannerLines(ms: number, n: number, rng: Rng): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const sqlmap = rng.chance(0.5);
    const target = sqlmap ? rng.pick(SQLI) : rng.chance(0.5) ? rng.pick(TRAVERSAL) : rng.pick(PROBES);
    const status = sqlmap ? rng.pick([200, 500, 403]) : rng.pick([404, 403, 400]);
    const r: Request = { ip: '103.145.13.77', method: 'GET', target, status, bytes: rng.int(150, 4000), referrer: '-', userAgent: sqlmap ? SQLMAP : NIKTO };
    out.push(accessLine(ms + i * 53, r, rng.next() / 5));
  }
  return out;
}

/** Citizens of a commune using the OTP login normally: most codes verify at the first try. */
export function normalOtp(rng: Rng, commune: string, flows: number): OtpEvent[] {
  const out: OtpEvent[] = [];
  for (let i = 0; i < flows; i++) {
    const userId = `cd-${commune}-${rng.int(1000, 9999)}`;
    out.push({ action: 'otp-requested', userId }, { action: 'otp-sent', userId });
    if (rng.chance(0.1)) out.push({ action: 'otp-verify-failed', userId, reason: 'wrong-code' });
    out.push(rng.chance(0.04) ? { action: 'otp-expired', userId, reason: 'expired' } : { action: 'otp-verified', userId });
  }
  return out;
}

/** The SMS gateway fails in a province: codes arrive late or never, citizens type stale codes. */
export function otpWave(rng: Rng, commune: string, n: number): OtpEvent[] {
  const out: OtpEvent[] = [];
  for (let i = 0; i < n; i++) {
    const userId = `cd-${commune}-${rng.int(1000, 9999)}`;
    out.push({ action: 'otp-requested', userId });
    const roll = rng.next();
    if (roll < 0.3) out.push({ action: 'otp-delivery-failed', userId, reason: 'gateway-timeout' });
    else if (roll < 0.6) out.push({ action: 'otp-sent', userId }, { action: 'otp-expired', userId, reason: 'expired' });
    else if (roll < 0.9) out.push({ action: 'otp-sent', userId }, { action: 'otp-verify-failed', userId, reason: 'wrong-code' });
    else out.push({ action: 'otp-sent', userId }, { action: 'otp-verified', userId });
  }
  return out;
}
