import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { toPredicate } from '../../query/predicate';
import { loadRuleText } from '../load-rules';
import type { Rule } from '../rule';
import { categoryFromTags, convertSigma, convertSigmaPaths } from './convert';

const FIXTURES = join(__dirname, '../../../test/fixtures/sigma');
const fixture = (dir: string, name: string) => join(FIXTURES, dir, name);

/** Converts a fixture, loads the output through the rule loader (zero errors) and returns the rules. */
function loadConverted(dir: string, name: string): Rule[] {
  const file = fixture(dir, name);
  const result = convertSigma(readFileSync(file, 'utf8'), file);
  expect(result.refused).toEqual([]);
  expect(result.failed).toEqual([]);
  const loaded = loadRuleText(result.rules, 'converted.yaml');
  expect(loaded.errors).toEqual([]);
  expect(loaded.rules.map((r) => r.id)).toEqual(result.converted.map((c) => c.id));
  return loaded.rules;
}

/** An ECS web event from dotted keys (getField reads literal dotted keys). */
type Ev = Record<string, unknown>;
function expectMatches(rule: Rule, fire: Ev[], quiet: Ev[]): void {
  const p = toPredicate(rule.filter);
  for (const e of fire) expect({ event: e, fires: p(e) }).toEqual({ event: e, fires: true });
  for (const e of quiet) expect({ event: e, fires: p(e) }).toEqual({ event: e, fires: false });
}

const convertible = readdirSync(join(FIXTURES, 'convertible')).sort();

