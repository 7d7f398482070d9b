import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { AppError } from '../errors';
import type { FilterNode } from './ast';
import { catalogResolver, compileSql } from './compile-sql';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter } from './parse';
import { toPredicate } from './predicate';

const STATUS = 'http.response.status_code';

describe('parseFilter: the language', () => {
  const cases: [string, FilterNode][] = [
    ['', { type: 'match_all' }],
    ['   \n\t', { type: 'match_all' }],
    ['*', { type: 'match_all' }],
    ['*:*', { type: 'match_all' }],
    ['event.dataset:web.access', { type: 'term', field: 'event.dataset', value: 'web.access' }],
    [`${STATUS}:404`, { type: 'term', field: STATUS, value: 404 }],
    [`${STATUS}: 404`, { type: 'term', field: STATUS, value: 404 }],
    ['otp.delivery_ms:1.5e3', { type: 'term', field: 'otp.delivery_ms', value: 1500 }],
    ['user.name:"John Smith"', { type: 'term', field: 'user.name', value: 'John Smith' }],
    ['url.full:"https://dvc.gov.vn:443/a"', { type: 'term', field: 'url.full', value: 'https://dvc.gov.vn:443/a' }],
    ['url.full:https://dvc.gov.vn/a', { type: 'term', field: 'url.full', value: 'https://dvc.gov.vn/a' }],
    ['user.name:adm*n', { type: 'wildcard', field: 'user.name', pattern: 'adm*n' }],
    ['url.path:/wp-*', { type: 'wildcard', field: 'url.path', pattern: '/wp-*' }],
    ['user.name:j?hn', { type: 'wildcard', field: 'user.name', pattern: 'j?hn' }],
    ['user.name:"adm*n"', { type: 'term', field: 'user.name', value: 'adm*n' }],
    ['user.name:a\\*b', { type: 'term', field: 'user.name', value: 'a*b' }],
    ['user.name:a\\*b*', { type: 'wildcard', field: 'user.name', pattern: 'a\\*b*' }],
    ['url.path:\\(x\\)', { type: 'term', field: 'url.path', value: '(x)' }],
    ['user.name:"say \\"hi\\" \\\\o/"', { type: 'term', field: 'user.name', value: 'say "hi" \\o/' }],
    ['user.name:*', { type: 'exists', field: 'user.name' }],
    ['_exists_:user.name', { type: 'exists', field: 'user.name' }],
    [`${STATUS}:[400 TO 499]`, { type: 'range', field: STATUS, gte: 400, lte: 499 }],
    [`${STATUS}:{400 TO 500}`, { type: 'range', field: STATUS, gt: 400, lt: 500 }],
    [`${STATUS}:[500 TO *]`, { type: 'range', field: STATUS, gte: 500 }],
    [`${STATUS}:[* TO 300}`, { type: 'range', field: STATUS, lt: 300 }],
    [`${STATUS}:[* TO *]`, { type: 'exists', field: STATUS }],
    [`${STATUS}:[400 to 499]`, { type: 'range', field: STATUS, gte: 400, lte: 499 }],
    [`${STATUS}:>=500`, { type: 'range', field: STATUS, gte: 500 }],
    [`${STATUS}:<1000`, { type: 'range', field: STATUS, lt: 1000 }],
    [`${STATUS} > 499`, { type: 'range', field: STATUS, gt: 499 }],
    [`${STATUS}<=399`, { type: 'range', field: STATUS, lte: 399 }],
    ['user.name:[a TO m}', { type: 'range', field: 'user.name', gte: 'a', lt: 'm' }],
    [
      '@timestamp:[2024-05-01T00:00:00Z TO 2024-05-01T12:00:00+07:00]',
      { type: 'range', field: '@timestamp', gte: '2024-05-01T00:00:00Z', lte: '2024-05-01T12:00:00+07:00' },
    ],
    ['@timestamp:>=1714521600000', { type: 'range', field: '@timestamp', gte: 1714521600000 }],
    ['@timestamp:2024-05-01', { type: 'range', field: '@timestamp', gte: '2024-05-01', lt: '2024-05-02' }],
    ['@timestamp:"2024-05-01T10:00:00Z"', { type: 'term', field: '@timestamp', value: '2024-05-01T10:00:00Z' }],
    ['source.ip:10.0.0.1', { type: 'term', field: 'source.ip', value: '10.0.0.1' }],
    ['source.ip:"2001:db8::1"', { type: 'term', field: 'source.ip', value: '2001:db8::1' }],
    ['source.ip:2001:db8::1', { type: 'term', field: 'source.ip', value: '2001:db8::1' }],
    ['source.ip:"10.0.0.0/8"', { type: 'cidr', field: 'source.ip', cidr: '10.0.0.0/8' }],
    ['source.ip:10.0.0.0/8', { type: 'cidr', field: 'source.ip', cidr: '10.0.0.0/8' }],
    ['source.ip:"2001:db8::/32"', { type: 'cidr', field: 'source.ip', cidr: '2001:db8::/32' }],
    ['source.ip:10.0.*', { type: 'wildcard', field: 'source.ip', pattern: '10.0.*' }],
    ['source.ip:[10.0.0.0 TO 10.0.0.255]', { type: 'range', field: 'source.ip', gte: '10.0.0.0', lte: '10.0.0.255' }],
    ['related.ip:10.0.0.0/8', { type: 'term', field: 'related.ip', value: '10.0.0.0/8' }],
    ['labels.x-y@z:1', { type: 'term', field: 'labels.x-y@z', value: '1' }],
    ['event.action:(otp-sent OR otp-verified)', { type: 'terms', field: 'event.action', values: ['otp-sent', 'otp-verified'] }],
    ['event.action:(otp-sent otp-verified otp-expired)', { type: 'terms', field: 'event.action', values: ['otp-sent', 'otp-verified', 'otp-expired'] }],
    [`${STATUS}:(500 OR 502 OR 503)`, { type: 'terms', field: STATUS, values: [500, 502, 503] }],
    [
      `${STATUS}:(>=500 AND <600)`,
      { type: 'and', children: [{ type: 'range', field: STATUS, gte: 500 }, { type: 'range', field: STATUS, lt: 600 }] },
    ],
    [
      'user.name:(adm* OR NOT "guest")',
      { type: 'or', children: [{ type: 'wildcard', field: 'user.name', pattern: 'adm*' }, { type: 'not', child: { type: 'term', field: 'user.name', value: 'guest' } }] },
    ],
    ['timeout', { type: 'text', value: 'timeout' }],
    ['"connection refused"', { type: 'text', value: 'connection refused' }],
    ['"đăng nhập"', { type: 'text', value: 'đăng nhập' }],
    ['adm*n', { type: 'wildcard', field: 'event.original', pattern: '*adm*n*', caseInsensitive: true }],
    [
      'a b',
      { type: 'and', children: [{ type: 'text', value: 'a' }, { type: 'text', value: 'b' }] },
    ],
    [
      'a AND b OR c AND NOT d',
      {
        type: 'or',
        children: [
          { type: 'and', children: [{ type: 'text', value: 'a' }, { type: 'text', value: 'b' }] },
          { type: 'and', children: [{ type: 'text', value: 'c' }, { type: 'not', child: { type: 'text', value: 'd' } }] },
        ],
      },
    ],
    [
      'a && (b || c) && !d',
      {
        type: 'and',
        children: [
          { type: 'text', value: 'a' },
          { type: 'or', children: [{ type: 'text', value: 'b' }, { type: 'text', value: 'c' }] },
          { type: 'not', child: { type: 'text', value: 'd' } },
        ],
      },
    ],
    [
      'a and b or c',
      { type: 'or', children: [{ type: 'and', children: [{ type: 'text', value: 'a' }, { type: 'text', value: 'b' }] }, { type: 'text', value: 'c' }] },
    ],
    [
      '-user.name:admin +event.outcome:failure',
      {
        type: 'and',
        children: [
          { type: 'not', child: { type: 'term', field: 'user.name', value: 'admin' } },
          { type: 'term', field: 'event.outcome', value: 'failure' },
        ],
      },
    ],
    ['NOT NOT a', { type: 'not', child: { type: 'not', child: { type: 'text', value: 'a' } } }],
    ['((a))', { type: 'text', value: 'a' }],
    ['a OR a:1 OR *', { type: 'match_all' }],
    ['"AND"', { type: 'text', value: 'AND' }],
    ['event.action:"OR"', { type: 'term', field: 'event.action', value: 'OR' }],
    [
      'event.dataset:otp.auth AND event.action:otp-verify-failed AND otp.attempt:>=3',
      {
        type: 'and',
        children: [
          { type: 'term', field: 'event.dataset', value: 'otp.auth' },
          { type: 'term', field: 'event.action', value: 'otp-verify-failed' },
          { type: 'range', field: 'otp.attempt', gte: 3 },
        ],
      },
    ],
    [
      'event.dataset:uptime.probe AND monitor.status:down AND NOT error.message:"dns"',
      {
        type: 'and',
        children: [
          { type: 'term', field: 'event.dataset', value: 'uptime.probe' },
          { type: 'term', field: 'monitor.status', value: 'down' },
          { type: 'not', child: { type: 'term', field: 'error.message', value: 'dns' } },
        ],
      },
    ],
  ];

  test.each(cases)('%s', (text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });
});

