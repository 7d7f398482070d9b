import { event, field, lineContext, reason } from '../../test/fixtures/ingest/context';
import { processLine } from '../ingest/process-line';
import { frameToLine, oversizeLine } from './frame-line';

const syslog = (line: string) => processLine(line, undefined, lineContext('access', 'syslog'));
const ACCESS = '203.0.113.7 - - [23/Nov/2026:09:00:01 +0700] "GET /wp-login.php?u=1 HTTP/1.1" 404 153 "-" "sqlmap/1.7"';

describe('a source of format syslog (processLine)', () => {
  it('turns an nginx access line sent with access_log syslog:server=... into a web.access event of the source\'s locality', () => {
    const e = event(syslog(`<190>Nov 23 09:00:02 claimed-host nginx: ${ACCESS}`));
    expect(field(e, 'event.dataset')).toBe('web.access');
    expect(e['@timestamp']).toBe('2026-11-23T02:00:01.000Z'); // the access line's own time
    expect(field(e, 'organization.id')).toBe('00004');
    expect(field(e, 'source.ip')).toBe('203.0.113.7');
    expect(field(e, 'url.path')).toBe('/wp-login.php');
    expect(field(e, 'http.response.status_code')).toBe(404);
    expect(field(e, 'log.syslog')).toMatchObject({ hostname: 'claimed-host', appname: 'nginx', facility: { code: 23, name: 'local7' }, severity: { code: 6, name: 'informational' } });
    expect(field(e, 'event.original')).toBe(`<190>Nov 23 09:00:02 claimed-host nginx: ${ACCESS}`);
  });

  it('stores any other message as a syslog event with message, host, process, level and log.syslog fields', () => {
    const e = event(syslog('<86>1 2026-11-23T09:00:03+07:00 gw-01 sshd 4242 AUTH [origin ip="10.0.0.1"] Failed password for root from 198.51.100.9'));
    expect(field(e, 'event.dataset')).toBe('syslog');
    expect(e['@timestamp']).toBe('2026-11-23T02:00:03.000Z');
    expect(field(e, 'organization.id')).toBe('00004');
    expect(field(e, 'message')).toBe('Failed password for root from 198.51.100.9');
    expect(field(e, 'host.hostname')).toBe('gw-01');
    expect(field(e, 'process.name')).toBe('sshd');
    expect(field(e, 'process.pid')).toBe(4242);
    expect(field(e, 'log.level')).toBe('informational');
    expect(field(e, 'log.syslog')).toEqual({
      priority: 86, facility: { code: 10, name: 'authpriv' }, severity: { code: 6, name: 'informational' }, version: '1',
      hostname: 'gw-01', appname: 'sshd', procid: '4242', msgid: 'AUTH', structured_data: { origin: { ip: '10.0.0.1' } },
    });
  });

  it('keeps a multi-line message as one line (control characters escaped) and masks phone numbers in it', () => {
    const line = frameToLine(Buffer.from('<14>Nov 23 09:00:00 h app: OTP to 0912345678\nsecond line\u0000\n'));
    expect(line).toBe('<14>Nov 23 09:00:00 h app: OTP to 0912345678#012second line');
    const e = event(syslog(line));
    expect(field(e, 'message')).not.toContain('0912345678');
  });

  it('dead-letters what is not syslog and frames over the cap, with the reason', () => {
    expect(reason(syslog('this is not syslog at all'))).toContain('expected "<PRI>"');
    expect(reason(syslog('<34>1 2026-11-23T09:00:00 h a - - - x'))).toContain('RFC 3339');
    expect(reason(syslog(oversizeLine(70_000, 65_536, Buffer.from('<13>Nov 23 09:00:00 h app: aaaa'))))).toBe('syslog frame of 70000 bytes is over the 65536-byte cap (its first 1024 bytes kept)');
  });

  it('never lets structured data names reach the prototype or read as nesting', () => {
    const e = event(syslog('<13>1 - h app - - [__proto__ a="1"][x.y b.c="2"] m'));
    expect(field(e, 'log.syslog.structured_data')).toEqual({ x_y: { b_c: '2' } });
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});
