import type { EventStore } from '../../store/event-store';
import type { Hit, Rule } from '../rule';
import { evaluateAbsence } from './absence';
import type { EvaluationWindow } from './build-hit';
import { evaluateCardinality } from './cardinality';
import { evaluateMatch } from './match';
import { evaluateMetric } from './metric';
import { evaluateNewValue } from './new-value';
import { evaluateRatio } from './ratio';
import { evaluateSequence } from './sequence';
import { evaluateSpike } from './spike';
import { evaluateThreshold } from './threshold';

export type { EvaluationWindow } from './build-hit';
export { SAMPLE_SIZE } from './build-hit';
export { SEQUENCE_EVENT_CAP } from './sequence';

/**
 * Evaluates one rule over the window [from, to) against the store, in every locality (scope ALL),
 * restricted to rule.dataset and rule.filter; returns one Hit per firing group (semantics of each
 * type in its file). Pure apart from the store: no clock reads, the window is given. Every hit
 * carries the rule id and version, the group values by field, the locality (the group's
 * organization.id when grouped by it, else null), the window, observed, the condition in words, up to
 * SAMPLE_SIZE sample event ids (newest first) and an evidence query (the rule's filterText AND the
 * group's terms, `NOT _exists_:field` for a null value). Store errors propagate unchanged.
 */
export function evaluateRule(rule: Rule, window: EvaluationWindow, store: EventStore): Promise<Hit[]> {
  const c = rule.condition;
  switch (c.type) {
    case 'match': return evaluateMatch(rule, c, window, store);
    case 'threshold': return evaluateThreshold(rule, c, window, store);
    case 'ratio': return evaluateRatio(rule, c, window, store);
    case 'cardinality': return evaluateCardinality(rule, c, window, store);
    case 'metric': return evaluateMetric(rule, c, window, store);
    case 'spike': return evaluateSpike(rule, c, window, store);
    case 'absence': return evaluateAbsence(rule, c, window, store);
    case 'new_value': return evaluateNewValue(rule, c, window, store);
    case 'sequence': return evaluateSequence(rule, c, window, store);
  }
}
