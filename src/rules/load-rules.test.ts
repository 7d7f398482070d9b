import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RULE_TYPES } from './rule';
import { defaultRulePaths, formatRuleErrors, loadRuleFiles, loadRuleText } from './load-rules';

const ROOT = join(__dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/rules');
const rel = (file: string) => file.slice(FIXTURES.length + 1);

const ruleYaml = (id: string, indent = '') =>
  [`id: ${id}`, 'title: T', 'severity: low', 'category: test', 'dataset: web.access', 'type: match'].map((l) => indent + l).join('\n');

describe('loadRuleText', () => {
  it('reads one rule as a mapping', () => {
    const r = loadRuleText(ruleYaml('a1'), 'f.yaml');
    expect(r.errors).toEqual([]);
    expect(r.rules.map((x) => [x.id, x.origin.line])).toEqual([['a1', 1]]);
  });
  it('reads a list of rules, each with its own line', () => {
    const text = [ruleYaml('a1').replace(/^/gm, '  ').replace(/^ {2}id/, '- id'), ruleYaml('a2').replace(/^/gm, '  ').replace(/^ {2}id/, '- id')].join('\n');
    const r = loadRuleText(text, 'f.yaml');
    expect(r.errors).toEqual([]);
    expect(r.rules.map((x) => [x.id, x.origin.line])).toEqual([['a1', 1], ['a2', 7]]);
  });
  it('reads several documents, lists or mappings, and skips empty ones', () => {
    const text = ['# comment only', '---', ruleYaml('a1'), '---', `- ${ruleYaml('a2', '  ').trimStart()}`, '---', '...'].join('\n');
    const r = loadRuleText(text, 'f.yaml');
    expect(r.errors).toEqual([]);
    expect(r.rules.map((x) => [x.id, x.origin.line])).toEqual([['a1', 3], ['a2', 10]]);
  });
  it('an empty text has no rules and no errors', () => {
    expect(loadRuleText('', 'f')).toEqual({ rules: [], errors: [] });
    expect(loadRuleText('# nothing\n', 'f')).toEqual({ rules: [], errors: [] });
  });
  it('a bad rule does not stop the others', () => {
    const text = ['- id: bad', '  title: T', '- 42', `- ${ruleYaml('good', '  ').trimStart()}`].join('\n');
    const r = loadRuleText(text, 'f.yaml');
    expect(r.rules.map((x) => x.id)).toEqual(['good']);
    expect(formatRuleErrors(r.errors).split('\n')).toEqual([
      "f.yaml:1: severity: missing required key 'severity'",
      "f.yaml:1: category: missing required key 'category'",
      "f.yaml:1: dataset: missing required key 'dataset'",
      "f.yaml:1: type: missing required key 'type'",
      'f.yaml:3: expected a rule (a mapping with id, title, type...), got 42',
    ]);
  });
  it('a YAML syntax error names its line and spares the other documents', () => {
    const r = loadRuleText([ruleYaml('a1'), '---', 'id: [broken', '---', ruleYaml('a2')].join('\n'), 'f.yaml');
    expect(r.rules.map((x) => x.id)).toEqual(['a1', 'a2']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: 'f.yaml', field: '' });
    expect(r.errors[0].line).toBeGreaterThanOrEqual(8);
    expect(r.errors[0].line).toBeLessThanOrEqual(9);
    expect(r.errors[0].message).toMatch(/^YAML: /);
  });
  it('a duplicate key is a YAML error at its line', () => {
    const r = loadRuleText(`${ruleYaml('a1')}\ntitle: again`, 'f.yaml');
    expect(r.rules).toEqual([]);
    expect(r.errors.map((e) => e.line)).toEqual([7]);
  });
  it('rejects a duplicate id in one text, naming both places', () => {
    const r = loadRuleText([ruleYaml('a1'), '---', ruleYaml('a1')].join('\n'), 'f.yaml');
    expect(r.rules.map((x) => x.origin.line)).toEqual([1]);
    expect(r.errors).toEqual([{ file: 'f.yaml', line: 8, field: 'id', message: "duplicate rule id 'a1': already defined at f.yaml:1" }]);
  });
  it('reports errors in line order', () => {
    const r = loadRuleText(['id: a1', 'type: nope', 'title: T', 'severity: x', 'category: test', 'dataset: web.access'].join('\n'), 'f');
    expect(r.errors.map((e) => e.line)).toEqual([2, 4]);
  });
});

