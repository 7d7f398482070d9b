import * as fs from 'node:fs';
import fc from 'fast-check';
import { lineContext, sharedDataFile } from '../../test/fixtures/ingest/context';
import type { SourceFormat, SourceKind } from '../directory/types';
import type { LineContext } from './line-context';
import { processLine, type LineResult } from './process-line';

const SOURCES: [SourceKind, SourceFormat][] = [
  ['access', 'nginx_combined'], ['access', 'apache_common'], ['access', 'apache_combined'], ['access', 'json'], ['otp', 'json'], ['probe', 'json'],
];
const source = fc.constantFrom(...SOURCES).map(([k, f]) => lineContext(k, f, { line: 3 }));

/** What every result must look like, whatever the input. */
function wellFormed(r: LineResult, ctx: LineContext): boolean {
  if (!r.ok) return typeof r.reason === 'string' && r.reason.length > 0 && r.reason.length <= 301;
  const e = r.event as Record<string, any>;
  return typeof e['@timestamp'] === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e['@timestamp'])
    && typeof e.event?.id === 'string' && typeof e.event?.dataset === 'string' && typeof e.event?.original === 'string'
    && e.organization?.id === ctx.source.locality && e.canh?.source_id === ctx.source.id
    && Object.keys(e).every((k) => k === '@timestamp' || !k.includes('.'));
}

const sample = fs.readFileSync(sharedDataFile('apache_access_elastic_examples.log'), 'utf8').split('\n').filter((l) => l !== '').slice(0, 500);

describe('processLine never throws', () => {
  it('on random strings (any unicode, NUL bytes, lone surrogates)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), source, (s, ctx) => wellFormed(processLine(s, undefined, ctx), ctx)), { numRuns: 2000 });
  });

  it('on real lines cut anywhere or with a byte changed', () => {
    const mutated = fc.tuple(fc.constantFrom(...sample), fc.nat(), fc.nat(), fc.string({ maxLength: 3 })).map(([l, a, b, s]) => {
      const i = a % (l.length + 1);
      return b % 2 === 0 ? l.slice(0, i) : l.slice(0, i) + s + l.slice(i + 1);
    });
    fc.assert(fc.property(mutated, source, (s, ctx) => wellFormed(processLine(s, undefined, ctx), ctx)), { numRuns: 3000 });
  });

  it('on random JSON values, passed parsed and as text', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), source, (v, ctx) => {
      const text = JSON.stringify(v) ?? 'null';
      return wellFormed(processLine(text, v, ctx), ctx) && wellFormed(processLine(text, undefined, ctx), ctx);
    }), { numRuns: 2000 });
  });

  it('on objects built from the keys the parsers look for', () => {
    const keys = fc.constantFrom('@timestamp', 'timestamp', 'time', 'message', 'log', 'event', 'event.original', 'event.action', 'action', 'status',
      'request', 'url', 'url.original', 'http', 'source.ip', 'remote_addr', 'monitor', 'monitor.status', 'monitor_id', 'phone', 'code', 'otp',
      'destination', 'user_agent', 'agent', 'organization', 'canh', '__proto__', 'constructor', 'prototype', 'a..b', '.');
    const values = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('up', 'down', 'otp-sent', 200, '2026-11-23T00:00:00Z', sample[0], '0912345678', -1, 1e308));
    const doc = fc.dictionary(keys, values, { maxKeys: 8 });
    fc.assert(fc.property(doc, source, (d, ctx) => {
      const r = processLine(JSON.stringify(d), d, ctx);
      return wellFormed(r, ctx) && (!r.ok || JSON.stringify(r.event).indexOf('__proto__') < 0);
    }), { numRuns: 3000 });
  });

  it('on hostile inputs', () => {
    const ctxs = SOURCES.map(([k, f]) => lineContext(k, f));
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const cyclic: Record<string, unknown> = { status: 200 };
    cyclic.self = cyclic;
    const inputs: [string, unknown][] = [
      ['', undefined], ['\u0000\u0000', undefined], ['['.repeat(100_000), undefined], ['{"a":'.repeat(50_000), undefined],
      ['x'.repeat(2_000_000), undefined], [`1.2.3.4 - - [17/May/2015:10:05:03 +0000] "${'A'.repeat(500_000)}" 200 1 "-" "-"`, undefined],
      ['{}', deep], ['{}', cyclic], ['null', null], ['[]', []], ['1', 1], ['"x"', 'x'], ['{}', Object.create(null)],
      ['{}', { get status(): never { throw new Error('boom'); } }], ['{}', JSON.parse('{"__proto__":{"polluted":1},"status":200,"request":"GET / HTTP/1.1"}')],
    ];
    for (const ctx of ctxs) for (const [raw, parsed] of inputs) expect(wellFormed(processLine(raw, parsed, ctx), ctx)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
