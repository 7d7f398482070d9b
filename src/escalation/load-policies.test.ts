import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRuleErrors } from '../rules/load-rules';
import { loadPolicyFiles, loadPolicyText, policyDirsOf } from './load-policies';
import { BUILTIN_DEFAULT_POLICY, selectPolicy } from './policy';

const ROOT = join(__dirname, '../..');

describe('loadPolicyText', () => {
  it('reads a list of policies with levels, targets and repeats', () => {
    const text = [
      '- name: critical',
      '  description: fast',
      '  severities: [critical, high]',
      '  levels:',
      '    - after: 15m',
      '      target: province',
      '      repeat: { every: 30m, times: 3 }',
      '    - { after: 1h, target: central }',
      '- name: quiet',
      '  levels: []',
    ].join('\n');
    const r = loadPolicyText(text, 'p.yaml');
    expect(r.errors).toEqual([]);
    expect(r.policies).toEqual([
      {
        name: 'critical', description: 'fast', severities: ['critical', 'high'], origin: { file: 'p.yaml', line: 1 },
        levels: [{ afterMs: 15 * 60_000, target: 'province', repeat: { everyMs: 30 * 60_000, times: 3 } }, { afterMs: 3_600_000, target: 'central' }],
      },
      { name: 'quiet', description: '', severities: [], levels: [], origin: { file: 'p.yaml', line: 9 } },
    ]);
  });

  it('names file, line and field; suggests the closest key; a bad policy spares the others', () => {
    const text = [
      '- name: bad',
      '  severties: [high]',
      '  levels:',
      '    - after: 300',
      '      target: provnce',
      '      repeat: { every: 0s, tims: 2 }',
      '- name: good',
      '  levels: [{ after: 1s, target: own }]',
      '- 42',
      '- name: Bad Name',
      '  levels: {}',
    ].join('\n');
    const r = loadPolicyText(text, 'p.yaml');
    expect(r.policies.map((p) => p.name)).toEqual(['good']);
    expect(formatRuleErrors(r.errors).split('\n')).toEqual([
      "p.yaml:2: severties: unknown key 'severties'; did you mean 'severities'?",
      'p.yaml:4: levels[0].after: expected a duration such as 30s, 5m, 1h or 7d, got 300',
      "p.yaml:5: levels[0].target: unknown value 'provnce'; did you mean 'province'?",
      "p.yaml:6: levels[0].repeat.tims: unknown key 'tims'; did you mean 'times'?",
      'p.yaml:6: levels[0].repeat.every: must be at least 1s, got 0s',
      "p.yaml:6: levels[0].repeat.times: missing required key 'times'",
      'p.yaml:9: [2]: expected a policy (a mapping with name and levels), got 42',
      'p.yaml:10: name: invalid value "Bad Name": 1-64 characters a-z, 0-9, - or _, starting with a letter or digit',
      'p.yaml:11: levels: expected a list of levels, got a mapping',
    ]);
  });

  it('rejects a duplicate name, naming both places, and keeps the first', () => {
    const r = loadPolicyText(['- name: a', '  levels: []', '- name: a', '  levels: [{ after: 1m, target: own }]'].join('\n'), 'p.yaml');
    expect(r.policies.map((p) => p.levels.length)).toEqual([0]);
    expect(r.errors).toEqual([{ file: 'p.yaml', line: 3, field: 'name', message: "duplicate policy name 'a': already defined at p.yaml:1" }]);
  });

  it('a YAML syntax error names its line; an empty text has no policies', () => {
    const r = loadPolicyText('- name: [broken\n', 'p.yaml');
    expect(r.policies).toEqual([]);
    expect(r.errors[0]).toMatchObject({ file: 'p.yaml', field: '' });
    expect(r.errors[0].message).toMatch(/^YAML: /);
    expect(loadPolicyText('# nothing\n', 'p.yaml')).toEqual({ policies: [], errors: [] });
  });
});

describe('loadPolicyFiles', () => {
  it('a bad file never stops the other files; duplicates across files are errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canh-policies-'));
    writeFileSync(join(dir, 'a.yaml'), '- name: one\n  levels: [{ after: 1m, target: own }]\n');
    writeFileSync(join(dir, 'b.yaml'), '- name: [broken\n');
    writeFileSync(join(dir, 'c.yml'), '- name: one\n  levels: []\n- name: two\n  levels: []\n');
    const r = await loadPolicyFiles([dir, join(dir, 'missing.yaml')]);
    expect(r.policies.map((p) => p.name)).toEqual(['one', 'two']);
    const lines = formatRuleErrors(r.errors).split('\n').map((l) => l.replace(`${dir}/`, ''));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('missing.yaml: no such file or directory');
    expect(lines[1]).toMatch(/^b\.yaml:[12]: YAML: /);
    expect(lines[2]).toBe(`c.yml:1: name: duplicate policy name 'one': already defined at ${dir}/a.yaml:1`);
  });

  it('policyDirsOf finds the escalation/ subdirectory of rule directories that have one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canh-rules-'));
    mkdirSync(join(dir, 'escalation'));
    expect(await policyDirsOf([dir, join(dir, 'nope')])).toEqual([join(dir, 'escalation')]);
  });
});

describe('the shipped policies', () => {
  it('load with no errors and cover every severity, low never escalating', async () => {
    const r = await loadPolicyFiles(await policyDirsOf([join(ROOT, 'rules')]));
    expect(formatRuleErrors(r.errors)).toBe('');
    const bySeverity = (severity: 'low' | 'medium' | 'high' | 'critical') => selectPolicy(r.policies, { severity });
    expect(bySeverity('critical').levels.map((l) => [l.target, l.afterMs / 60_000])).toEqual([['province', 15], ['central', 45]]);
    expect(bySeverity('high').levels.map((l) => [l.target, l.afterMs / 60_000])).toEqual([['province', 30], ['central', 210]]);
    expect(bySeverity('medium').levels.map((l) => [l.target, l.afterMs / 60_000])).toEqual([['province', 240]]);
    expect(bySeverity('low').levels).toEqual([]);
  });
});

describe('selectPolicy', () => {
  const p = (name: string, severities: ('low' | 'medium' | 'high' | 'critical')[]) => ({ name, description: '', severities, levels: [], origin: { file: 'f', line: 1 } });
  const policies = [p('a', ['high']), p('b', ['high', 'low']), p('named', [])];
  it("the rule's named policy, else the first listing the severity, else the built-in default", () => {
    expect(selectPolicy(policies, { escalation: 'named', severity: 'high' }).name).toBe('named');
    expect(selectPolicy(policies, { escalation: 'gone', severity: 'high' }).name).toBe('a');
    expect(selectPolicy(policies, { severity: 'low' }).name).toBe('b');
    expect(selectPolicy(policies, { severity: 'critical' })).toBe(BUILTIN_DEFAULT_POLICY);
    expect(selectPolicy([], { severity: 'low' })).toBe(BUILTIN_DEFAULT_POLICY);
  });
});
