import { expandDotted, MAX_JSON_DEPTH, sanitizeJson } from './json-doc';

describe('sanitizeJson', () => {
  it('drops prototype-polluting keys at any depth and in dotted keys', () => {
    const input = JSON.parse('{"a":1,"__proto__":{"x":1},"b":{"constructor":{"prototype":{"y":1}},"c":2},"d.__proto__.z":1,"prototype":3}');
    const r = sanitizeJson(input);
    expect(r).toEqual({ ok: true, value: { a: 1, b: { c: 2 } } });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses documents nested too deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) deep = { a: deep };
    expect(sanitizeJson(deep)).toEqual({ ok: false, reason: `JSON document is nested deeper than ${MAX_JSON_DEPTH} levels` });
  });
});

describe('expandDotted', () => {
  it('nests dotted keys and merges them with objects', () => {
    expect(expandDotted({ 'http.response.status_code': 200, http: { request: { method: 'GET' } }, 'a..b': 1, 'x.y': [{ 'p.q': 1 }] }))
      .toEqual({ http: { response: { status_code: 200 }, request: { method: 'GET' } }, x: { y: [{ p: { q: 1 } }] } });
  });
});
