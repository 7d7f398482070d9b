import { parseSyslog } from './parse-message';

const RECEIVED = Date.parse('2026-11-23T02:00:05Z'); // 09:00:05 in Hà Nội

describe('parseSyslog: RFC 3164', () => {
  it('reads nginx access_log syslog output: PRI, BSD time in UTC+7 this year, host, tag, the line', () => {
    const line = '<190>Nov 23 09:00:01 web-01 nginx: 203.0.113.7 - - [23/Nov/2026:09:00:01 +0700] "GET / HTTP/1.1" 200 5 "-" "curl/8"';
    const r = parseSyslog(line, RECEIVED);
    expect(r).toEqual({
      ok: true,
      value: {
        format: 'rfc3164', priority: 190, facility: 23, severity: 6, timestamp: Date.parse('2026-11-23T02:00:01Z'),
        hostname: 'web-01', appName: 'nginx', message: '203.0.113.7 - - [23/Nov/2026:09:00:01 +0700] "GET / HTTP/1.1" 200 5 "-" "curl/8"',
      },
    });
  });

  it('reads a tag with a pid and a space-padded day, and picks last year for a December message received in January', () => {
    const r = parseSyslog('<13>Dec 31 23:59:59 host sshd[4242]: Failed password for root', Date.parse('2027-01-01T00:00:10+07:00'));
    expect(r.ok && r.value).toMatchObject({ timestamp: Date.parse('2026-12-31T23:59:59+07:00'), hostname: 'host', appName: 'sshd', procId: '4242', message: 'Failed password for root' });
    const padded = parseSyslog('<13>Nov  3 08:00:00 host cron[1]: tick', RECEIVED);
    expect(padded.ok && padded.value.timestamp).toBe(Date.parse('2026-11-03T08:00:00+07:00'));
  });

  it('accepts an RFC 3339 time in place of the BSD one, and a message with no time at all (kept whole)', () => {
    const r = parseSyslog('<14>2026-11-23T09:00:00.250+07:00 host app: hello', RECEIVED);
    expect(r.ok && r.value).toMatchObject({ timestamp: Date.parse('2026-11-23T02:00:00.250Z'), hostname: 'host', appName: 'app', message: 'hello' });
    const bare = parseSyslog('<14>just text', RECEIVED);
    expect(bare.ok && bare.value).toEqual({ format: 'rfc3164', priority: 14, facility: 1, severity: 6, message: 'just text' });
  });

  it('refuses what has no valid PRI, naming the problem', () => {
    expect(parseSyslog('hello world', RECEIVED)).toEqual({ ok: false, reason: expect.stringContaining('expected "<PRI>"') });
    expect(parseSyslog('<192>Nov 23 09:00:01 h t: x', RECEIVED)).toEqual({ ok: false, reason: expect.stringContaining('<0> to <191>') });
    expect(parseSyslog('<1a>x', RECEIVED).ok).toBe(false);
  });
});

describe('parseSyslog: RFC 5424', () => {
  it('reads every header field, structured data with escapes, and drops the BOM before MSG', () => {
    const line = '<165>1 2026-11-23T09:00:00.003+07:00 mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="App\\"lication\\]"][canh token="tok_0123456789"] \uFEFFAn application event';
    const r = parseSyslog(line, RECEIVED);
    expect(r).toEqual({
      ok: true,
      value: {
        format: 'rfc5424', priority: 165, facility: 20, severity: 5, timestamp: Date.parse('2026-11-23T02:00:00.003Z'),
        hostname: 'mymachine.example.com', appName: 'evntslog', procId: '1234', msgId: 'ID47',
        structuredData: { 'exampleSDID@32473': { iut: '3', eventSource: 'App"lication]' }, canh: { token: 'tok_0123456789' } },
        message: 'An application event',
      },
    });
  });

  it('reads nil fields and no structured data', () => {
    const r = parseSyslog('<34>1 - - - - - - no header fields', RECEIVED);
    expect(r.ok && r.value).toEqual({ format: 'rfc5424', priority: 34, facility: 4, severity: 2, timestamp: undefined, hostname: undefined, appName: undefined, procId: undefined, msgId: undefined, structuredData: undefined, message: 'no header fields' });
  });

  it('refuses a broken header, a time without a zone and unterminated structured data', () => {
    expect(parseSyslog('<34>1 2026-11-23T09:00:00+07:00 host', RECEIVED)).toEqual({ ok: false, reason: expect.stringContaining('expected TIMESTAMP HOSTNAME APP-NAME PROCID MSGID') });
    expect(parseSyslog('<34>1 2026-11-23T09:00:00 host app - - - x', RECEIVED)).toEqual({ ok: false, reason: expect.stringContaining('RFC 3339 time with a zone') });
    expect(parseSyslog('<34>1 - host app - - [id a="b x', RECEIVED)).toEqual({ ok: false, reason: expect.stringContaining('unterminated') });
    expect(parseSyslog('<34>1 - host app - - junk', RECEIVED)).toEqual({ ok: false, reason: expect.stringContaining('expected "-" or "["') });
  });
});