describe('convertSigma on the fixtures', () => {
  it.each(convertible)('%s converts to rules that load with no error', (name) => {
    const rules = loadConverted('convertible', name);
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      expect(r.id).toMatch(/^sigma-[a-z0-9][a-z0-9-]{1,57}$/);
      expect(r.dataset).toBe('web.access');
      expect(r.condition).toEqual({ type: 'match' });
    }
  });

  it('path traversal: url.original contains any of the values', () => {
    const [rule] = loadConverted('convertible', 'web_path_traversal.yml');
    expect(rule).toMatchObject({ id: 'sigma-path-traversal-sequences-in-request-uri', severity: 'high', category: 'intrusion-attempts', tags: ['attack.initial-access', 'attack.t1190'] });
    expect(rule.description).toContain('5b0e8a52-1c7d-4a4e-9f0a-7d3c2a9e1b01');
    expect(rule.description).toContain('https://owasp.org/www-community/attacks/Path_Traversal');
    expect(rule.description).toContain('Canh test fixtures');
    expectMatches(
      rule,
      [{ 'url.original': '/download?f=../../x' }, { 'url.original': '/a?f=..%2F..%2Fetc' }, { 'url.original': '/x?p=/etc/passwd' }, { 'url.original': '/C/WIN.INI' }],
      [{ 'url.original': '/index.php?id=1' }, { 'url.path': '/etc/passwd' }, {}],
    );
  });

  it('scanner user agents: contains, case variants', () => {
    const [rule] = loadConverted('convertible', 'web_scanner_user_agent.yml');
    expect(rule).toMatchObject({ severity: 'medium', category: 'information-gathering' });
    expectMatches(
      rule,
      [{ 'user_agent.original': 'sqlmap/1.7' }, { 'user_agent.original': 'Mozilla (Nikto/2.5)' }, { 'user_agent.original': 'NUCLEI' }],
      [{ 'user_agent.original': 'Mozilla/5.0' }, { 'url.original': '/sqlmap' }],
    );
  });

  it('nginx admin probe: AND of fields, number list, cidr exclusion', () => {
    const [rule] = loadConverted('convertible', 'nginx_admin_probe.yml');
    expect(rule).toMatchObject({ severity: 'low', category: 'intrusion-attempts' });
    expect(rule.description).toContain('Canh test fixtures, Second Author');
    const base = { 'http.request.method': 'POST', 'url.path': '/admin/login', 'http.response.status_code': 403, 'source.ip': '203.0.113.9' };
    expectMatches(
      rule,
      [base, { ...base, 'http.response.status_code': 401 }, { ...base, 'url.path': '/administrator' }],
      [
        { ...base, 'source.ip': '10.1.2.3' },
        { ...base, 'source.ip': '192.168.1.1' },
        { ...base, 'http.response.status_code': 200 },
        { ...base, 'http.request.method': 'GET' },
        { ...base, 'url.path': '/login/admin' },
      ],
    );
  });

  it('apache keywords: event.original contains, ignoring case, wildcards kept', () => {
    const [rule] = loadConverted('convertible', 'apache_sqli_keywords.yml');
    expect(rule).toMatchObject({ severity: 'critical' });
    expectMatches(
      rule,
      [
        { 'event.original': 'GET /?q=1 UNION SELECT pass FROM users' },
        { 'event.original': 'GET /?x=INFORMATION_SCHEMA.tables' },
        { 'event.original': 'GET /?id=1 AND SLEEP(5)--' },
      ],
      [{ 'event.original': 'GET /union/select.html' }, { 'event.original': 'GET /?sleep=5' }, { 'url.original': 'union select' }],
    );
  });

  it('combined conditions: 1 of, all of, null, exists, gte, endswith, |all, wildcards, _ names', () => {
    const [rule] = loadConverted('convertible', 'web_combined_conditions.yml');
    expect(rule).toMatchObject({ severity: 'low', category: 'information-gathering' });
    const base: Ev = {
      'url.path': '/files/backup-2024.zip',
      'http.response.body.bytes': 5_000_000,
      'http.response.status_code': 200,
      'user_agent.original': 'curl/8',
      'http.request.method': 'GET',
    };
    expectMatches(
      rule,
      [base, { ...base, 'url.path': '/files/backup-2024.tar.gz' }, { ...base, 'url.path': '/files/site.tgz', 'url.domain': 'www.cdn.example' }],
      [
        { ...base, 'url.path': '/files/backup-2024.rar' },
        { ...base, 'http.response.body.bytes': 999_999 },
        { ...base, 'http.response.status_code': 206 },
        { ...base, 'url.path': '/files/backup.zip' }, // |all: needs "20" too
        { ...base, 'http.request.referrer': 'https://example.org/' },
        { ...base, 'user_agent.original': undefined },
        { ...base, 'http.request.method': 'DELETE' },
      ],
    );
  });

  it('multi-document files give one rule per document; cased keeps case; all of them', () => {
    const [xmlrpc, shell] = loadConverted('convertible', 'multi_document.yml');
    expect(xmlrpc.id).toBe('sigma-wordpress-xml-rpc-access');
    expectMatches(xmlrpc, [{ 'url.path': '/xmlrpc.php' }, { 'url.path': '/XMLRPC.PHP' }], [{ 'url.path': '/blog/xmlrpc.php' }]);
    expect(shell.filterText).toContain('url.original:*\\&CMD=*');
    expect(shell.filterText).toContain('url.original:*\\?cmd=*'); // Sigma's \? is a literal question mark
    expect(shell.filterText).not.toContain('&cmd=');
    expectMatches(
      shell,
      [{ 'url.original': '/up/shell.php?cmd=id', 'url.path': '/up/shell.php' }, { 'url.original': '/a/cmd.jsp?x=1&CMD=ls', 'url.path': '/a/cmd.jsp' }],
      [{ 'url.original': '/a/cmd.jsp?x=1&cmd=ls', 'url.path': '/a/cmd.jsp' }, { 'url.original': '/index.php?cmd=id', 'url.path': '/index.php' }],
    );
  });
});

