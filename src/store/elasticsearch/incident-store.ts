import type { Client, estypes } from '@elastic/elasticsearch';
import { errors } from '../../errors';
import { isActive, severityRank, type Incident, type NewTimelineEntry, type TimelineEntry } from '../../incidents/incident';
import {
  activeConflict, checkEntries, checkImportedTimeline, checkIncidentQuery, encodeIncidentCursor, versionConflict,
  type CheckedIncidentQuery, type IncidentPage, type IncidentQuery, type IncidentSort, type IncidentStore,
} from '../incident-store';
import { inScope, type Scope } from '../scope';
import { ElasticsearchIncidentStats } from './incident-stats';
import {
  StateIndices, allOf, call, docId, fromJson, isConflict, scopeFilter, searchAll, sources, statusOf, subtreeFilter, toAppError, toJson,
  type Query, type StateStoreOptions,
} from './state-index';

/**
 * IncidentStore on Elasticsearch: incidents (`_id` = id), timeline entries (`_id` = `<id>:<seq>`),
 * processed hit ids (`_id` = hit id) and active fingerprints (`_id` = fingerprint), each in its
 * own index (mappings.ts).
 *
 * Elasticsearch changes one document atomically and nothing more, so:
 * - Every change of an incident is a compare-and-set on its document (`if_seq_no` +
 *   `if_primary_term`): that write is the commit point. It carries the change's timeline entries
 *   (numbered from the document's `timelineSeq`) and hit id as `pending`; they are then written to
 *   their own indices with `create` (idempotent: 409 = already there). A crash after the commit
 *   leaves them only in `pending`: the next change of the incident writes them first, and
 *   timeline() reads them from there. Writing the hit id before the commit instead would lose the
 *   hit on a crash (the retry would see it processed); after the commit, a retried hit finds its
 *   id in `pending` once update() has written it, and is refused as already processed.
 * - The one active incident of a fingerprint is a claim document created with op_type `create`
 *   before the incident becomes active (two racing creates: one 409 → activeConflict) and deleted
 *   after it stops being active. A claim whose incident is missing or not active is left over from
 *   a failed change; it is taken over (compare-and-set) once older than CLAIM_LEASE_MS, so that a
 *   change in flight is never mistaken for one.
 * - A timeline append that does not change the incident also moves `timelineSeq` by compare-and-set;
 *   update() retries when it lost only to such a write (same version), and reports a conflict
 *   when the version moved.
 */

/** How long a claim whose incident is not (yet) active protects a change in flight. */
export const CLAIM_LEASE_MS = 60_000;
/** Compare-and-set attempts before giving up with a conflict. */
const CAS_ATTEMPTS = 5;
/** Timeline documents read per mget. */
const MGET_CHUNK = 1000;

const SORT_FIELDS: Record<IncidentSort, string> = { last_seen: 'lastSeen', first_seen: 'firstSeen', severity: 'severityRank', count: 'count' };

/** Writes that follow a commit: timeline entries and the processed hit id. */
interface Pending {
  readonly hitIds: readonly string[];
  readonly entries: readonly TimelineEntry[];
}

/** The stored document: the incident with opaque values as JSON text, plus store fields. */
type IncidentDoc = Omit<Incident, 'evidence' | 'group'> & {
  readonly evidence: string;
  readonly group: string;
  readonly severityRank: number;
  readonly timelineSeq: number;
  readonly pending: string;
};

type EntryDoc = Omit<TimelineEntry, 'from' | 'to'> & { readonly from: string; readonly to: string };

interface ClaimDoc {
  readonly fingerprint: string;
  readonly incidentId: string;
  readonly claimedAt: number;
}

/** An incident as read, with what a compare-and-set needs. */
interface Current {
  readonly incident: Incident;
  readonly timelineSeq: number;
  readonly pending: Pending | null;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

export class ElasticsearchIncidentStore implements IncidentStore {
  private readonly indices: StateIndices;

  constructor(private readonly client: Client, options: StateStoreOptions = {}) {
    this.indices = new StateIndices(client, options);
  }

  async init(): Promise<void> {
    await this.indices.ensure(['incidents', 'timeline', 'processedHits', 'activeFingerprints']);
  }

  /** The client belongs to the caller, who closes it. */
  async close(): Promise<void> {}

  /** Statistics over this store's incidents and timelines (the same client and indices). */
  stats(): ElasticsearchIncidentStats {
    return new ElasticsearchIncidentStats(this.client, this.indices);
  }

