import type { FilterNode } from '../../query/ast';
import { parseFilter } from '../../query/parse';
import { ALL_SCOPE, localityScope } from '../scope';
import { compileQuery, esWildcard, eventQuery, luceneRegex } from './query-dsl';

const q = (node: FilterNode) => compileQuery(node);
const NONE = { match_none: {} };

describe('compileQuery: structure', () => {
  it('match_all, and, or, not', () => {
    const a: FilterNode = { type: 'term', field: 'event.action', value: 'login' };
    const b: FilterNode = { type: 'exists', field: 'user.name' };
    expect(q({ type: 'match_all' })).toEqual({ match_all: {} });
    expect(q({ type: 'and', children: [a, b] })).toEqual({ bool: { filter: [{ term: { 'event.action': 'login' } }, { exists: { field: 'user.name' } }] } });
    expect(q({ type: 'or', children: [a, b] })).toEqual({
      bool: { should: [{ term: { 'event.action': 'login' } }, { exists: { field: 'user.name' } }], minimum_should_match: 1 },
    });
    expect(q({ type: 'not', child: a })).toEqual({ bool: { must_not: [{ term: { 'event.action': 'login' } }] } });
  });

  it('an empty AND matches everything and an empty OR nothing, as in SQL (TRUE / FALSE)', () => {
    expect(q({ type: 'and', children: [] })).toEqual({ match_all: {} });
    expect(q({ type: 'or', children: [] })).toEqual(NONE);
  });

  it('NOT of a field match is a plain must_not, so events without the field match it (missing never matches)', () => {
    expect(q(parseFilter('NOT user.name:admin'))).toEqual({ bool: { must_not: [{ term: { 'user.name': 'admin' } }] } });
  });

  it('nests a parsed combination', () => {
    expect(q(parseFilter('(url.path:/admin* OR url.path:/wp-login.php) AND NOT http.response.status_code:404'))).toEqual({
      bool: {
        filter: [
          { bool: { should: [{ wildcard: { 'url.path': { value: '/admin*' } } }, { term: { 'url.path': '/wp-login.php' } }], minimum_should_match: 1 } },
          { bool: { must_not: [{ term: { 'http.response.status_code': 404 } }] } },
        ],
      },
    });
  });
});