describe('refusals and failures', () => {
  it.each([
    ['proxy_category.yml', 'logsource category proxy is not supported: only webserver'],
    ['base64_modifier.yml', 'modifier base64offset (on cs-uri-query) is not supported'],
    ['aggregation.yml', 'aggregation conditions ("| count() by c-ip > 100") are not supported'],
    ['unknown_field.yml', 'field cs-cookie has no ECS mapping'],
    ['regex.yml', 'the filter language has no regular expression syntax (regex on url.original)'],
    ['iis_product.yml', 'logsource product windows is not supported'],
  ])('%s is refused: %s', (name, reason) => {
    const file = fixture('refused', name);
    const result = convertSigma(readFileSync(file, 'utf8'), file);
    expect(result.converted).toEqual([]);
    expect(result.failed).toEqual([]);
    expect(result.refused).toHaveLength(1);
    expect(result.refused[0].file).toBe(file);
    expect(result.refused[0].title).not.toBe('');
    expect(result.refused[0].reason).toContain(reason);
    expect(loadRuleText(result.rules, 'x.yaml')).toEqual({ rules: [], errors: [] });
  });

  it('invalid YAML and non-Sigma documents fail', () => {
    expect(convertSigma(readFileSync(fixture('invalid', 'broken.yml'), 'utf8'), 'broken.yml').failed).toEqual([
      { file: 'broken.yml', reason: expect.stringMatching(/^YAML: /) },
    ]);
    expect(convertSigma('just: a mapping\n', 'x.yml').failed).toEqual([{ file: 'x.yml', reason: 'not a Sigma rule: no title' }]);
    expect(convertSigma('- a\n- b\n', 'x.yml').failed).toEqual([{ file: 'x.yml', reason: 'not a Sigma rule: expected a mapping' }]);
  });

  const rule = (detection: string, extra = '') =>
    `title: Test Rule\nid: 12345678-aaaa-4bbb-8ccc-123456789012\nlogsource:\n  category: webserver\n${extra}detection:\n${detection}`;
  it.each([
    ['  sel:\n    cs-uri-query|windash: x\n  condition: sel', 'modifier windash'],
    ['  sel:\n    cs-uri-query|utf16le|base64: x\n  condition: sel', 'modifier utf16le'],
    ['  sel:\n    cs-uri-query|expand: "%x%"\n  condition: sel', 'modifier expand'],
    ['  sel:\n    cs-uri-query|fieldref: cs-host\n  condition: sel', 'modifier fieldref'],
    ['  sel:\n    cs-uri-query: x\n  condition: sel1', 'condition names sel1'],
    ['  sel:\n    cs-uri-query: x\n  condition: 1 of foo*', '"foo*" matches no selection'],
    ['  sel:\n    cs-uri-query: x\n  condition: sel near sel', '"near" is not supported'],
    ['  sel:\n    cs-uri-query: x\n  timeframe: 5m\n  condition: sel', 'timeframe'],
    ['  sel:\n    sc-status|contains: "40"\n  condition: sel', 'number field'],
    ['  sel:\n    sc-status: "4*"\n  condition: sel', 'number field'],
    ['  sel:\n    cs-uri-query|gt: 5\n  condition: sel', 'applies to number fields only'],
    ['  sel:\n    cs-uri-query|cidr: 10.0.0.0/8\n  condition: sel', 'applies to address fields only'],
    ['  sel:\n    c-ip: not-an-ip\n  condition: sel', 'not an IP address'],
    ['  sel:\n    cs-uri-query: ""\n  condition: sel', 'empty value'],
    ['  sel:\n    cs-uri-query|contains|startswith: x\n  condition: sel', 'cannot be combined'],
    ['  sel:\n    cs-uri-query: true\n  condition: sel', 'boolean values'],
    ['  sel:\n    cs-uri-query:\n      a: b\n  condition: sel', 'nested values'],
  ])('refuses %j', (detection, reason) => {
    const result = convertSigma(rule(detection), 'x.yml');
    expect(result.converted).toEqual([]);
    expect(result.refused).toEqual([{ file: 'x.yml', title: 'Test Rule', reason: expect.stringContaining(reason) }]);
  });

  it('refuses a rule whose filter would exceed the filter language limits', () => {
    const values = Array.from({ length: 400 }, (_, i) => `      - '/p${i}-0123456789'`).join('\n');
    const result = convertSigma(rule(`  sel:\n    cs-uri-stem|contains:\n${values}\n  condition: sel`), 'x.yml');
    expect(result.refused[0].reason).toContain('the converted filter is not accepted by the filter language: The filter is longer than');
  });

  it('refuses collections, correlations, deprecated rules and unknown services', () => {
    const reasons = (text: string) => convertSigma(text, 'x.yml').refused.map((r) => r.reason);
    expect(reasons(`action: global\ntitle: T\n`)).toEqual(['rule collections (action: global) are not supported']);
    expect(reasons(`title: T\ncorrelation:\n  type: event_count\n`)).toEqual(['correlation rules are not supported']);
    expect(reasons(rule('  sel:\n    cs-uri-query: x\n  condition: sel', 'status: deprecated\n'))[0]).toContain('status deprecated');
    expect(reasons(rule('  sel:\n    cs-uri-query: x\n  condition: sel').replace('category: webserver', 'category: webserver\n  service: error'))[0]).toContain(
      'logsource service error',
    );
  });

  it('strictCase refuses values whose case matters, and converts caseless ones', () => {
    const lettered = rule('  sel:\n    cs-uri-query|contains: Admin\n  condition: sel');
    expect(convertSigma(lettered, 'x.yml', { strictCase: true }).refused[0].reason).toContain('ignoring case');
    const caseless = rule('  sel:\n    cs-uri-query|contains: "../"\n    sc-status: 200\n  condition: sel');
    const ok = convertSigma(caseless, 'x.yml', { strictCase: true });
    expect(ok.converted).toEqual([{ id: 'sigma-test-rule', title: 'Test Rule', file: 'x.yml', notes: [] }]);
    expect(loadRuleText(ok.rules, 'y.yaml').rules[0].filterText).toBe('url.original:*../* AND http.response.status_code:200');
    const cased = convertSigma(rule('  sel:\n    cs-uri-query|contains|cased: Admin\n  condition: sel'), 'x.yml', { strictCase: true });
    expect(loadRuleText(cased.rules, 'y.yaml').rules[0].filterText).toBe('url.original:*Admin*');
  });
});