  async create(incident: Incident, firstEntry: NewTimelineEntry, hitId?: string): Promise<void> {
    checkEntries(incident.id, [firstEntry]);
    if (await this.read(incident.id)) throw exists(incident.id);
    if (hitId !== undefined && (await this.hasHit(hitId))) throw hitConflict(hitId);
    if (isActive(incident.status)) await this.claim(incident);
    const pending: Pending = { hitIds: hitId === undefined ? [] : [hitId], entries: [{ ...firstEntry, seq: 1 }] };
    try {
      await this.client.index({
        index: this.indices.name('incidents'), id: incident.id, op_type: 'create', refresh: this.indices.refresh,
        document: toDoc(incident, 1, pending),
      });
    } catch (err) {
      if (isActive(incident.status)) await this.releaseIfInactive(incident.fingerprint, incident.id);
      throw isConflict(err) ? exists(incident.id) : toAppError(err, `creating incident ${incident.id}`);
    }
    await this.materialize(incident.id, pending);
  }

  async get(id: string, scope: Scope): Promise<Incident | null> {
    // A GET is real-time (a search sees a write only after a refresh); the scope is checked on the
    // document with the rule every query uses (scope.ts inScope).
    const current = await this.read(id);
    return current && inScope(scope, current.incident.locality, current.incident.province) ? current.incident : null;
  }

  async findActiveByFingerprint(fingerprint: string): Promise<Incident | null> {
    const claim = await this.readClaim(fingerprint);
    if (!claim) return null;
    const current = await this.read(claim.doc.incidentId);
    return current && holds(current.incident, fingerprint) ? current.incident : null;
  }

  async findLatestByFingerprint(fingerprint: string): Promise<Incident | null> {
    const res = await call('finding the latest incident of a fingerprint', () => this.client.search<IncidentDoc>({
      index: this.indices.name('incidents'), query: { term: { fingerprint } }, sort: [{ firstSeen: 'desc' }, { id: 'desc' }], size: 1,
    }));
    const [doc] = sources(res);
    return doc ? toIncident(doc) : null;
  }

  async update(next: Incident, expectedVersion: number, entries: readonly NewTimelineEntry[], hitId?: string): Promise<Incident> {
    checkEntries(next.id, entries);
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(next.id);
      if (!current) throw errors.notFound('Incident', next.id);
      await this.rollForward(current);
      if (current.incident.version !== expectedVersion) throw versionConflict(next.id, expectedVersion, current.incident.version);
      if (hitId !== undefined && (await this.hasHit(hitId))) throw hitConflict(hitId);
      const was = current.incident;
      const stored: Incident = {
        ...next, id: was.id, fingerprint: was.fingerprint, ruleId: was.ruleId, category: was.category,
        locality: was.locality, province: was.province, version: expectedVersion + 1,
      };
      const activates = !isActive(was.status) && isActive(stored.status);
      if (activates) await this.claim(stored);
      const pending: Pending = { hitIds: hitId === undefined ? [] : [hitId], entries: numbered(entries, current.timelineSeq) };
      if (await this.compareAndSet(current, toDoc(stored, current.timelineSeq + entries.length, pending))) {
        await this.materialize(stored.id, pending);
        if (isActive(was.status) && !isActive(stored.status)) await this.releaseIfInactive(stored.fingerprint, stored.id);
        return stored;
      }
      if (activates) await this.releaseIfInactive(stored.fingerprint, stored.id);
      if (attempt >= CAS_ATTEMPTS) throw busy(next.id, expectedVersion);
    }
  }

  async appendTimeline(entries: readonly NewTimelineEntry[]): Promise<void> {
    const byIncident = new Map<string, NewTimelineEntry[]>();
    for (const e of entries) byIncident.set(e.incidentId, [...(byIncident.get(e.incidentId) ?? []), e]);
    const first = new Map<string, Current>();
    for (const id of byIncident.keys()) {
      const current = await this.read(id);
      if (!current) throw errors.notFound('Incident', id);
      first.set(id, current);
    }
    for (const [id, list] of byIncident) await this.appendTo(first.get(id) as Current, list);
  }