describe('compileQuery: term by field type', () => {
  it('keyword: exact and case-sensitive; numbers and booleans as their text', () => {
    expect(q({ type: 'term', field: 'user.name', value: 'Admin' })).toEqual({ term: { 'user.name': 'Admin' } });
    expect(q({ type: 'term', field: 'labels.code', value: 42 })).toEqual({ term: { 'labels.code': '42' } });
    expect(q({ type: 'term', field: 'labels.ok', value: true })).toEqual({ term: { 'labels.ok': 'true' } });
  });

  it('text fields (event.original, error.message): contains, case-insensitively, with wildcard characters literal', () => {
    expect(q({ type: 'term', field: 'event.original', value: 'Union Select' })).toEqual({
      wildcard: { 'event.original': { value: '*Union Select*', case_insensitive: true } },
    });
    expect(q({ type: 'term', field: 'error.message', value: 'a*b?c\\d' })).toEqual({
      wildcard: { 'error.message': { value: '*a\\*b\\?c\\\\d*', case_insensitive: true } },
    });
  });

  it('sends Vietnamese text as it is and leaves case folding to Elasticsearch (ASCII-only before elastic/elasticsearch#153513)', () => {
    expect(q({ type: 'term', field: 'event.original', value: 'Đăng nhập' })).toEqual({
      wildcard: { 'event.original': { value: '*Đăng nhập*', case_insensitive: true } },
    });
  });

  it('a bare word searches event.original like a text term', () => {
    expect(q({ type: 'text', value: 'sqlmap' })).toEqual({ wildcard: { 'event.original': { value: '*sqlmap*', case_insensitive: true } } });
  });

  it('numeric fields compare numbers; a value that is not a number matches nothing', () => {
    expect(q({ type: 'term', field: 'http.response.status_code', value: '500' })).toEqual({ term: { 'http.response.status_code': 500 } });
    expect(q({ type: 'term', field: 'event.duration', value: 1.5e3 })).toEqual({ term: { 'event.duration': 1500 } });
    expect(q({ type: 'term', field: 'http.response.status_code', value: 'abc' })).toEqual(NONE);
  });

  it('a long field never equals a fraction or a number beyond what a long holds (Elasticsearch would refuse it)', () => {
    expect(q({ type: 'term', field: 'http.response.status_code', value: 200.5 })).toEqual(NONE);
    expect(q({ type: 'term', field: 'event.duration', value: '1e30' })).toEqual(NONE);
    expect(q({ type: 'range', field: 'event.duration', gte: '-1e30', lt: 1e30 })).toEqual({
      range: { 'event.duration': { gte: -Number.MAX_SAFE_INTEGER, lt: Number.MAX_SAFE_INTEGER } },
    });
  });

  it('dates compare instants (epoch ms or ISO 8601); other values match nothing', () => {
    const range = { range: { '@timestamp': { gte: 1714539600000, lte: 1714539600000, format: 'epoch_millis' } } };
    expect(q({ type: 'term', field: '@timestamp', value: '2024-05-01T05:00:00Z' })).toEqual(range);
    expect(q({ type: 'term', field: '@timestamp', value: '2024-05-01T07:00:00+02:00' })).toEqual(range);
    expect(q({ type: 'term', field: '@timestamp', value: 1714539600000 })).toEqual(range);
    expect(q({ type: 'term', field: '@timestamp', value: 'yesterday' })).toEqual(NONE);
  });

  it('ip fields: an address compares as an address on the ip field, anything else as text on .keyword', () => {
    expect(q({ type: 'term', field: 'source.ip', value: '2001:DB8::1' })).toEqual({ term: { 'source.ip': '2001:DB8::1' } });
    expect(q({ type: 'term', field: 'source.ip', value: '10.0.0.1' })).toEqual({ term: { 'source.ip': '10.0.0.1' } });
    expect(q({ type: 'term', field: 'source.ip', value: 'unknown' })).toEqual({ term: { 'source.ip.keyword': 'unknown' } });
  });
});

describe('compileQuery: terms (lists)', () => {
  it('keyword: one terms query; an empty list matches nothing', () => {
    expect(q({ type: 'terms', field: 'http.request.method', values: ['GET', 'POST', 1] })).toEqual({ terms: { 'http.request.method': ['GET', 'POST', '1'] } });
    expect(q({ type: 'terms', field: 'user.name', values: [] })).toEqual(NONE);
  });

  it('other types: an OR of the typed terms, values that cannot match dropped', () => {
    expect(q({ type: 'terms', field: 'http.response.status_code', values: [401, '403', 'x'] })).toEqual({
      bool: { should: [{ term: { 'http.response.status_code': 401 } }, { term: { 'http.response.status_code': 403 } }], minimum_should_match: 1 },
    });
    expect(q({ type: 'terms', field: 'http.response.status_code', values: ['x'] })).toEqual(NONE);
    expect(q({ type: 'terms', field: 'event.original', values: ['etc/passwd'] })).toEqual({
      wildcard: { 'event.original': { value: '*etc/passwd*', case_insensitive: true } },
    });
  });
});

