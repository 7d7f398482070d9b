import type { AuditStore } from './audit-store';
import type { DirectoryStore } from './directory-store';
import type { EventStore } from './event-store';
import type { IncidentStats } from './incident-stats';
import type { IncidentStore } from './incident-store';
import type { MonitorStore } from './monitor-store';
import type { RuleStateStore } from './rule-state-store';
import type { UserStore } from './user-store';

/** Every store of one process, on one backend (src/app/open-stores.ts picks it by CANH_STORE). */
export interface Stores {
  readonly events: EventStore;
  readonly directory: DirectoryStore;
  readonly ruleState: RuleStateStore;
  readonly incidents: IncidentStore;
  readonly incidentStats: IncidentStats;
  readonly users: UserStore;
  readonly audit: AuditStore;
  readonly monitors: MonitorStore;
  /** Closes every store (and the backend's client). */
  close(): Promise<void>;
}