  async timeline(id: string): Promise<readonly TimelineEntry[]> {
    const current = await this.read(id);
    if (!current) return [];
    const found = new Map<number, TimelineEntry>();
    const index = this.indices.name('timeline');
    for (let from = 1; from <= current.timelineSeq; from += MGET_CHUNK) {
      const ids = Array.from({ length: Math.min(MGET_CHUNK, current.timelineSeq - from + 1) }, (_, i) => entryId(id, from + i));
      const res = await call(`reading the timeline of incident ${id}`, () => this.client.mget<EntryDoc>({ index, ids }));
      for (const d of res.docs) if ('found' in d && d.found && d._source) found.set(d._source.seq, toEntry(d._source));
    }
    // Entries of the last change not written yet (a crash after its commit) are in its pending list.
    for (const e of current.pending?.entries ?? []) if (!found.has(e.seq)) found.set(e.seq, e);
    return [...found.values()].sort((a, b) => a.seq - b.seq);
  }

  async list(query: IncidentQuery, scope: Scope): Promise<IncidentPage> {
    const q = checkIncidentQuery(query);
    const field = SORT_FIELDS[q.sort];
    const res = await call('listing incidents', () => this.client.search<IncidentDoc>({
      index: this.indices.name('incidents'), query: listQuery(q, scope), size: q.size + 1, track_total_hits: false,
      sort: [{ [field]: q.direction }, { id: q.direction }], search_after: q.after ? [q.after.value, q.after.id] : undefined,
    }));
    const rows = sources(res).map(toIncident);
    const page = rows.slice(0, q.size);
    return { incidents: page, nextCursor: rows.length > q.size ? encodeIncidentCursor(page[page.length - 1], q.sort, q.direction) : null };
  }

  async hasHit(hitId: string): Promise<boolean> {
    const res = await call(`reading processed hit ${hitId}`, () => this.client.exists({ index: this.indices.name('processedHits'), id: docId(hitId) }));
    return res;
  }

  async exportHitIds(incidentId: string): Promise<readonly string[]> {
    const current = await this.read(incidentId);
    if (!current) return [];
    const docs = await call(`exporting the hit ids of incident ${incidentId}`, () => searchAll<{ hitId: string }>(
      this.client, this.indices.name('processedHits'), { term: { incidentId } }, [{ hitId: 'asc' }],
    ));
    // Hit ids of the last change not written yet are in its pending list.
    return [...new Set([...docs.map((d) => d.hitId), ...(current.pending?.hitIds ?? [])])].sort();
  }

  async importIncident(incident: Incident, timeline: readonly TimelineEntry[], hitIds: readonly string[]): Promise<void> {
    checkImportedTimeline(incident.id, timeline);
    if (await this.read(incident.id)) throw exists(incident.id);
    for (const hitId of hitIds) if (await this.hasHit(hitId)) throw hitConflict(hitId);
    if (isActive(incident.status)) await this.claim(incident);
    // Like create: the incident's document is the commit point, the timeline and hit ids follow it.
    const pending: Pending = { hitIds: [...hitIds], entries: [...timeline] };
    try {
      await this.client.index({
        index: this.indices.name('incidents'), id: incident.id, op_type: 'create', refresh: this.indices.refresh,
        document: toDoc(incident, timeline.length, pending),
      });
    } catch (err) {
      if (isActive(incident.status)) await this.releaseIfInactive(incident.fingerprint, incident.id);
      throw isConflict(err) ? exists(incident.id) : toAppError(err, `importing incident ${incident.id}`);
    }
    await this.materialize(incident.id, pending);
  }

  private async appendTo(initial: Current, list: readonly NewTimelineEntry[]): Promise<void> {
    let current: Current | null = initial;
    for (let attempt = 1; current; attempt++) {
      await this.rollForward(current);
      const pending: Pending = { hitIds: [], entries: numbered(list, current.timelineSeq) };
      if (await this.compareAndSet(current, toDoc(current.incident, current.timelineSeq + list.length, pending))) {
        await this.materialize(current.incident.id, pending);
        return;
      }
      if (attempt >= CAS_ATTEMPTS) throw busy(initial.incident.id, initial.incident.version);
      current = await this.read(initial.incident.id);
    }
    throw errors.notFound('Incident', initial.incident.id);
  }

  private async read(id: string): Promise<Current | null> {
    const res = await call(`reading incident ${id}`, () => this.client.get<IncidentDoc>({ index: this.indices.name('incidents'), id }, { ignore: [404] }));
    if (!res.found || !res._source || res._seq_no == null || res._primary_term == null) return null;
    return {
      incident: toIncident(res._source), timelineSeq: res._source.timelineSeq, pending: fromJson<Pending | null>(res._source.pending),
      seqNo: res._seq_no, primaryTerm: res._primary_term,
    };
  }