describe('compileQuery: wildcard', () => {
  it('keyword: whole-value, case-sensitive unless asked', () => {
    expect(q({ type: 'wildcard', field: 'url.path', pattern: '/wp-*.ph?' })).toEqual({ wildcard: { 'url.path': { value: '/wp-*.ph?' } } });
    expect(q({ type: 'wildcard', field: 'user_agent.original', pattern: '*sqlmap*', caseInsensitive: true })).toEqual({
      wildcard: { 'user_agent.original': { value: '*sqlmap*', case_insensitive: true } },
    });
  });

  it('text fields are always case-insensitive', () => {
    expect(q({ type: 'wildcard', field: 'event.original', pattern: '*select*' })).toEqual({
      wildcard: { 'event.original': { value: '*select*', case_insensitive: true } },
    });
  });

  it('numbers and addresses match their stored text through the .keyword subfield (as DuckDB casts to text)', () => {
    expect(q({ type: 'wildcard', field: 'http.response.status_code', pattern: '5*' })).toEqual({ wildcard: { 'http.response.status_code.keyword': { value: '5*' } } });
    expect(q({ type: 'wildcard', field: 'source.ip', pattern: '10.0.*' })).toEqual({ wildcard: { 'source.ip.keyword': { value: '10.0.*' } } });
  });

  it('keeps escapes canonical: \\* is a literal star, a trailing backslash a literal backslash', () => {
    expect(esWildcard('a\\*b*')).toBe('a\\*b*');
    expect(esWildcard('a\\xb')).toBe('axb');
    expect(esWildcard('end\\')).toBe('end\\\\');
  });

  it('dates are refused (DuckDB matches their ISO text; Elasticsearch has no text of a date)', () => {
    expect(() => q({ type: 'wildcard', field: '@timestamp', pattern: '2024-05-*' })).toThrow(/@timestamp: wildcards and regular expressions on date fields/);
  });
});

describe('compileQuery: regex', () => {
  it('compiles to a case-sensitive regexp query with Lucene operators off', () => {
    expect(q({ type: 'regex', field: 'url.path', pattern: '/(admin|login)/[a-z]+\\.php' })).toEqual({
      regexp: { 'url.path': { value: '/(admin|login)/[a-z]+\\.php', flags: 'NONE' } },
    });
    expect(q({ type: 'regex', field: 'http.response.status_code', pattern: '5[0-9]{2}' })).toEqual({
      regexp: { 'http.response.status_code.keyword': { value: '5[0-9]{2}', flags: 'NONE' } },
    });
  });

  it('translates the shared subset to Lucene syntax', () => {
    expect(luceneRegex('f', '^(?:a|b)+$')).toBe('(a|b)+');
    expect(luceneRegex('f', 'a+?b*?c??')).toBe('a+b*c?');
    expect(luceneRegex('f', 'x@y#z<1>~"&')).toBe('x\\@y\\#z\\<1\\>\\~\\"\\&');
    expect(luceneRegex('f', 'line\\nnext\\t')).toBe('line\nnext\t');
    expect(luceneRegex('f', '[^@a-z]\\d+\\.\\*')).toBe('[^\\@a-z]\\d+\\.\\*');
    expect(luceneRegex('f', 'a\\+?')).toBe('a\\+?');
  });

  it('refuses what Lucene cannot express, and what neither engine accepts', () => {
    expect(() => luceneRegex('url.path', 'a\\bword')).toThrow(/url.path: regular expressions with \\b/);
    expect(() => luceneRegex('url.path', '(?<word>admin)')).toThrow(/"\(\?" groups/);
    expect(() => luceneRegex('url.path', 'a^b')).toThrow(/"\^" inside/);
    expect(() => luceneRegex('url.path', '\\x41')).toThrow(/\\x/);
    expect(() => luceneRegex('url.path', '(?=a)b')).toThrow(/lookaround/);
    expect(() => luceneRegex('url.path', '(a')).toThrow(/invalid regular expression/);
  });
});

