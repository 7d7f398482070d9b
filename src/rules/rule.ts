import type { FilterNode } from '../query/ast';

/**
 * Rule glossary.
 * - Rule: a YAML-defined detection over one dataset: a filter, a type with its condition, grouped by
 *   fields (default `organization.id`), evaluated over a window every `every`.
 * - Window: [to - window, to) with to = evaluation time - delay (delay covers late events).
 * - Group: one combination of group_by values; each group over the condition is one hit.
 * - Hit: what a rule raises for one group in one window; the incident service turns hits into
 *   incidents (fingerprint = rule, locality, group values).
 */
export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** RSIT (Reference Security Incident Taxonomy) top-level classes. */
export const RSIT_CATEGORIES = [
  'abusive-content', 'malicious-code', 'information-gathering', 'intrusion-attempts', 'intrusions',
  'availability', 'information-content-security', 'fraud', 'vulnerable', 'other', 'test',
] as const;
export type RsitCategory = (typeof RSIT_CATEGORIES)[number];

export const RULE_TYPES = ['match', 'threshold', 'ratio', 'cardinality', 'metric', 'spike', 'absence', 'new_value', 'sequence'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

export type MetricOp = 'avg' | 'min' | 'max' | 'sum' | 'p95';

/** The condition of each rule type (durations in ms). */
export type RuleCondition =
  | { readonly type: 'match' }
  | { readonly type: 'threshold'; readonly count: number }
  | { readonly type: 'ratio'; readonly match: FilterNode; readonly matchText: string; readonly ratio: number; readonly minTotal: number }
  | { readonly type: 'cardinality'; readonly field: string; readonly count: number }
  | { readonly type: 'metric'; readonly field: string; readonly op: MetricOp; readonly above?: number; readonly below?: number }
  | {
      readonly type: 'spike';
      readonly direction: 'up' | 'down' | 'both';
      readonly factor: number;
      readonly referenceMs: number;
      readonly minCurrent: number;
      readonly minReference: number;
    }
  | { readonly type: 'absence'; readonly fewerThan: number; readonly lookbackMs: number }
  | { readonly type: 'new_value'; readonly fields: readonly string[]; readonly lookbackDays: number }
  | {
      readonly type: 'sequence';
      readonly steps: readonly { readonly filter: FilterNode; readonly filterText: string; readonly count: number }[];
      readonly spanMs: number;
    };

/** A validated rule. */
export interface Rule {
  readonly id: string;
  /** Changes whenever the rule's definition changes (a hash of it). */
  readonly version: string;
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly category: RsitCategory;
  readonly tags: readonly string[];
  readonly dataset: string;
  readonly filter: FilterNode;
  readonly filterText: string;
  readonly condition: RuleCondition;
  readonly groupBy: readonly string[];
  readonly windowMs: number;
  readonly everyMs: number;
  readonly delayMs: number;
  /** After a hit for a group, further hits of that group are suppressed this long. */
  readonly suppressMs: number;
  /** Escalation policy name; absent: chosen by severity. */
  readonly escalation?: string;
  readonly enabled: boolean;
  /**
   * Auto-resolve (`auto_resolve:`): the incident of a group that fired resolves itself after this
   * many consecutive evaluations in which the group raised no hit (1..100); null (or absent, for
   * rules built in code) means off. The schema always sets it: `{ after: 3 }` by default for
   * `absence` rules and `uptime.probe` rules, null for the rest.
   */
  readonly autoResolveAfter?: number | null;
  /** Where the rule was defined. */
  readonly origin: { readonly file: string; readonly line: number };
}

/**
 * What an auto-resolving rule raises for a group that fired and then stayed clear for
 * `clearEvaluations` consecutive evaluations: the incident service resolves its active incident.
 */
export interface Clear extends Pick<Hit, 'ruleId' | 'ruleVersion' | 'group' | 'locality'> {
  /** The window of the evaluation that completed the clear run, [from, to) epoch ms. */
  readonly window: Hit['window'];
  /** Consecutive clear evaluations seen (the rule's autoResolveAfter). */
  readonly clearEvaluations: number;
}

/** What a rule raises for one group in one window. */
export interface Hit {
  readonly ruleId: string;
  readonly ruleVersion: string;
  /** Group values keyed by field. */
  readonly group: Readonly<Record<string, string | number | null>>;
  /** organization.id of the group (from the group values, or of the sample events). */
  readonly locality: string | null;
  /** [from, to) epoch ms. */
  readonly window: { readonly from: number; readonly to: number };
  /** The value compared with the condition (count, ratio, distinct values, metric...). */
  readonly observed: number;
  /** The condition in words, e.g. "count >= 20". */
  readonly condition: string;
  /** Up to 10 ids of events that show it. */
  readonly sampleEventIds: readonly string[];
  /** A filter (query language) that finds the evidence in the window. */
  readonly evidenceQuery: string;
}