  /** Replaces the incident's document if nobody wrote it since `current` was read; false when someone did. */
  private async compareAndSet(current: Current, doc: IncidentDoc): Promise<boolean> {
    try {
      await this.client.index({
        index: this.indices.name('incidents'), id: doc.id, document: doc, if_seq_no: current.seqNo, if_primary_term: current.primaryTerm,
        refresh: this.indices.refresh,
      });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw toAppError(err, `updating incident ${doc.id}`);
    }
  }

  /** Writes the pending entries and hit id of a committed change (409: written before). */
  private async materialize(incidentId: string, pending: Pending): Promise<void> {
    const operations: estypes.BulkOperationContainer[] = [];
    const docs: (EntryDoc | { hitId: string; incidentId: string; at: number })[] = [];
    for (const e of pending.entries) {
      operations.push({ create: { _index: this.indices.name('timeline'), _id: entryId(incidentId, e.seq) } });
      docs.push(toEntryDoc(e));
    }
    for (const hitId of pending.hitIds) {
      operations.push({ create: { _index: this.indices.name('processedHits'), _id: docId(hitId) } });
      docs.push({ hitId, incidentId, at: Date.now() });
    }
    if (operations.length === 0) return;
    const res = await call(`writing the timeline of incident ${incidentId}`, () => this.client.bulk({
      operations: operations.flatMap((op, i) => [op, docs[i]]), refresh: this.indices.refresh,
    }));
    const failed = res.items.map((item) => item.create).find((r) => r && r.status !== 201 && r.status !== 200 && r.status !== 409);
    if (failed) {
      throw errors.storeUnavailable(new Error(`Elasticsearch refused ${failed._id} of incident ${incidentId}: ${failed.error?.type ?? failed.status}`));
    }
  }

  private async rollForward(current: Current): Promise<void> {
    if (current.pending && (current.pending.entries.length > 0 || current.pending.hitIds.length > 0)) {
      await this.materialize(current.incident.id, current.pending);
    }
  }

  /** Makes `incident` the active one of its fingerprint, or throws activeConflict. */
  private async claim(incident: Incident): Promise<void> {
    const index = this.indices.name('activeFingerprints');
    const id = docId(incident.fingerprint);
    const document: ClaimDoc = { fingerprint: incident.fingerprint, incidentId: incident.id, claimedAt: Date.now() };
    const write = async (cas: { if_seq_no: number; if_primary_term: number } | null): Promise<boolean> => {
      try {
        await this.client.index({ index, id, document, refresh: this.indices.refresh, ...(cas ?? { op_type: 'create' }) });
        return true;
      } catch (err) {
        if (isConflict(err)) return false;
        throw toAppError(err, `claiming the fingerprint of incident ${incident.id}`);
      }
    };
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      if (await write(null)) return;
      const claim = await this.readClaim(incident.fingerprint);
      if (!claim) continue;
      if (claim.doc.incidentId !== incident.id && !(await this.isStale(claim.doc))) throw activeConflict(incident, claim.doc.incidentId);
      // Ours (left over) or stale: take it over, unless someone else changed it since it was read.
      if (await write({ if_seq_no: claim.seqNo, if_primary_term: claim.primaryTerm })) return;
    }
    const claim = await this.readClaim(incident.fingerprint);
    throw activeConflict(incident, claim?.doc.incidentId ?? '(unknown)');
  }

  private async isStale(claim: ClaimDoc): Promise<boolean> {
    const current = await this.read(claim.incidentId);
    if (current && holds(current.incident, claim.fingerprint)) return false;
    return Date.now() - claim.claimedAt >= CLAIM_LEASE_MS;
  }

  /** Deletes the fingerprint's claim when it names `incidentId` and that incident is not active. */
  private async releaseIfInactive(fingerprint: string, incidentId: string): Promise<void> {
    const claim = await this.readClaim(fingerprint);
    if (!claim || claim.doc.incidentId !== incidentId) return;
    const current = await this.read(incidentId);
    if (current && holds(current.incident, fingerprint)) return;
    try {
      await this.client.delete({
        index: this.indices.name('activeFingerprints'), id: docId(fingerprint), if_seq_no: claim.seqNo, if_primary_term: claim.primaryTerm,
        refresh: this.indices.refresh,
      });
    } catch (err) {
      // 409: claimed again meanwhile; 404: already released. Both leave the right claim in place.
      if (!isConflict(err) && statusOf(err) !== 404) throw toAppError(err, 'releasing a fingerprint');
    }
  }

  private async readClaim(fingerprint: string): Promise<{ doc: ClaimDoc; seqNo: number; primaryTerm: number } | null> {
    const res = await call('reading an active fingerprint', () => this.client.get<ClaimDoc>(
      { index: this.indices.name('activeFingerprints'), id: docId(fingerprint) }, { ignore: [404] },
    ));
    if (!res.found || !res._source || res._seq_no == null || res._primary_term == null) return null;
    return { doc: res._source, seqNo: res._seq_no, primaryTerm: res._primary_term };
  }
}

