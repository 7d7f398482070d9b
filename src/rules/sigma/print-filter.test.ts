import type { FilterNode } from '../../query/ast';
import { parseFilter } from '../../query/parse';
import { UnprintableFilter, printFilter } from './print-filter';

describe('printFilter', () => {
  const roundTrips: [string, FilterNode][] = [
    ['a plain keyword term', { type: 'term', field: 'url.path', value: '/index.php' }],
    ['spaces, colons, parentheses and quotes', { type: 'term', field: 'user_agent.original', value: 'Mozilla/5.0 (X11; Linux) "q" a:b' }],
    ['a leading [ { < > and -', { type: 'term', field: 'url.path', value: '[x]' }],
    ['a leading comparator', { type: 'term', field: 'url.path', value: '>=5' }],
    ['an operator word', { type: 'term', field: 'http.request.method', value: 'OR' }],
    ['literal stars, question marks and backslashes', { type: 'term', field: 'url.original', value: 'a*b?c\\d' }],
    ['&& and || inside a value', { type: 'term', field: 'url.original', value: '&&x||y' }],
    ['Vietnamese letters', { type: 'term', field: 'user.name', value: 'Nguyễn Văn Đức' }],
    ['a number', { type: 'term', field: 'http.response.status_code', value: 404 }],
    ['a negative number', { type: 'term', field: 'http.response.body.bytes', value: -1 }],
    ['an IPv6 address', { type: 'term', field: 'source.ip', value: '2001:db8::1' }],
    ['an IPv6 block', { type: 'cidr', field: 'source.ip', cidr: '2001:db8::/32' }],
    ['an IPv4 block', { type: 'cidr', field: 'source.ip', cidr: '10.0.0.0/8' }],
    ['a wildcard with escapes', { type: 'wildcard', field: 'url.original', pattern: '*\\*a b?\\\\*' }],
    ['a range', { type: 'range', field: 'http.response.status_code', gte: 500 }],
    ['exists', { type: 'exists', field: 'http.request.referrer' }],
    ['a phrase with quotes and backslashes', { type: 'text', value: 'say "hi" \\ there' }],
    ['a wildcard on the text field (case-insensitive by its type)', { type: 'wildcard', field: 'event.original', pattern: '*union*select*' }],
    [
      'nested and/or/not',
      {
        type: 'and',
        children: [
          { type: 'or', children: [{ type: 'term', field: 'url.path', value: 'a' }, { type: 'wildcard', field: 'url.path', pattern: 'b*' }] },
          { type: 'not', child: { type: 'and', children: [{ type: 'exists', field: 'user.name' }, { type: 'text', value: 'x' }] } },
        ],
      },
    ],
  ];
  it.each(roundTrips)('%s parses back to the same AST', (_name, node) => {
    expect(parseFilter(printFilter(node))).toEqual(node);
  });

  it('round-trips arbitrary printable text as a keyword term', () => {
    const alphabet = 'aZ09 :()"\\*?[]{}<>-+!&|/.,;=%#@$\'~^`\tđ';
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 500; n++) {
      let value = '';
      const len = 1 + Math.floor(rand() * 12);
      for (let i = 0; i < len; i++) value += alphabet[Math.floor(rand() * alphabet.length)];
      const node: FilterNode = { type: 'term', field: 'url.original', value };
      expect(parseFilter(printFilter(node))).toEqual(node);
    }
  });

  it('prints a case-insensitive wildcard on the text field (text fields ignore case anyway)', () => {
    const node: FilterNode = { type: 'wildcard', field: 'event.original', pattern: '*union*select*', caseInsensitive: true };
    expect(parseFilter(printFilter(node))).toEqual({ type: 'wildcard', field: 'event.original', pattern: '*union*select*' });
  });

  it('prints terms and ranges with several values', () => {
    expect(printFilter({ type: 'terms', field: 'http.response.status_code', values: [401, 403] })).toBe(
      '(http.response.status_code:401 OR http.response.status_code:403)',
    );
    expect(printFilter({ type: 'range', field: 'http.response.body.bytes', gte: 1, lt: 10 })).toBe(
      '(http.response.body.bytes:>=1 AND http.response.body.bytes:<10)',
    );
    expect(parseFilter(printFilter({ type: 'match_all' }))).toEqual({ type: 'match_all' });
  });

  it.each<[string, FilterNode]>([
    ['regex', { type: 'regex', field: 'url.path', pattern: '.*a.*' }],
    ['a case-insensitive wildcard on a keyword field', { type: 'wildcard', field: 'url.path', pattern: '*a*', caseInsensitive: true }],
    ['an empty value', { type: 'term', field: 'url.path', value: '' }],
    ['an empty phrase', { type: 'text', value: '' }],
    ['a wildcard on a number field', { type: 'wildcard', field: 'http.response.status_code', pattern: '4*' }],
  ])('refuses %s', (_name, node) => {
    expect(() => printFilter(node)).toThrow(UnprintableFilter);
  });
});
