import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatRuleErrors } from '../load-rules';
import { RULE_TYPES } from '../rule';
import { loadPack } from './pack-support';

/** The shipped pack as a whole: it loads clean, covers the mission, and every rule has a test here. */

/** Rule ids the pack tests load (`packRule('id')` in the *.test.ts files of this folder). */
function testedIds(): Set<string> {
  const ids = new Set<string>();
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.ts') && f !== 'pack.test.ts')) {
    for (const m of readFileSync(join(__dirname, file), 'utf8').matchAll(/packRule\('([a-z0-9-]+)'\)/g)) ids.add(m[1]);
  }
  return ids;
}

describe('the shipped pack', () => {
  it('loads with no errors and at least 15 rules with unique ids', async () => {
    const { rules, errors } = await loadPack();
    expect(formatRuleErrors(errors)).toBe('');
    expect(rules.length).toBeGreaterThanOrEqual(15);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });

  it('every rule has a test, and every tested id is a rule', async () => {
    const { rules } = await loadPack();
    const loaded = rules.map((r) => r.id).sort();
    expect([...testedIds()].sort()).toEqual(loaded);
  });

  it('covers the mission', async () => {
    const { rules } = await loadPack();
    const byId = new Map(rules.map((r) => [r.id, r]));
    const expected: [string, string, string][] = [
      ['web-5xx-ratio', 'web.access', 'ratio'],
      ['web-login-brute-force', 'web.access', 'threshold'],
      ['web-scanner-user-agent', 'web.access', 'match'],
      ['web-sqli-attempt', 'web.access', 'match'],
      ['web-xss-attempt', 'web.access', 'match'],
      ['web-path-traversal', 'web.access', 'match'],
      ['web-request-spike', 'web.access', 'spike'],
      ['web-admin-new-ip', 'web.access', 'new_value'],
      ['web-source-silent', 'web.access', 'absence'],
      ['otp-failure-ratio', 'otp.auth', 'ratio'],
      ['otp-delivery-failures', 'otp.auth', 'threshold'],
      ['otp-request-flood', 'otp.auth', 'threshold'],
      ['otp-guess-then-success', 'otp.auth', 'sequence'],
      ['otp-lockout-spike', 'otp.auth', 'spike'],
      ['otp-source-silent', 'otp.auth', 'absence'],
      ['service-down', 'uptime.probe', 'cardinality'],
      ['service-slow', 'uptime.probe', 'metric'],
      ['probe-silent', 'uptime.probe', 'absence'],
    ];
    for (const [id, dataset, type] of expected) {
      expect({ id, dataset: byId.get(id)?.dataset, type: byId.get(id)?.condition.type }).toEqual({ id, dataset, type });
    }
    expect(byId.get('web-login-brute-force')?.groupBy).toEqual(['organization.id', 'source.ip']);
    expect(byId.get('otp-request-flood')?.groupBy).toEqual(['organization.id', 'user.id']);
    expect(byId.get('web-source-silent')?.groupBy).toContain('canh.source_id');
    expect(byId.get('otp-source-silent')?.groupBy).toContain('canh.source_id');
    expect(byId.get('web-admin-new-ip')?.condition).toMatchObject({ type: 'new_value', fields: ['source.ip'] });
    expect(RULE_TYPES.filter((t) => t !== 'cardinality').every((t) => rules.some((r) => r.condition.type === t))).toBe(true);
  });

  it('every rule is enabled, with every <= window and a suppression', async () => {
    const { rules } = await loadPack();
    for (const r of rules) {
      expect({ id: r.id, enabled: r.enabled, everyWithinWindow: r.everyMs <= r.windowMs, suppresses: r.suppressMs > 0 })
        .toEqual({ id: r.id, enabled: true, everyWithinWindow: true, suppresses: true });
    }
  });
});
