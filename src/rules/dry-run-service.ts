import { errors } from '../errors';
import type { Clock } from '../lib/clock';
import { parseTime } from '../lib/time';
import type { EventStore } from '../store/event-store';
import { dryRun, type DryRunResult } from './engine/dry-run';
import type { RuleRegistry } from './engine/rule-registry';
import { evaluateRule } from './evaluate';
import { formatRuleErrors, loadRuleText } from './load-rules';
import type { Rule } from './rule';

export interface DryRunRequest {
  /** YAML text of one rule (as in a rule file), or... */
  readonly rule?: string;
  /** ...the id of a loaded rule. */
  readonly ruleId?: string;
  readonly from: string;
  readonly to?: string;
  /** Keep only hits of this locality (organization.id). */
  readonly locality?: string;
}

/** `POST /api/v1/rules/test` and `canh rules test`: what a rule would have raised, raising nothing. */
export class RuleDryRunService {
  constructor(
    private readonly store: EventStore,
    private readonly registry: Pick<RuleRegistry, 'get'>,
    private readonly clock: Clock,
  ) {}

  async test(req: DryRunRequest): Promise<DryRunResult & { rule: Rule }> {
    const rule = this.resolve(req);
    const now = this.clock.now();
    const to = req.to ? parseTime(req.to, 'to', now) : now;
    const from = parseTime(req.from, 'from', now);
    if (from >= to) throw errors.invalidRequest('from must be before to', { field: 'from' });
    const result = await dryRun(rule, { from, to }, this.store, evaluateRule);
    const hits = req.locality ? result.hits.filter((h) => h.locality === req.locality) : result.hits;
    return { rule, windows: result.windows, hits };
  }

  private resolve(req: DryRunRequest): Rule {
    if (req.rule !== undefined) {
      const loaded = loadRuleText(req.rule, 'request');
      if (loaded.errors.length) throw errors.invalidRequest(`The rule has errors:\n${formatRuleErrors(loaded.errors)}`, { problems: loaded.errors });
      if (loaded.rules.length !== 1) throw errors.invalidRequest(`Send exactly one rule, got ${loaded.rules.length}`, { field: 'rule' });
      return loaded.rules[0];
    }
    const rule = req.ruleId ? this.registry.get(req.ruleId) : undefined;
    if (!req.ruleId) throw errors.invalidRequest('Send `rule` (YAML text) or `rule_id`', { field: 'rule' });
    if (!rule) throw errors.notFound('Rule', req.ruleId);
    return rule;
  }
}
