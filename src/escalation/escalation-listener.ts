import type { Incident, TimelineAction } from '../incidents/incident';
import type { Clock } from '../lib/clock';
import { selectPolicy, type EscalationPolicy } from './policy';
import type { EscalationRuleInfo } from './escalation-worker';

/** What the listener needs of the scheduler. */
export interface EscalationControl {
  schedule(incident: Pick<Incident, 'id'>, policy: EscalationPolicy, fromLevel: number, opts?: { since?: number; cycle?: string }): Promise<unknown>;
  cancel(incidentId: string): Promise<unknown>;
}

/**
 * An IncidentServiceOptions.onChange listener that keeps the timers in step with incidents: an
 * incident that opens or reopens gets the first level of its policy (counted from now, a new chain);
 * acknowledging or resolving one cancels its pending timers (the worker would skip them anyway).
 * Other changes (hits, assignment, escalation) leave the timers as they are.
 */
export function escalationListener(deps: {
  readonly control: EscalationControl;
  readonly policies: () => readonly EscalationPolicy[];
  readonly ruleLookup: (ruleId: string) => EscalationRuleInfo | undefined;
  readonly clock: Clock;
}): (action: TimelineAction, incident: Incident) => Promise<void> {
  return async (action, incident) => {
    if (action === 'created' || action === 'reopened') {
      const policy = selectPolicy(deps.policies(), { escalation: deps.ruleLookup(incident.ruleId)?.escalation, severity: incident.severity });
      await deps.control.schedule(incident, policy, 0, { since: deps.clock.now() });
    } else if (action === 'acknowledged' || action === 'resolved' || action === 'auto_resolved') {
      await deps.control.cancel(incident.id);
    }
  };
}