describe('values and modifiers', () => {
  const convertOne = (detection: string) => {
    const text = `title: T1\nlogsource:\n  category: webserver\ndetection:\n${detection}`;
    const result = convertSigma(text, 'x.yml');
    expect(result.refused).toEqual([]);
    const loaded = loadRuleText(result.rules, 'y.yaml');
    expect(loaded.errors).toEqual([]);
    return loaded.rules[0];
  };

  it('keeps Sigma escapes: \\* is a star, \\\\ a backslash, other backslashes literal', () => {
    const r = convertOne("  sel:\n    cs-uri-query|cased: 'a\\*b\\\\c\\d?'\n  condition: sel");
    expectMatches(r, [{ 'url.original': 'a*b\\c\\dX' }], [{ 'url.original': 'aXb\\c\\dX' }, { 'url.original': 'a*b\\c\\d' }]);
  });

  it('exists: false, null in a list, lt/lte/gt, |all on a single value, numbers on keyword fields', () => {
    expectMatches(convertOne('  sel:\n    cs-referer|exists: false\n  condition: sel'), [{}], [{ 'http.request.referrer': 'x' }]);
    expectMatches(
      convertOne("  sel:\n    cs-username:\n      - null\n      - 'bob'\n  condition: sel"),
      [{}, { 'user.name': 'bob' }, { 'user.name': 'BOB' }],
      [{ 'user.name': 'alice' }],
    );
    expectMatches(convertOne('  sel:\n    sc-bytes|lt: 10\n  condition: sel'), [{ 'http.response.body.bytes': 9 }], [{ 'http.response.body.bytes': 10 }]);
    expectMatches(convertOne('  sel:\n    sc-bytes|lte: 10\n  condition: sel'), [{ 'http.response.body.bytes': 10 }], [{ 'http.response.body.bytes': 11 }]);
    expectMatches(convertOne("  sel:\n    sc-status|gt: '499'\n  condition: sel"), [{ 'http.response.status_code': 500 }], [{ 'http.response.status_code': 499 }]);
    expectMatches(convertOne('  sel:\n    cs-uri-stem|all|contains: a\n  condition: sel'), [{ 'url.path': '/a' }], [{ 'url.path': '/b' }]);
    expectMatches(convertOne('  sel:\n    cs-uri-query|endswith: 123\n  condition: sel'), [{ 'url.original': '/x?id=123' }], [{ 'url.original': '/x?id=1234' }]);
  });

  it('lists of maps are OR-ed; IPs compare as addresses', () => {
    const r = convertOne("  sel:\n    - c-ip: '2001:DB8::1'\n    - cs-method: PUT\n  condition: sel");
    expectMatches(r, [{ 'source.ip': '2001:db8:0::1' }, { 'http.request.method': 'PUT' }], [{ 'source.ip': '2001:db8::2', 'http.request.method': 'GET' }]);
  });

  it('several conditions are OR-ed', () => {
    const r = convertOne("  a:\n    sc-status: 500\n  b:\n    sc-status: 404\n  condition:\n    - a\n    - b");
    expectMatches(r, [{ 'http.response.status_code': 500 }, { 'http.response.status_code': 404 }], [{ 'http.response.status_code': 200 }]);
  });
});