describe('loadRuleFiles', () => {
  it('walks directories recursively, .yaml and .yml only, in name order', async () => {
    const r = await loadRuleFiles([join(FIXTURES, 'good')]);
    expect(r.errors).toEqual([]);
    expect(r.rules.map((x) => `${x.id}@${rel(x.origin.file)}:${x.origin.line}`)).toEqual([
      'fixture-two@good/nested/two.yml:1',
      'fixture-three@good/nested/two.yml:9',
      'fixture-one@good/one.yaml:1',
    ]);
  });
  it('a broken file and a bad rule beside good ones; duplicates across files name both', async () => {
    const r = await loadRuleFiles([join(FIXTURES, 'good'), join(FIXTURES, 'mixed')]);
    expect(r.rules.map((x) => x.id).sort()).toEqual(['fixture-one', 'fixture-three', 'fixture-two', 'mixed-good', 'mixed-good-2']);
    const lines = formatRuleErrors(r.errors).split('\n').map((l) => l.replace(`${FIXTURES}/`, ''));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^mixed\/b-syntax\.yaml:[34]: YAML: /);
    expect(lines[1]).toBe('mixed/c-invalid.yaml:7: condition.count: must be at least 1, got 0');
    expect(lines[2]).toBe(`mixed/a-good.yaml:7: id: duplicate rule id 'fixture-one': already defined at ${FIXTURES}/good/one.yaml:1`);
  });
  it('reads a file named directly, once even when also under a directory', async () => {
    const one = join(FIXTURES, 'good/one.yaml');
    const r = await loadRuleFiles([one, join(FIXTURES, 'good')]);
    expect(r.errors).toEqual([]);
    expect(r.rules.map((x) => x.id)).toEqual(['fixture-one', 'fixture-two', 'fixture-three']);
  });
  it('skips the escalation/ and monitors/ subdirectories of a rules directory (policies and monitors, not rules)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canh-rules-'));
    mkdirSync(join(dir, 'escalation'));
    mkdirSync(join(dir, 'monitors'));
    writeFileSync(join(dir, 'a.yaml'), ruleYaml('a1'));
    writeFileSync(join(dir, 'escalation', 'default.yaml'), '- name: p\n  levels: []\n');
    writeFileSync(join(dir, 'monitors', 'portal.yaml'), '- id: portal\n  type: http\n  url: http://127.0.0.1/\n');
    const r = await loadRuleFiles([dir]);
    expect(r.errors).toEqual([]);
    expect(r.rules.map((x) => x.id)).toEqual(['a1']);
  });
  it('a missing path is an error for that path only', async () => {
    const missing = join(FIXTURES, 'does-not-exist');
    const r = await loadRuleFiles([missing, join(FIXTURES, 'good/one.yaml')]);
    expect(r.rules.map((x) => x.id)).toEqual(['fixture-one']);
    expect(r.errors).toEqual([{ file: missing, line: 0, field: '', message: 'no such file or directory' }]);
    expect(formatRuleErrors(r.errors)).toBe(`${missing}: no such file or directory`);
  });
});

describe('the shipped rule pack', () => {
  it('loads with no errors, at least 6 rules, unique ids', async () => {
    const r = await loadRuleFiles([join(ROOT, 'rules')]);
    expect(formatRuleErrors(r.errors)).toBe('');
    expect(r.rules.length).toBeGreaterThanOrEqual(6);
    expect(new Set(r.rules.map((x) => x.id)).size).toBe(r.rules.length);
  });
  it('covers the mission: web, OTP and probes', async () => {
    const { rules } = await loadRuleFiles([join(ROOT, 'rules')]);
    const byId = new Map(rules.map((x) => [x.id, x]));
    expect(byId.get('web-5xx-ratio')?.condition.type).toBe('ratio');
    expect(byId.get('web-login-brute-force')?.groupBy).toContain('source.ip');
    expect(byId.get('otp-failure-ratio')?.groupBy).toEqual(['organization.id', 'service.name']);
    expect(byId.get('otp-delivery-failures')?.groupBy).toEqual(['event.provider']);
    expect(byId.get('service-down')?.dataset).toBe('uptime.probe');
    expect(byId.get('probe-silent')?.condition.type).toBe('absence');
    for (const id of ['web-scanner-user-agent', 'web-path-traversal', 'web-sqli-attempt', 'web-xss-attempt']) expect(byId.get(id)?.condition.type).toBe('match');
    expect(new Set(rules.map((x) => x.dataset))).toEqual(new Set(['web.access', 'otp.auth', 'uptime.probe']));
    expect(RULE_TYPES.filter((t) => rules.some((x) => x.condition.type === t)).length).toBeGreaterThanOrEqual(6);
  });
});

describe('formatRuleErrors and defaultRulePaths', () => {
  it('one line per error', () => {
    expect(formatRuleErrors([
      { file: 'a.yaml', line: 3, field: 'condition.ratio', message: 'must be at most 1, got 2' },
      { file: 'b.yaml', line: 1, field: '', message: 'YAML: bad' },
    ])).toBe('a.yaml:3: condition.ratio: must be at most 1, got 2\nb.yaml:1: YAML: bad');
    expect(formatRuleErrors([])).toBe('');
  });
  it('the shipped rules plus CANH_RULES_DIR', () => {
    expect(defaultRulePaths('/app')).toEqual(['/app/rules']);
    expect(defaultRulePaths('/app', '/etc/canh/rules')).toEqual(['/app/rules', '/etc/canh/rules']);
    expect(defaultRulePaths('/app', '/app/rules/')).toEqual(['/app/rules']);
    expect(defaultRulePaths('/app', ' ')).toEqual(['/app/rules']);
  });
});
