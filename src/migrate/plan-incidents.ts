import type { Incident } from '../incidents/incident';
import { isActive } from '../incidents/incident';
import { MAX_INCIDENT_PAGE_SIZE } from '../store/incident-store';
import { ALL_SCOPE } from '../store/scope';
import { need, sameRecord, type Conflict, type MigrationStores, type Planner } from './types';

/** Every incident of a store, oldest first (by firstSeen, then id), page by page. */
async function* allIncidents(stores: MigrationStores): AsyncGenerator<Incident> {
  let cursor: string | undefined;
  do {
    const page = await stores.incidents.list({ sort: 'first_seen', direction: 'asc', size: MAX_INCIDENT_PAGE_SIZE, cursor }, ALL_SCOPE);
    yield* page.incidents;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** Why the target cannot take `incident` as new (a hit id or its active fingerprint is taken), or null. */
async function blocker(to: MigrationStores, incident: Incident, hitIds: readonly string[]): Promise<string | null> {
  for (const hit of hitIds) if (await to.incidents.hasHit(hit)) return `the target already recorded its hit ${hit} for another incident`;
  if (!isActive(incident.status)) return null;
  const active = await to.incidents.findActiveByFingerprint(incident.fingerprint);
  return active === null ? null : `the target has incident ${active.id} open for the same rule, locality and group`;
}

/**
 * Incidents with their whole timelines and processed hit ids: same ids, versions and seq numbers,
 * so a hit delivered again after the move is still a duplicate and analysts' version checks hold.
 */
export const planIncidents: Planner = async (from, to) => {
  const hitsFrom = need(from.incidents, 'exportHitIds', 'IncidentStore');
  const hitsTo = need(to.incidents, 'exportHitIds', 'IncidentStore');
  const importIncident = need(to.incidents, 'importIncident', 'IncidentStore');
  const fresh: string[] = [];
  const conflicts: Conflict[] = [];
  let source = 0;
  let present = 0;
  for await (const incident of allIncidents(from)) {
    source++;
    const hitIds = await hitsFrom(incident.id);
    const there = await to.incidents.get(incident.id, ALL_SCOPE);
    if (there === null) {
      const reason = await blocker(to, incident, hitIds);
      if (reason === null) fresh.push(incident.id);
      else conflicts.push({ kind: 'incidents', id: incident.id, reason });
      continue;
    }
    const same = sameRecord(there, incident) &&
      sameRecord(await to.incidents.timeline(incident.id), await from.incidents.timeline(incident.id)) &&
      sameRecord(await hitsTo(incident.id), hitIds);
    if (same) present++;
    else conflicts.push({ kind: 'incidents', id: incident.id, reason: 'the target has this incident with another state, timeline or hits' });
  }
  return {
    kind: 'incidents', source, present, conflicts,
    async copy(progress) {
      let copied = 0;
      for (const id of fresh) {
        const incident = await from.incidents.get(id, ALL_SCOPE);
        if (incident === null) continue;
        await importIncident(incident, await from.incidents.timeline(id), await hitsFrom(id));
        progress(++copied);
      }
      return copied;
    },
  };
};