function errorOf(text: string): AppError {
  try {
    parseFilter(text);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe('parseFilter: errors name what was expected and where', () => {
  const cases: [string, number, string][] = [
    [`${STATUS}:abc`, 26, `${STATUS} expects a number, got "abc"`],
    [`${STATUS}:5*`, 26, 'use a range such as [500 TO 599]'],
    [`${STATUS}:[400 TO abc]`, 34, `${STATUS} expects a number, got "abc"`],
    [`${STATUS}:>=x`, 28, `${STATUS} expects a number, got "x"`],
    ['(a OR b', 7, 'Expected ")" to close the "(" opened at position 0'],
    ['a OR b)', 6, 'Unexpected ")": there is no "(" to close'],
    ['a AND', 5, 'Expected a clause after AND'],
    ['a AND OR b', 6, 'Expected a clause after AND'],
    ['a OR', 4, 'Expected a clause after OR'],
    ['(a AND)', 6, 'Expected a clause after AND'],
    ['NOT', 3, 'Expected a clause after NOT'],
    ['AND a', 0, 'Expected a clause before AND'],
    ['a ||', 4, 'Expected a clause after OR'],
    ['()', 1, 'Empty parentheses'],
    ['user.name:', 10, 'Expected a value after "user.name:"'],
    ['user.name: AND b', 11, 'Expected a value after "user.name:", found AND'],
    ['user.name:"', 10, 'Unterminated quoted string'],
    ['x AND "abc', 6, 'Unterminated quoted string'],
    ['user.name:""', 10, 'Empty value for user.name'],
    ['""', 0, 'Empty phrase'],
    ['x:[1 TO 5', 9, 'Expected "]" or "}" to close the range opened at position 2'],
    ['x:[1 5]', 5, 'Expected TO between the two bounds of a range'],
    ['x:[1 TO ]', 8, 'Expected a range bound'],
    ['x:>', 3, 'Expected a value after ">"'],
    ['9x:1', 0, 'Invalid field name "9x"'],
    ['a b$c:1', 2, 'Invalid field name "b$c"'],
    [':x', 0, 'Expected a field name before ":"'],
    ['>=5', 0, 'Expected a field name before ">"'],
    ['x:y AND *:abc', 8, '"*" is only allowed in "*:*"'],
    ['_exists_:', 9, 'Expected a field name after "_exists_:"'],
    ['source.ip:abc', 10, 'source.ip expects an IP address, got "abc"'],
    ['source.ip:10.0.0.0/33', 10, 'source.ip expects a CIDR block'],
    ['source.ip:>10.0.0.0/8', 11, 'source.ip expects an IP address'],
    ['@timestamp:yesterday', 11, '@timestamp expects a date'],
    ['@timestamp:[2024-13-01 TO *]', 12, '@timestamp expects a date'],
    ['a - b', 3, 'Expected a clause right after "-"'],
    ['a\\', 1, 'Expected a character after "\\"'],
  ];

  test.each(cases)('%s → position %d', (text, position, message) => {
    const err = errorOf(text);
    expect(err.code).toBe('CANH_QUERY_INVALID');
    expect(err.kind).toBe('invalid');
    expect(err.details).toEqual({ position });
    expect(err.message).toContain(message);
    expect(err.message).toContain(`(at position ${position})`);
  });

  test('input length is limited', () => {
    const err = errorOf('a '.repeat(MAX_FILTER_LENGTH / 2 + 1));
    expect(err.message).toContain(`longer than ${MAX_FILTER_LENGTH} characters`);
    expect(parseFilter(`x:${'a'.repeat(MAX_FILTER_LENGTH - 2)}`)).toEqual({ type: 'term', field: 'x', value: 'a'.repeat(MAX_FILTER_LENGTH - 2) });
  });

  test('nesting depth is limited (parentheses and NOT)', () => {
    const ok = `${'('.repeat(MAX_FILTER_DEPTH)}a${')'.repeat(MAX_FILTER_DEPTH)}`;
    expect(parseFilter(ok)).toEqual({ type: 'text', value: 'a' });
    const deep = errorOf(`${'('.repeat(MAX_FILTER_DEPTH + 1)}a${')'.repeat(MAX_FILTER_DEPTH + 1)}`);
    expect(deep.message).toContain(`deeper than ${MAX_FILTER_DEPTH} levels`);
    expect(deep.details).toEqual({ position: MAX_FILTER_DEPTH });
    expect(errorOf(`${'NOT '.repeat(MAX_FILTER_DEPTH + 1)}a`).message).toContain('deeper than');
    expect(errorOf(`${'!'.repeat(MAX_FILTER_DEPTH + 1)}a`).message).toContain('deeper than');
  });
});

describe('parseFilter: robustness', () => {
  const syntax = fc.constantFrom(
    ...'()[]{}":\\*?!-+<>=/ \t'.split(''),
    'AND ', 'OR ', 'NOT ', ' TO ', '&&', '||', '_exists_:', 'http.response.status_code:', 'source.ip:', '@timestamp:',
    'user.name:', 'a', 'b', '1', '10.0.0.1', '::1', '/8', '2024-05-01', 'đ',
  );
  const doc = {
    '@timestamp': '2024-05-01T00:00:00Z',
    event: { original: 'GET / 200', category: ['web'] },
    source: { ip: '10.0.0.1' },
    http: { response: { status_code: 200 } },
  };

  /** Parses; an error must be CANH_QUERY_INVALID with a position inside the text. */
  function check(text: string): void {
    let node: FilterNode;
    try {
      node = parseFilter(text);
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      const e = err as AppError;
      expect(e.code).toBe('CANH_QUERY_INVALID');
      const position = e.details?.position as number;
      expect(Number.isInteger(position) && position >= 0 && position <= text.length).toBe(true);
      return;
    }
    // Whatever parses also compiles both ways without throwing.
    expect(typeof toPredicate(node)(doc)).toBe('boolean');
    expect(typeof compileSql(node, catalogResolver('rest')).sql).toBe('string');
  }

  test('random strings of syntax pieces never crash the parser', () => {
    fc.assert(fc.property(fc.array(syntax, { maxLength: 30 }), (pieces) => check(pieces.join(''))), { numRuns: Number(process.env.CANH_FC_RUNS ?? 3000) });
  });

  test('random unicode strings never crash the parser', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), check), { numRuns: Number(process.env.CANH_FC_RUNS ?? 2000) });
  });
});

describe('docs/query-language.md stays true', () => {
  const doc = readFileSync(join(__dirname, '../../docs/query-language.md'), 'utf8');

  test('every example filter parses', () => {
    const blocks = [...doc.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]);
    const lines = blocks.flatMap((b) => b.split('\n')).filter((l) => l.trim() !== '');
    const syntax = doc.slice(doc.indexOf('## Syntax'), doc.indexOf('## Examples'));
    const tableExamples = [...syntax.matchAll(/^\| .* \| `([^`]+)` \|$/gm)].map((m) => m[1].replace(/\\\|/g, '|'));
    expect(lines.length + tableExamples.length).toBeGreaterThan(25);
    for (const text of [...lines, ...tableExamples]) expect(() => parseFilter(text)).not.toThrow();
  });

  test('the error table shows the real messages', () => {
    const rows = [...doc.matchAll(/^\| `([^`]+)` \| `([^`]+)` \|$/gm)];
    expect(rows.length).toBeGreaterThan(5);
    for (const [, text, message] of rows) {
      const actual = errorOf(text).message;
      for (const part of message.split(' ... ')) expect(actual).toContain(part);
    }
  });
});
