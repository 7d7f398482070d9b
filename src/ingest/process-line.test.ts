import { field, lineContext, NOW, RECEIVED_AT, event, reason } from '../../test/fixtures/ingest/context';
import { processLine, type LineResult } from './process-line';
import type { SourceFormat } from '../directory/types';

const access = (line: string, format: SourceFormat = 'apache_combined', parsed?: unknown): LineResult =>
  processLine(line, parsed, lineContext('access', format));

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

describe('nginx_combined', () => {
  const line = `203.0.113.7 - alice [23/Nov/2026:08:15:42 +0700] "POST /dvc/api/ho-so?page=2 HTTP/2.0" 502 157 "https://dichvucong.hanoi.gov.vn/" "${CHROME}" 0.845`;

  it('maps every field a user checks', () => {
    const e = event(access(line, 'nginx_combined'));
    expect(e['@timestamp']).toBe('2026-11-23T01:15:42.000Z');
    expect(field(e, 'source.ip')).toBe('203.0.113.7');
    expect(field(e, 'user.name')).toBe('alice');
    expect(field(e, 'http.request.method')).toBe('POST');
    expect(field(e, 'http.version')).toBe('2.0');
    expect(field(e, 'http.response.status_code')).toBe(502);
    expect(field(e, 'http.response.body.bytes')).toBe(157);
    expect(field(e, 'url.original')).toBe('/dvc/api/ho-so?page=2');
    expect(field(e, 'url.path')).toBe('/dvc/api/ho-so');
    expect(field(e, 'url.query')).toBe('page=2');
    expect(field(e, 'http.request.referrer')).toBe('https://dichvucong.hanoi.gov.vn/');
    expect(field(e, 'user_agent.original')).toBe(CHROME);
    expect(field(e, 'user_agent.name')).toBe('Chrome');
    expect(field(e, 'user_agent.os.name')).toBe('Windows');
    expect(field(e, 'event.duration')).toBe(845_000_000);
    expect(field(e, 'event.outcome')).toBe('failure');
    expect(field(e, 'event.category')).toEqual(['web']);
    expect(field(e, 'event.type')).toEqual(['access']);
    expect(field(e, 'event.kind')).toBe('event');
    expect(field(e, 'event.dataset')).toBe('web.access');
    expect(field(e, 'event.original')).toBe(line);
    expect(field(e, 'event.created')).toBe(new Date(RECEIVED_AT).toISOString());
    expect(field(e, 'event.ingested')).toBe(new Date(NOW).toISOString());
    expect(typeof field(e, 'event.id')).toBe('string');
    expect(e.organization).toEqual({ id: '00004' });
    expect(e.canh).toEqual({ source_id: 'src-hanoi-dvc', province: '01' });
  });

  it('reads X-Forwarded-For before the request time', () => {
    const e = event(access(`10.0.0.5 - - [23/Nov/2026:08:15:42 +0700] "GET / HTTP/1.1" 200 5 "-" "curl/8.5.0" "198.51.100.9, 10.0.0.1" 0.002`, 'nginx_combined'));
    expect(field(e, 'related.ip')).toEqual(['10.0.0.5', '198.51.100.9', '10.0.0.1']);
    expect(field(e, 'event.duration')).toBe(2_000_000);
    expect(field(e, 'http.request.referrer')).toBeUndefined();
  });

  it('has no duration or bytes when the line has none', () => {
    const e = event(access(`1.2.3.4 - - [23/Nov/2026:08:15:42 +0700] "HEAD / HTTP/1.1" 304 - "-" "-"`, 'nginx_combined'));
    expect(field(e, 'event.duration')).toBeUndefined();
    expect(field(e, 'http.response.body')).toBeUndefined();
    expect(field(e, 'user_agent')).toBeUndefined();
    expect(field(e, 'user')).toBeUndefined();
    expect(field(e, 'event.outcome')).toBe('success');
  });

  it('requires referrer and user agent', () => {
    expect(reason(access(`1.2.3.4 - - [23/Nov/2026:08:15:42 +0700] "GET / HTTP/1.1" 200 5`, 'nginx_combined')))
      .toBe('does not match nginx_combined: expected quoted referrer after size');
  });

  it('decodes nginx \\xHH escapes (quotes, UTF-8)', () => {
    const e = event(access(`1.2.3.4 - - [23/Nov/2026:08:15:42 +0700] "GET /tra-c\\xE1\\xBB\\xA9u?q=\\x22x\\x22 HTTP/1.1" 200 5 "-" "a\\x22b"`, 'nginx_combined'));
    expect(field(e, 'url.original')).toBe('/tra-cứu?q="x"');
    expect(field(e, 'user_agent.original')).toBe('a"b');
  });
});

