import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleText } from '../load-rules';
import { importSigmaCommand } from './command';

const FIXTURES = join(__dirname, '../../../test/fixtures/sigma');

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await importSigmaCommand(args, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

describe('importSigmaCommand', () => {
  it('prints the rules, refusals on stderr, exit 0 when something converted and nothing failed', async () => {
    const { code, stdout, stderr } = await run([join(FIXTURES, 'convertible'), join(FIXTURES, 'refused')]);
    expect(code).toBe(0);
    expect(loadRuleText(stdout, 'out.yaml')).toMatchObject({ errors: [] });
    expect(loadRuleText(stdout, 'out.yaml').rules).toHaveLength(7);
    expect(stderr).toContain('refused "Proxy Request To Paste Site": logsource category proxy is not supported: only webserver');
    expect(stderr).toContain('7 converted, 6 refused, 0 failed');
    expect(stderr).toMatch(/note for sigma-vulnerability-scanner-user-agent: user_agent.original is matched as written/);
  });

  it('writes --out, and exits 1 when a file fails to parse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canh-sigma-'));
    try {
      const out = join(dir, 'rules.yaml');
      const { code, stdout, stderr } = await run([FIXTURES, '--out', out]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain(`wrote 7 rule(s) to ${out}`);
      expect(stderr).toMatch(/broken\.yml: failed: YAML: /);
      expect(loadRuleText(readFileSync(out, 'utf8'), out).rules).toHaveLength(7);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 when nothing converted; --strict-case refuses case-dependent rules', async () => {
    expect((await run([join(FIXTURES, 'refused')])).code).toBe(1);
    const strict = await run([join(FIXTURES, 'convertible/web_scanner_user_agent.yml'), '--strict-case']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('ignoring case');
  });

  it('reports usage errors with exit 2', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['x', '--out'])).code).toBe(2);
    expect((await run(['x', '--bogus'])).code).toBe(2);
    expect((await run(['--help'])).code).toBe(0);
  });
});