describe('compileQuery: range', () => {
  it('numeric bounds as numbers', () => {
    expect(q({ type: 'range', field: 'http.response.status_code', gte: 500, lt: '600' })).toEqual({
      range: { 'http.response.status_code': { gte: 500, lt: 600 } },
    });
  });

  it('dates as epoch ms', () => {
    expect(q({ type: 'range', field: '@timestamp', gt: '2024-05-01', lte: 1714539600000 })).toEqual({
      range: { '@timestamp': { gt: 1714521600000, lte: 1714539600000, format: 'epoch_millis' } },
    });
  });

  it('a bound that is not of the field type matches nothing; no bound at all means the value exists', () => {
    expect(q({ type: 'range', field: 'event.duration', gte: 'fast' })).toEqual(NONE);
    expect(q({ type: 'range', field: '@timestamp', lt: 'tomorrow' })).toEqual(NONE);
    expect(q({ type: 'range', field: 'event.duration' })).toEqual({ exists: { field: 'event.duration' } });
  });

  it('ip fields: IPv4 bounds as addresses; IPv6 bounds as addresses without the IPv4 ones Elasticsearch maps into IPv6', () => {
    expect(q({ type: 'range', field: 'source.ip', gte: '10.0.0.0', lte: '10.0.0.255' })).toEqual({
      range: { 'source.ip': { gte: '10.0.0.0', lte: '10.0.0.255' } },
    });
    expect(q({ type: 'range', field: 'source.ip', gte: '::', lt: 'ffff::' })).toEqual({
      bool: { filter: [{ range: { 'source.ip': { gte: '::', lt: 'ffff::' } } }], must_not: [{ term: { 'source.ip': '::ffff:0:0/96' } }] },
    });
  });

  it('ip fields with mixed or non-address bounds compare the stored text', () => {
    expect(q({ type: 'range', field: 'source.ip', gte: '10.0.0.1', lte: 'ffff::' })).toEqual({
      range: { 'source.ip.keyword': { gte: '10.0.0.1', lte: 'ffff::' } },
    });
  });

  it('keyword fields compare text', () => {
    expect(q({ type: 'range', field: 'user.name', gte: 'a', lt: 'n' })).toEqual({ range: { 'user.name': { gte: 'a', lt: 'n' } } });
  });
});

describe('compileQuery: exists and cidr', () => {
  it('exists', () => {
    expect(q(parseFilter('_exists_:user.name'))).toEqual({ exists: { field: 'user.name' } });
    expect(q(parseFilter('NOT _exists_:user.name'))).toEqual({ bool: { must_not: [{ exists: { field: 'user.name' } }] } });
  });

  it('cidr on an ip field, IPv4 and IPv6', () => {
    expect(q({ type: 'cidr', field: 'source.ip', cidr: '10.0.0.0/8' })).toEqual({ term: { 'source.ip': '10.0.0.0/8' } });
    expect(q({ type: 'cidr', field: 'source.ip', cidr: '2001:db8::/32' })).toEqual({ term: { 'source.ip': '2001:db8::/32' } });
  });

  it('refuses a bad block, and a block on a field that is not an ip field', () => {
    expect(() => q({ type: 'cidr', field: 'source.ip', cidr: '10.0.0.0/33' })).toThrow(/source.ip: "10.0.0.0\/33" is not an IP address/);
    expect(() => q({ type: 'cidr', field: 'client.address', cidr: '10.0.0.0/8' })).toThrow(/client.address: CIDR blocks need an ip field/);
  });
});

describe('eventQuery: time range, datasets, localities and scope are always filters', () => {
  const base = { from: 1000, to: 2000, filter: { type: 'match_all' } as FilterNode };
  const time = { range: { '@timestamp': { gte: 1000, lt: 2000, format: 'epoch_millis' } } };
  const subtree = (codes: string[]) => ({
    bool: { should: [{ terms: { 'organization.id': codes } }, { terms: { 'canh.province': codes } }], minimum_should_match: 1 },
  });

  it('scope all with no filter: only the time range', () => {
    expect(eventQuery(base, ALL_SCOPE)).toEqual({ bool: { filter: [time] } });
  });

  it('every restriction in order: time, datasets, localities, scope, filter', () => {
    const query = { ...base, datasets: ['web.access'], localities: ['79'], filter: parseFilter('user.name:bob') };
    expect(eventQuery(query, localityScope(['79', '01']))).toEqual({
      bool: { filter: [time, { terms: { 'event.dataset': ['web.access'] } }, subtree(['79']), subtree(['79', '01']), { term: { 'user.name': 'bob' } }] },
    });
  });

  it('a scope of no locality sees nothing; empty datasets and localities lists restrict nothing', () => {
    expect(eventQuery({ ...base, datasets: [], localities: [] }, localityScope([]))).toEqual({ bool: { filter: [time, NONE] } });
  });

  it('refuses a time range that is not whole epoch ms', () => {
    expect(() => eventQuery({ ...base, from: 1.5 }, ALL_SCOPE)).toThrow(/whole epoch milliseconds/);
  });
});
