import { errors } from '../../errors';
import { isActive, type Incident, type NewTimelineEntry, type TimelineEntry } from '../../incidents/incident';
import {
  activeConflict, checkEntries, checkImportedTimeline, checkIncidentQuery, encodeIncidentCursor, isAfterPosition, sortValue, versionConflict,
  type CheckedIncidentQuery, type IncidentPage, type IncidentQuery, type IncidentStore,
} from '../incident-store';
import type { IncidentStats } from '../incident-stats';
import { inScope, type Scope } from '../scope';
import { MemoryIncidentStats } from './incident-stats';

/**
 * In-memory IncidentStore for unit tests; kept honest by the incident contract suite. Every method
 * checks everything before it changes anything and never awaits in between, so each call is atomic.
 */
export class MemoryIncidentStore implements IncidentStore {
  private readonly incidents = new Map<string, Incident>();
  private readonly timelines = new Map<string, TimelineEntry[]>();
  /** Fingerprint → id of its active incident. */
  private readonly active = new Map<string, string>();
  /** Hit id → the incident it was folded into. */
  private readonly hits = new Map<string, string>();

  async init(): Promise<void> {}
  async close(): Promise<void> {}

  /** Statistics over this store's incidents and timelines (reads them live, never copies). */
  stats(): IncidentStats {
    return new MemoryIncidentStats({ incidents: () => this.incidents.values(), timeline: (id) => this.timelines.get(id) ?? [] });
  }

  async create(incident: Incident, firstEntry: NewTimelineEntry, hitId?: string): Promise<void> {
    checkEntries(incident.id, [firstEntry]);
    if (this.incidents.has(incident.id)) throw errors.conflict(`Incident ${incident.id} already exists`, { id: incident.id });
    this.checkHit(hitId);
    if (isActive(incident.status)) this.checkFingerprintFree(incident);
    this.incidents.set(incident.id, structuredClone(incident));
    if (isActive(incident.status)) this.active.set(incident.fingerprint, incident.id);
    this.timelines.set(incident.id, []);
    this.append([firstEntry]);
    if (hitId !== undefined) this.hits.set(hitId, incident.id);
  }

  async get(id: string, scope: Scope): Promise<Incident | null> {
    const i = this.incidents.get(id);
    return i && inScope(scope, i.locality, i.province) ? structuredClone(i) : null;
  }

  async findActiveByFingerprint(fingerprint: string): Promise<Incident | null> {
    const id = this.active.get(fingerprint);
    return id === undefined ? null : structuredClone(this.incidents.get(id) as Incident);
  }

  async findLatestByFingerprint(fingerprint: string): Promise<Incident | null> {
    let latest: Incident | null = null;
    for (const i of this.incidents.values()) {
      if (i.fingerprint !== fingerprint) continue;
      if (!latest || i.firstSeen > latest.firstSeen || (i.firstSeen === latest.firstSeen && i.id > latest.id)) latest = i;
    }
    return latest && structuredClone(latest);
  }

  async update(next: Incident, expectedVersion: number, entries: readonly NewTimelineEntry[], hitId?: string): Promise<Incident> {
    checkEntries(next.id, entries);
    const current = this.incidents.get(next.id);
    if (!current) throw errors.notFound('Incident', next.id);
    if (current.version !== expectedVersion) throw versionConflict(next.id, expectedVersion, current.version);
    this.checkHit(hitId);
    const stored: Incident = {
      ...structuredClone(next),
      id: current.id, fingerprint: current.fingerprint, ruleId: current.ruleId, category: current.category, locality: current.locality,
      province: current.province,
      version: expectedVersion + 1,
    };
    const wasActive = isActive(current.status);
    if (!wasActive && isActive(stored.status)) this.checkFingerprintFree(stored);
    this.incidents.set(stored.id, stored);
    if (wasActive && !isActive(stored.status)) this.active.delete(stored.fingerprint);
    if (!wasActive && isActive(stored.status)) this.active.set(stored.fingerprint, stored.id);
    this.append(entries);
    if (hitId !== undefined) this.hits.set(hitId, stored.id);
    return structuredClone(stored);
  }

  async appendTimeline(entries: readonly NewTimelineEntry[]): Promise<void> {
    const unknown = entries.find((e) => !this.incidents.has(e.incidentId));
    if (unknown) throw errors.notFound('Incident', unknown.incidentId);
    this.append(entries);
  }

  async timeline(id: string): Promise<readonly TimelineEntry[]> {
    return structuredClone(this.timelines.get(id) ?? []);
  }

  async list(query: IncidentQuery, scope: Scope): Promise<IncidentPage> {
    const q = checkIncidentQuery(query);
    const sign = q.direction === 'asc' ? 1 : -1;
    const matching = [...this.incidents.values()]
      .filter((i) => inScope(scope, i.locality, i.province) && matches(i, q))
      .filter((i) => !q.after || isAfterPosition(sortValue(i, q.sort), i.id, q.after, q.direction))
      .sort((a, b) => sign * (sortValue(a, q.sort) - sortValue(b, q.sort) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
    const page = matching.slice(0, q.size).map((i) => structuredClone(i));
    const more = matching.length > q.size;
    return { incidents: page, nextCursor: more ? encodeIncidentCursor(page[page.length - 1], q.sort, q.direction) : null };
  }

  async hasHit(hitId: string): Promise<boolean> {
    return this.hits.has(hitId);
  }

  async exportHitIds(incidentId: string): Promise<readonly string[]> {
    return [...this.hits].filter(([, id]) => id === incidentId).map(([hit]) => hit).sort();
  }

  async importIncident(incident: Incident, timeline: readonly TimelineEntry[], hitIds: readonly string[]): Promise<void> {
    checkImportedTimeline(incident.id, timeline);
    if (this.incidents.has(incident.id)) throw errors.conflict(`Incident ${incident.id} already exists`, { id: incident.id });
    hitIds.forEach((h) => this.checkHit(h));
    if (isActive(incident.status)) this.checkFingerprintFree(incident);
    this.incidents.set(incident.id, structuredClone(incident));
    if (isActive(incident.status)) this.active.set(incident.fingerprint, incident.id);
    this.timelines.set(incident.id, structuredClone([...timeline]));
    for (const h of hitIds) this.hits.set(h, incident.id);
  }

  private checkHit(hitId: string | undefined): void {
    if (hitId !== undefined && this.hits.has(hitId)) throw errors.conflict(`Hit ${hitId} was already processed`, { hitId });
  }

  private checkFingerprintFree(incident: Incident): void {
    const other = this.active.get(incident.fingerprint);
    if (other !== undefined && other !== incident.id) throw activeConflict(incident, other);
  }

  private append(entries: readonly NewTimelineEntry[]): void {
    for (const e of entries) {
      const list = this.timelines.get(e.incidentId) as TimelineEntry[];
      list.push({ ...structuredClone(e), seq: list.length + 1 });
    }
  }
}

function matches(i: Incident, q: CheckedIncidentQuery): boolean {
  return (!q.status?.length || q.status.includes(i.status)) &&
    (!q.severity?.length || q.severity.includes(i.severity)) &&
    (q.locality === undefined || i.locality === q.locality || i.province === q.locality) &&
    (q.ruleId === undefined || i.ruleId === q.ruleId) &&
    (q.category === undefined || i.category === q.category) &&
    (q.parentId === undefined || i.parentId === q.parentId) &&
    (q.from === undefined || i.lastSeen >= q.from) &&
    (q.to === undefined || i.lastSeen < q.to);
}