describe('apache_common and apache_combined', () => {
  it('parses apache_common with a "-" size and an IPv6 client', () => {
    const e = event(access(`2001:db8::1 - bob [17/May/2015:10:05:03 +0000] "GET /index.html HTTP/1.0" 404 -`, 'apache_common'));
    expect(field(e, 'source.ip')).toBe('2001:db8::1');
    expect(field(e, 'user.name')).toBe('bob');
    expect(field(e, 'http.response.status_code')).toBe(404);
    expect(field(e, 'http.response.body.bytes')).toBeUndefined();
    expect(field(e, 'http.version')).toBe('1.0');
    expect(field(e, 'event.outcome')).toBe('failure');
  });

  it('reads a trailing Apache %D as microseconds and %T with a dot as seconds', () => {
    const d = event(access(`1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 10 "-" "x" 1534`));
    expect(field(d, 'event.duration')).toBe(1_534_000);
    const t = event(access(`1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 10 1.5`, 'apache_common'));
    expect(field(t, 'event.duration')).toBe(1_500_000_000);
  });

  it('keeps host names as source.domain', () => {
    const e = event(access(`crawl-66-249-73-135.googlebot.com - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 10`, 'apache_common'));
    expect(field(e, 'source.ip')).toBeUndefined();
    expect(field(e, 'source.domain')).toBe('crawl-66-249-73-135.googlebot.com');
    expect(field(e, 'source.address')).toBe('crawl-66-249-73-135.googlebot.com');
  });

  it('unescapes \\" inside quoted fields', () => {
    const e = event(access(`1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /search?q=\\"union select\\" HTTP/1.1" 200 10 "-" "say \\"hi\\" \\\\o/"`));
    expect(field(e, 'url.query')).toBe('q="union select"');
    expect(field(e, 'user_agent.original')).toBe('say "hi" \\o/');
  });

  it('keeps requests that are not METHOD URL PROTO as url.original without a method', () => {
    for (const req of ['-', '\\x16\\x03\\x01\\x00\\xCA\\x01', 'garbage here']) {
      const e = event(access(`1.2.3.4 - - [17/May/2015:10:05:03 +0000] "${req}" 400 0 "-" "-"`));
      expect(field(e, 'http.request.method')).toBeUndefined();
      expect(typeof field(e, 'url.original')).toBe('string');
      expect(field(e, 'http.response.status_code')).toBe(400);
    }
    const e = event(access(`1.2.3.4 - - [17/May/2015:10:05:03 +0000] "-" 408 0 "-" "-"`));
    expect(field(e, 'url.original')).toBe('-');
  });

  it('splits absolute URLs and URLs with spaces', () => {
    const e = event(access(`1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET http://user:pw@example.vn:8080/a b?x=1#f HTTP/1.1" 200 1 "-" "-"`));
    expect(field(e, 'url.original')).toBe('http://user:pw@example.vn:8080/a b?x=1#f');
    expect(field(e, 'url.domain')).toBe('example.vn');
    expect(field(e, 'url.port')).toBe(8080);
    expect(field(e, 'url.path')).toBe('/a b');
    expect(field(e, 'url.query')).toBe('x=1');
    expect(field(e, 'url.fragment')).toBe('f');
  });

  it('accepts a user agent cut off before its closing quote', () => {
    const e = event(access(`46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /x.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html`));
    expect(field(e, 'user_agent.original')).toBe('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html');
  });

  it('tolerates unescaped quotes in the request of old servers', () => {
    const e = event(access(`1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a"b HTTP/1.1" 200 1 "-" "-"`));
    expect(field(e, 'url.original')).toBe('/a"b');
  });

  it('reads referrer and user agent on apache_common when present', () => {
    const e = event(access(`1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "http://r/" "curl/8"`, 'apache_common'));
    expect(field(e, 'http.request.referrer')).toBe('http://r/');
    expect(field(e, 'user_agent.original')).toBe('curl/8');
  });
});

