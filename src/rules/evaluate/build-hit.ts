import type { FilterNode } from '../../query/ast';
import type { AggregateQuery, AggregateRow, EcsDocument, EventQuery, EventStore, Metric, TimeRange } from '../../store/event-store';
import { ALL_SCOPE } from '../../store/scope';
import { getField } from '../../store/fields';
import type { Hit, Rule } from '../rule';
import { andFilter, evidenceQuery, groupLocality, groupTermNodes, type GroupValues } from './group-filter';

/** The evaluated window: [from, to) epoch ms. */
export interface EvaluationWindow {
  readonly from: number;
  readonly to: number;
}

/** Most sample event ids on a hit. */
export const SAMPLE_SIZE = 10;

/** Most groups one aggregate returns (the EventStore's own maximum). */
export const GROUP_LIMIT = 10_000;

/** A query over the rule's dataset: the rule filter AND the extra nodes, over `range`. */
export function ruleQuery(rule: Rule, range: TimeRange, extra: readonly FilterNode[] = []): EventQuery {
  return { from: range.from, to: range.to, filter: andFilter([rule.filter, ...extra]), datasets: [rule.dataset] };
}

/** Aggregate of the rule's events over `range`, grouped by `groupBy`, in every locality. */
export function aggregateRule(
  store: EventStore,
  rule: Rule,
  range: TimeRange,
  options: {
    groupBy?: readonly string[]; metrics: readonly Metric[]; extra?: readonly FilterNode[]; minFirstMetric?: number;
    /** Ask the store for each group's newest SAMPLE_SIZE event ids (the hit's samples, no search needed). */
    samples?: boolean;
  },
): Promise<readonly AggregateRow[]> {
  const query: AggregateQuery = {
    ...ruleQuery(rule, range, options.extra),
    groupBy: options.groupBy ?? rule.groupBy,
    metrics: options.metrics,
    minFirstMetric: options.minFirstMetric,
    limit: GROUP_LIMIT,
    ...(options.samples ? { samples: SAMPLE_SIZE } : {}),
  };
  return store.aggregate(query, ALL_SCOPE);
}

/** `event.id` of a stored document. */
export function eventIdOf(doc: EcsDocument): string {
  return String(getField(doc, 'event.id'));
}

/** Ids of the newest SAMPLE_SIZE events of the group (rule filter AND extra AND group terms) in `range`. */
export async function sampleEventIds(
  store: EventStore, rule: Rule, range: TimeRange, group: GroupValues, extra: readonly FilterNode[] = [],
): Promise<string[]> {
  const query = ruleQuery(rule, range, [...extra, ...groupTermNodes(group)]);
  const page = await store.search({ ...query, size: SAMPLE_SIZE }, ALL_SCOPE);
  return page.events.map(eventIdOf);
}

/** What differs between the hits of one rule in one window. */
export interface HitParts {
  readonly group: GroupValues;
  readonly observed: number;
  readonly condition: string;
  readonly sampleEventIds: readonly string[];
  /** Filter texts ANDed after the rule's filterText in the evidence query. */
  readonly extraTexts?: readonly string[];
}

/** A hit of `rule` in `window`. */
export function buildHit(rule: Rule, window: EvaluationWindow, parts: HitParts): Hit {
  return {
    ruleId: rule.id,
    ruleVersion: rule.version,
    group: parts.group,
    locality: groupLocality(parts.group),
    window: { from: window.from, to: window.to },
    observed: parts.observed,
    condition: parts.condition,
    sampleEventIds: parts.sampleEventIds,
    evidenceQuery: evidenceQuery([rule.filterText, ...(parts.extraTexts ?? [])], parts.group),
  };
}

/**
 * A hit whose samples are the group's newest events in `sampleRange` (default: the window) that
 * match the rule filter AND `extra` (whose texts `extraTexts` also go into the evidence query).
 * `sampleIds`, when the aggregate already returned them (aggregateRule with samples), are used as
 * they are; otherwise one search finds them.
 */
export async function groupHit(
  store: EventStore,
  rule: Rule,
  window: EvaluationWindow,
  hit: Omit<HitParts, 'sampleEventIds'> & {
    readonly extra?: readonly FilterNode[]; readonly sampleRange?: TimeRange; readonly sampleIds?: readonly string[];
  },
): Promise<Hit> {
  const ids = hit.sampleIds ?? await sampleEventIds(store, rule, hit.sampleRange ?? window, hit.group, hit.extra);
  return buildHit(rule, window, { ...hit, sampleEventIds: ids.slice(0, SAMPLE_SIZE) });
}

/** A number in a condition text: at most 4 decimals. */
export function formatNumber(n: number): string {
  return String(Math.round(n * 10_000) / 10_000);
}
