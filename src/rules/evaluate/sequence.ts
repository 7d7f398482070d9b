import { toPredicate } from '../../query/predicate';
import { timestampMs } from '../../store/cursor';
import type { EcsDocument, EventStore } from '../../store/event-store';
import { ALL_SCOPE } from '../../store/scope';
import type { Hit, Rule, RuleCondition } from '../rule';
import { SAMPLE_SIZE, buildHit, eventIdOf, ruleQuery, type EvaluationWindow } from './build-hit';
import { documentGroupValue, groupKey, orFilter, type GroupValues } from './group-filter';

type SequenceCondition = Extract<RuleCondition, { type: 'sequence' }>;

/** Most events one sequence evaluation reads (the newest ones when more match). */
export const SEQUENCE_EVENT_CAP = 10_000;
const PAGE_SIZE = 1000;

/** One event read for a sequence: time, id and which steps' filters it matches. */
export interface SequenceEvent {
  readonly at: number;
  readonly id: string;
  readonly steps: readonly boolean[];
}

/** A completed occurrence: the event that completed it and the events that took part (ascending). */
export interface SequenceCompletion {
  readonly end: SequenceEvent;
  readonly events: readonly SequenceEvent[];
}

/**
 * `sequence`: per group (rule.groupBy), an occurrence starts at an event S matching step 1 (time t0).
 * Step 1 is satisfied at T1, the time of the count1-th step-1 event from S on (in time order, S
 * included); step k (k > 1) at Tk, the time of the countk-th step-k event strictly after T(k-1).
 * Events are taken greedily (earliest first), so each start has one completion time T = Tlast. The
 * occurrence counts when T - t0 <= spanMs; it belongs to the window holding T, so a group fires when
 * some occurrence completes in [from, to) (events are read from [from - spanMs, to)) and an occurrence
 * that completed in the previous window is not reported again. observed = the number of distinct
 * completing events in the window; samples = the events of the latest occurrence, newest first;
 * evidence = rule filter AND (any step) AND the group. Events come from the rule's dataset and filter
 * AND any step's filter; at most SEQUENCE_EVENT_CAP (the newest) are read per evaluation, so an
 * older start beyond that is missed. An event may match several steps and count for each.
 */
export async function evaluateSequence(
  rule: Rule, condition: SequenceCondition, window: EvaluationWindow, store: EventStore,
): Promise<Hit[]> {
  if (condition.steps.length === 0) return [];
  const docs = await readEvents(store, rule, condition, window);
  const predicates = condition.steps.map((s) => toPredicate(s.filter));
  const byGroup = new Map<string, { group: GroupValues; events: SequenceEvent[] }>();
  for (const doc of docs) {
    const group = Object.fromEntries(rule.groupBy.map((f) => [f, documentGroupValue(doc, f)]));
    const key = groupKey(rule.groupBy, group);
    const entry = byGroup.get(key) ?? { group, events: [] };
    entry.events.push({ at: timestampMs(String(doc['@timestamp'])) ?? 0, id: eventIdOf(doc), steps: predicates.map((p) => p(doc)) });
    byGroup.set(key, entry);
  }
  const stepsText = condition.steps.map((s) => `${s.count} x (${s.filterText})`).join(' then ');
  const anyStepText = condition.steps.map((s) => `(${s.filterText})`).join(' OR ');
  const hits: Hit[] = [];
  for (const { group, events } of byGroup.values()) {
    events.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const completions = findCompletions(events, condition, window);
    if (completions.length === 0) continue;
    const latest = completions[completions.length - 1];
    hits.push(buildHit(rule, window, {
      group,
      observed: new Set(completions.map((c) => c.end.id)).size,
      condition: `sequence ${stepsText} within ${condition.spanMs} ms`,
      sampleEventIds: [...latest.events].reverse().slice(0, SAMPLE_SIZE).map((e) => e.id),
      extraTexts: [anyStepText],
    }));
  }
  return hits;
}

/** Occurrences (one per start) completing within the span in [from, to), ordered by completion. */
export function findCompletions(
  events: readonly SequenceEvent[], condition: Pick<SequenceCondition, 'steps' | 'spanMs'>, window: EvaluationWindow,
): SequenceCompletion[] {
  const out: SequenceCompletion[] = [];
  events.forEach((start, i) => {
    if (!start.steps[0]) return;
    const used = completeFrom(events, i, condition);
    if (!used) return;
    const end = used[used.length - 1];
    if (end.at >= window.from && end.at < window.to) out.push({ end, events: used });
  });
  return out.sort((a, b) => a.end.at - b.end.at);
}

/** Greedy earliest completion from start index i within the span, or null. */
function completeFrom(events: readonly SequenceEvent[], i: number, condition: Pick<SequenceCondition, 'steps' | 'spanMs'>): SequenceEvent[] | null {
  const t0 = events[i].at;
  const used: SequenceEvent[] = [];
  let after = -Infinity;
  let j = i;
  for (let step = 0; step < condition.steps.length; step++) {
    let need = Math.max(condition.steps[step].count, 1);
    // Step 1 counts from the start event itself; later steps strictly after the previous step's time.
    while (j < events.length && need > 0) {
      const e = events[j++];
      if (e.at - t0 > condition.spanMs) return null;
      if (e.steps[step] && e.at > after) {
        used.push(e);
        need--;
      }
    }
    if (need > 0) return null;
    after = used[used.length - 1].at;
  }
  return used;
}

/** The rule's events matching any step in [from - spanMs, to), newest SEQUENCE_EVENT_CAP at most. */
async function readEvents(store: EventStore, rule: Rule, condition: SequenceCondition, window: EvaluationWindow): Promise<EcsDocument[]> {
  const query = ruleQuery(rule, { from: window.from - condition.spanMs, to: window.to }, [orFilter(condition.steps.map((s) => s.filter))]);
  const docs: EcsDocument[] = [];
  let cursor: string | undefined;
  do {
    const size = Math.min(PAGE_SIZE, SEQUENCE_EVENT_CAP - docs.length);
    const page = await store.search({ ...query, size, cursor }, ALL_SCOPE);
    docs.push(...page.events);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && docs.length < SEQUENCE_EVENT_CAP);
  return docs;
}