describe('text dead letters', () => {
  const cases: [string, string][] = [
    ['', 'line is empty'],
    ['   \t', 'line is empty'],
    ['hello world', 'does not match apache_combined: expected "[timestamp]" after client, ident and user'],
    ['1.2.3.4 - - [17/Foo/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"', 'invalid timestamp "17/Foo/2015:10:05:03 +0000"'],
    ['1.2.3.4 - - [31/Feb/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"', 'invalid timestamp "31/Feb/2015:10:05:03 +0000"'],
    ['1.2.3.4 - - [17/May/2015:10:05:03 +0000 "GET / HTTP/1.1" 200 1', 'does not match apache_combined: unterminated "[timestamp]"'],
    ['1.2.3.4 - - [17/May/2015:10:05:03 +0000] GET / HTTP/1.1 200 1', 'does not match apache_combined: expected quoted request after timestamp'],
    ['1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1', 'does not match apache_combined: unterminated quoted request'],
    ['1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 abc "-" "-"', 'does not match apache_combined: expected size in bytes or "-" after status, got "abc"'],
    ['1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-"', 'does not match apache_combined: expected quoted user agent after referrer'],
    ['1.2.3.4 [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"', 'does not match apache_combined: expected client address, ident and user before "[timestamp]"'],
  ];
  it.each(cases)('%j → %s', (line, expected) => {
    expect(reason(access(line))).toBe(expected);
  });
});

describe('line hygiene', () => {
  it('strips a byte-order mark and a trailing CR', () => {
    const e = event(access('\ufeff1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"\r'));
    expect(field(e, 'event.original')).toBe('1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"');
  });

  it('names the expected shape for lines wrapped in JSON on a json source', () => {
    expect(reason(processLine('', { message: 'nope' }, lineContext('access', 'json'))))
      .toBe('does not match an nginx/Apache access line: expected "[timestamp]" after client, ident and user');
  });
});

describe('every event', () => {
  it('uses the source locality, whatever a JSON document claims', () => {
    const e = event(processLine('', { status: 200, request: 'GET / HTTP/1.1', organization: { id: '99999', name: 'x' }, canh: { source_id: 'evil', province: '99' } },
      lineContext('access', 'json', { source: { province: null } })));
    expect(e.organization).toEqual({ id: '00004' });
    expect(e.canh).toEqual({ source_id: 'src-hanoi-dvc' });
  });

  it('gets receivedAt as @timestamp when the input has no time', () => {
    const e = event(processLine('', { status: 200, request: 'GET / HTTP/1.1' }, lineContext('access', 'json')));
    expect(e['@timestamp']).toBe(new Date(RECEIVED_AT).toISOString());
  });

  it('has no dotted keys anywhere', () => {
    const e = event(processLine('', { 'http.response.status_code': 200, 'url.original': '/a', 'labels.team.name': 'x' }, lineContext('access', 'json')));
    const walk = (v: unknown): void => {
      if (v === null || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v)) {
        if (k !== '@timestamp') expect(k).not.toContain('.');
        walk(x);
      }
    };
    walk(e);
    expect(field(e, 'labels.team.name')).toBe('x');
  });

  it('gives the same id for a retried batch and a different one for another line or batch', () => {
    const line = '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"';
    const id = (over: object): unknown => field(event(processLine(line, undefined, lineContext('access', 'apache_combined', over))), 'event.id');
    expect(id({ line: 3 })).toBe(id({ line: 3 }));
    expect(id({ line: 3 })).not.toBe(id({ line: 4 }));
    expect(id({ line: 3 })).not.toBe(id({ line: 3, batchId: 'batch-2' }));
    expect(id({ docId: 'abc', line: 1 })).toBe(id({ docId: 'abc', line: 9, batchId: 'other' }));
  });
});
