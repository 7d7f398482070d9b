import { errors } from '../errors';
import type { Clock } from '../lib/clock';
import { parseTime } from '../lib/time';
import type { EventStore } from '../store/event-store';
import { scopedEventStore } from '../store/scoped-event-store';
import { ALL_SCOPE, type Scope } from '../store/scope';
import { dryRun, type DryRunResult } from './engine/dry-run';
import type { Window } from './engine/plan-windows';
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

/** A checked dry-run request: the rule to replay, the range in epoch ms and the locality to keep. */
export interface PreparedDryRun {
  readonly rule: Rule;
  readonly range: Window;
  readonly locality?: string;
}

/** What a dry run found: the evaluations replayed and the hits (of the locality, if one was asked). */
export type DryRunAnswer = DryRunResult & { readonly rule: Rule };

/** `POST /api/v1/rules/test` and `canh rules test`: what a rule would have raised, raising nothing. */
export class RuleDryRunService {
  constructor(
    private readonly store: EventStore,
    private readonly registry: Pick<RuleRegistry, 'get'>,
    private readonly clock: Clock,
  ) {}

  /** Resolves the rule and checks the range: everything that can answer 400/404, before any replay. */
  prepare(req: DryRunRequest): PreparedDryRun {
    const rule = this.resolve(req);
    const now = this.clock.now();
    const to = req.to ? parseTime(req.to, 'to', now) : now;
    const from = parseTime(req.from, 'from', now);
    if (from >= to) throw errors.invalidRequest('from must be before to', { field: 'from' });
    return { rule, range: { from, to }, ...(req.locality ? { locality: req.locality } : {}) };
  }

  /**
   * Replays a prepared dry run over the events of `scope` only (a commune's caller learns nothing of
   * other localities' events); `onProgress` gets (evaluations done, evaluations in all) after each one.
   */
  async run(prepared: PreparedDryRun, onProgress?: (done: number, total: number) => void, scope: Scope = ALL_SCOPE): Promise<DryRunAnswer> {
    const { rule, range, locality } = prepared;
    const result = await dryRun(rule, range, scopedEventStore(this.store, scope), evaluateRule, onProgress);
    const hits = locality ? result.hits.filter((h) => h.locality === locality) : result.hits;
    return { rule, windows: result.windows, hits };
  }

  /** prepare() then run(), without progress. */
  async test(req: DryRunRequest, scope: Scope = ALL_SCOPE): Promise<DryRunAnswer> {
    return this.run(this.prepare(req), undefined, scope);
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
