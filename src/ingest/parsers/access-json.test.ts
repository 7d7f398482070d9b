import { field, lineContext, event, reason } from '../../../test/fixtures/ingest/context';
import type { SourceFormat } from '../../directory/types';
import { processLine, type LineResult } from '../process-line';

const json = (doc: unknown, format: SourceFormat = 'json'): LineResult => processLine(JSON.stringify(doc), doc, lineContext('access', format));
const LINE = '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/?id=1 HTTP/1.1" 200 203023 "http://semicomplete.com/" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"';

describe('access + json: the short nginx `log_format json` shape', () => {
  const doc = {
    time_iso8601: '2026-11-23T08:15:42+07:00', remote_addr: '203.0.113.7', remote_user: '-', request: 'GET /dvc/tra-cuu?ma=HS01 HTTP/1.1',
    status: '403', body_bytes_sent: '512', http_referer: 'https://dvc.gov.vn/', http_user_agent: 'curl/8.5.0', request_time: '0.120', server_name: 'dvc',
  };

  it('maps to ECS and drops the short keys', () => {
    const e = event(json(doc));
    expect(e['@timestamp']).toBe('2026-11-23T01:15:42.000Z');
    expect(field(e, 'source.ip')).toBe('203.0.113.7');
    expect(field(e, 'user')).toBeUndefined();
    expect(field(e, 'http.request.method')).toBe('GET');
    expect(field(e, 'http.version')).toBe('1.1');
    expect(field(e, 'url.path')).toBe('/dvc/tra-cuu');
    expect(field(e, 'url.query')).toBe('ma=HS01');
    expect(field(e, 'http.response.status_code')).toBe(403);
    expect(field(e, 'http.response.body.bytes')).toBe(512);
    expect(field(e, 'http.request.referrer')).toBe('https://dvc.gov.vn/');
    expect(field(e, 'user_agent.original')).toBe('curl/8.5.0');
    expect(field(e, 'event.duration')).toBe(120_000_000);
    expect(field(e, 'event.outcome')).toBe('failure');
    expect(e.server_name).toBe('dvc'); // unknown keys are kept
    for (const k of ['remote_addr', 'request', 'status', 'body_bytes_sent', 'http_user_agent', 'time_iso8601']) expect(e[k]).toBeUndefined();
    expect(JSON.parse(field(e, 'event.original') as string)).toEqual(doc);
  });

  it('accepts method + uri + args instead of request', () => {
    const e = event(json({ method: 'get', uri: '/a', args: 'b=1', status: 200, timestamp: 1763860542 }));
    expect(field(e, 'http.request.method')).toBe('GET');
    expect(field(e, 'url.original')).toBe('/a?b=1');
    expect(e['@timestamp']).toBe('2025-11-23T01:15:42.000Z');
  });

  it('rejects wrong types and bad timestamps with the field name', () => {
    expect(reason(json({ status: 'OK', request: 'GET / HTTP/1.1' }))).toBe('access JSON: field "status" must be an integer from 0 to 999, got "OK"');
    expect(reason(json({ status: 200, time: 'yesterday' }))).toBe('invalid timestamp "yesterday" in "time"');
    expect(reason(json({ hello: 'world' }))).toMatch(/^access JSON: no access-log fields found/);
    expect(reason(json([1, 2]))).toBe('access JSON: expected a JSON object or a text line, got an array');
    expect(reason(json(null))).toBe('access JSON: expected a JSON object or a text line, got null');
  });
});

describe('access + json: ECS documents', () => {
  it('accepts nested ECS as it is', () => {
    const doc = {
      '@timestamp': '2026-11-23T01:00:00.123Z',
      source: { ip: '2001:db8::7', geo: { country_iso_code: 'VN' } },
      http: { request: { method: 'POST' }, response: { status_code: 201, body: { bytes: 10 } } },
      url: { original: '/api/v1/x' },
      user_agent: { original: 'okhttp/4.9.0' },
      event: { duration: 5_000_000, module: 'nginx' },
    };
    const e = event(json(doc));
    expect(e['@timestamp']).toBe('2026-11-23T01:00:00.123Z');
    expect(field(e, 'source.geo.country_iso_code')).toBe('VN');
    expect(field(e, 'http.response.status_code')).toBe(201);
    expect(field(e, 'url.path')).toBe('/api/v1/x');
    expect(field(e, 'event.duration')).toBe(5_000_000);
    expect(field(e, 'event.module')).toBe('nginx');
    expect(field(e, 'event.dataset')).toBe('web.access');
  });

  it('accepts dotted ECS keys', () => {
    const e = event(json({ '@timestamp': '2026-11-23T01:00:00Z', 'source.ip': '198.51.100.2', 'http.response.status_code': 500, 'url.original': '/x?y=1', 'http.request.method': 'GET' }));
    expect(field(e, 'http.response.status_code')).toBe(500);
    expect(field(e, 'url.query')).toBe('y=1');
    expect(field(e, 'source.ip')).toBe('198.51.100.2');
    expect(e['http.response.status_code']).toBeUndefined();
  });
});

describe('shipper envelopes', () => {
  it('parses Filebeat `message` on a text source and keeps the shipper fields', () => {
    const e = event(json({ '@timestamp': '2026-11-23T02:00:00Z', message: LINE, host: { name: 'web01' }, log: { file: { path: '/var/log/apache2/access.log' } }, agent: { type: 'filebeat' } }, 'apache_combined'));
    expect(e['@timestamp']).toBe('2015-05-17T10:05:03.000Z'); // the line's time, not the shipper's
    expect(field(e, 'http.response.status_code')).toBe(200);
    expect(field(e, 'user_agent.name')).toBe('Firefox');
    expect(field(e, 'host.name')).toBe('web01');
    expect(field(e, 'log.file.path')).toBe('/var/log/apache2/access.log');
    expect(e.message).toBeUndefined();
    expect(field(e, 'event.original')).toBe(LINE);
  });

  it('parses Fluent Bit `log` and ECS `event.original`', () => {
    expect(field(event(json({ log: `${LINE}\n`, stream: 'stdout' }, 'nginx_combined')), 'url.path')).toBe('/presentations/');
    expect(field(event(json({ event: { original: LINE } }, 'apache_combined')), 'url.path')).toBe('/presentations/');
    expect(field(event(json({ 'event.original': LINE }, 'apache_combined')), 'url.path')).toBe('/presentations/');
  });

  it('reads a JSON document posted as a text line', () => {
    const e = event(processLine(JSON.stringify({ message: LINE }), undefined, lineContext('access', 'apache_combined')));
    expect(field(e, 'http.response.status_code')).toBe(200);
  });

  it('treats an ECS document without a line on a text source as JSON access', () => {
    const e = event(json({ 'http.response.status_code': 404, 'url.original': '/missing' }, 'nginx_combined'));
    expect(field(e, 'event.outcome')).toBe('failure');
  });

  it('parses a wrapped line on a json source when there are no access fields', () => {
    expect(field(event(json({ message: LINE })), 'http.response.status_code')).toBe(200);
  });

  it('reports the line problem for a bad wrapped line', () => {
    expect(reason(json({ message: 'garbage' }, 'apache_combined'))).toBe('does not match apache_combined: expected "[timestamp]" after client, ident and user');
    expect(reason(json({ message: '' }, 'apache_combined'))).toBe('"message" is empty');
  });
});