describe('rule metadata', () => {
  it('maps levels to severities and tags to RSIT categories', () => {
    const sev = (level: string) => {
      const text = `title: T\nlevel: ${level}\nlogsource:\n  category: webserver\ndetection:\n  s:\n    sc-status: 1\n  condition: s\n`;
      return loadRuleText(convertSigma(text, 'x').rules, 'y').rules[0]?.severity;
    };
    expect(['informational', 'low', 'medium', 'high', 'critical'].map(sev)).toEqual(['low', 'low', 'medium', 'high', 'critical']);
    expect(categoryFromTags(['attack.t1190', 'attack.discovery'])).toBe('intrusion-attempts');
    expect(categoryFromTags(['attack.Reconnaissance'])).toBe('information-gathering');
    expect(categoryFromTags(['attack.discovery'])).toBe('information-gathering');
    expect(categoryFromTags(['attack.persistence'])).toBe('intrusion-attempts');
    expect(categoryFromTags([])).toBe('intrusion-attempts');
  });

  it('makes unique, valid ids: title slug, else the Sigma id, suffixes on clashes', () => {
    const doc = (title: string, id: string) =>
      `title: "${title}"\nid: ${id}\nlogsource:\n  category: webserver\ndetection:\n  s:\n    sc-status: 1\n  condition: s\n`;
    const text = [
      doc('Đăng nhập thất bại!', 'abcdef12-0000-4000-8000-000000000000'),
      doc('Đăng nhập thất bại', 'abcdef34-0000-4000-8000-000000000000'),
      doc('Đăng nhập thất bại', 'abcdef34-0000-4000-8000-000000000000'),
      doc('!!!', 'ABCDEF56-0000-4000-8000-000000000000'),
      doc('x'.repeat(300), 'abcdef78-0000-4000-8000-000000000000'),
    ].join('---\n');
    const result = convertSigma(text, 'x.yml');
    expect(result.converted.map((c) => c.id)).toEqual([
      'sigma-dang-nhap-that-bai',
      'sigma-dang-nhap-that-bai-abcdef34',
      'sigma-dang-nhap-that-bai-2',
      'sigma-abcdef56',
      `sigma-${'x'.repeat(58)}`,
    ]);
    const loaded = loadRuleText(result.rules, 'y.yaml');
    expect(loaded.errors).toEqual([]);
    expect(loaded.rules[4].title).toHaveLength(200);
  });
});

describe('convertSigmaPaths', () => {
  it('reads directories recursively, merges results and keeps ids unique across files', async () => {
    const result = await convertSigmaPaths([FIXTURES, join(FIXTURES, 'missing.yml')]);
    expect(result.converted).toHaveLength(7);
    expect(result.refused).toHaveLength(6);
    expect(result.failed.map((f) => f.file)).toEqual([join(FIXTURES, 'invalid/broken.yml'), join(FIXTURES, 'invalid/not_sigma.yml'), join(FIXTURES, 'missing.yml')]);
    expect(result.failed[2].reason).toBe('no such file or directory');
    const loaded = loadRuleText(result.rules, 'all.yaml');
    expect(loaded.errors).toEqual([]);
    expect(loaded.rules).toHaveLength(7);
    const twice = await convertSigmaPaths([join(FIXTURES, 'convertible'), join(FIXTURES, 'convertible/web_path_traversal.yml')]);
    expect(twice.converted.map((c) => c.id)).toContain('sigma-path-traversal-sequences-in-request-uri-5b0e8a52');
    expect(loadRuleText(twice.rules, 'y').errors).toEqual([]);
  });
});
