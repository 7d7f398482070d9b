import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { duration, type DemoTimings } from './timings';

/** The escalation policy of the demo rules: province, then central, within a minute by default. */
export const DEMO_POLICY = 'demo-fast';

/** Shipped rule → the demo copy's id; the copy keeps the shipped filter, type and condition. */
export const DEMO_RULES = {
  'web-login-brute-force': 'demo-login-brute-force',
  'web-scanner-user-agent': 'demo-scanner-user-agent',
  'web-sqli-attempt': 'demo-sqli-attempt',
  'web-path-traversal': 'demo-path-traversal',
  'otp-failure-ratio': 'demo-otp-failure-ratio',
  'service-down': 'demo-service-down',
} as const;

type ShippedId = keyof typeof DEMO_RULES;

/**
 * Writes the demo's rules directory (for CANH_RULES_DIR): copies of shipped rules with distinct ids
 * on the demo's clock (`every`, `delay`, `window`, `suppress`) and the demo-fast escalation policy,
 * in `<dir>/demo.yaml` and `<dir>/escalation/demo.yaml`. The shipped rules still run at their own
 * pace beside them. Reading the shipped files (not a copy of them) keeps the demo honest: its
 * incidents come from the same conditions as a real deployment's.
 */
export function writeDemoRules(dir: string, packageRoot: string, t: DemoTimings): void {
  const shipped = new Map<string, Record<string, unknown>>();
  for (const file of ['web.yaml', 'otp.yaml', 'uptime.yaml']) {
    for (const rule of parse(readFileSync(join(packageRoot, 'rules', file), 'utf8')) as Record<string, unknown>[]) shipped.set(String(rule.id), rule);
  }
  const rules = (Object.keys(DEMO_RULES) as ShippedId[]).map((id) => {
    const rule = shipped.get(id);
    if (!rule) throw new Error(`The shipped rules have no rule ${id}: the demo copies it (src/demo/demo-rules.ts)`);
    return demoCopy(rule, id, t);
  });
  mkdirSync(join(dir, 'escalation'), { recursive: true });
  const header = '# Written by the demo (src/demo/demo-rules.ts) at every start: copies of shipped rules on a faster clock.\n';
  writeFileSync(join(dir, 'demo.yaml'), header + JSON.stringify(rules, null, 2) + '\n');
  writeFileSync(join(dir, 'escalation', 'demo.yaml'), header + JSON.stringify([demoPolicy(t)], null, 2) + '\n');
}

function demoCopy(rule: Record<string, unknown>, id: ShippedId, t: DemoTimings): Record<string, unknown> {
  const every = duration(t.ruleEveryMs);
  const isMatch = rule.type === 'match';
  const window = id === 'service-down' ? duration(t.outageWindowMs) : isMatch ? every : duration(t.ruleWindowMs);
  const copy: Record<string, unknown> = {
    ...rule,
    id: DEMO_RULES[id],
    title: `${String(rule.title)} (demo)`,
    description: `Demo copy of the shipped rule ${id}, evaluated every ${every} instead of ${String(rule.every ?? '1m')}. ${String(rule.description ?? '')}`.slice(0, 4000),
    window,
    every,
    delay: duration(t.ruleDelayMs),
    // Short suppression: each cycle of the demo raises its incidents again.
    suppress: duration(Math.min(t.cycleMs / 2, 60_000)),
    escalation: DEMO_POLICY,
  };
  return copy;
}

function demoPolicy(t: DemoTimings): Record<string, unknown> {
  return {
    name: DEMO_POLICY,
    description: `Demo pace: the province after ${duration(t.escalateAfterMs)}, central after as much again (the shipped policies take 30m to hours).`,
    levels: [
      { after: duration(t.escalateAfterMs), target: 'province' },
      { after: duration(t.escalateAfterMs), target: 'central' },
    ],
  };
}