/** True when the incident is the active one of this fingerprint. */
const holds = (incident: Incident, fingerprint: string): boolean => isActive(incident.status) && incident.fingerprint === fingerprint;

const entryId = (incidentId: string, seq: number): string => docId(`${incidentId}:${seq}`);
const numbered = (entries: readonly NewTimelineEntry[], after: number): TimelineEntry[] => entries.map((e, i) => ({ ...e, seq: after + i + 1 }));
const exists = (id: string) => errors.conflict(`Incident ${id} already exists`, { id });
const hitConflict = (hitId: string) => errors.conflict(`Hit ${hitId} was already processed`, { hitId });
const busy = (id: string, expected: number) =>
  errors.conflict(`Incident ${id} is being changed by others; reload and retry`, { id, expected });

function listQuery(q: CheckedIncidentQuery, scope: Scope): Query {
  const terms = (field: string, values: readonly string[] | undefined): Query | null => (values?.length ? { terms: { [field]: [...values] } } : null);
  const term = (field: string, value: string | undefined): Query | null => (value === undefined ? null : { term: { [field]: value } });
  const lastSeen = q.from === undefined && q.to === undefined ? null : { range: { lastSeen: { gte: q.from, lt: q.to } } };
  return allOf([
    terms('status', q.status), terms('severity', q.severity),
    q.locality === undefined ? null : subtreeFilter([q.locality], 'locality', 'province'),
    term('ruleId', q.ruleId), term('category', q.category), term('parentId', q.parentId), lastSeen, scopeFilter(scope, 'locality', 'province'),
  ]);
}

function toDoc(i: Incident, timelineSeq: number, pending: Pending): IncidentDoc {
  return {
    id: i.id, fingerprint: i.fingerprint, ruleId: i.ruleId, ruleVersion: i.ruleVersion, title: i.title, severity: i.severity,
    category: i.category, locality: i.locality, province: i.province, status: i.status, resolution: i.resolution, assignee: i.assignee,
    escalationLevel: i.escalationLevel, count: i.count, firstSeen: i.firstSeen, lastSeen: i.lastSeen, ackDue: i.ackDue,
    evidence: toJson(i.evidence), group: toJson(i.group), parentId: i.parentId, resolvedAt: i.resolvedAt, version: i.version,
    severityRank: severityRank(i.severity), timelineSeq, pending: toJson(pending),
  };
}

function toIncident(d: IncidentDoc): Incident {
  return {
    id: d.id, fingerprint: d.fingerprint, ruleId: d.ruleId, ruleVersion: d.ruleVersion, title: d.title, severity: d.severity,
    category: d.category, locality: d.locality, province: d.province ?? null, status: d.status, resolution: d.resolution ?? null,
    assignee: d.assignee ?? null, escalationLevel: d.escalationLevel, count: d.count, firstSeen: d.firstSeen, lastSeen: d.lastSeen,
    ackDue: d.ackDue ?? null, evidence: fromJson<Incident['evidence']>(d.evidence), group: fromJson<Incident['group']>(d.group),
    parentId: d.parentId ?? null, resolvedAt: d.resolvedAt ?? null, version: d.version,
  };
}

function toEntryDoc(e: TimelineEntry): EntryDoc {
  return { incidentId: e.incidentId, seq: e.seq, at: e.at, actor: e.actor, action: e.action, from: toJson(e.from), to: toJson(e.to), note: e.note };
}

function toEntry(d: EntryDoc): TimelineEntry {
  return {
    incidentId: d.incidentId, seq: d.seq, at: d.at, actor: d.actor, action: d.action,
    from: fromJson<TimelineEntry['from']>(d.from), to: fromJson<TimelineEntry['to']>(d.to), note: d.note ?? null,
  };
}
