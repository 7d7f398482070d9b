import type { DuckDBValue } from '@duckdb/node-api';
import { errors } from '../../errors';
import {
  isActive, severityRank, type Incident, type IncidentStatus, type JsonValue, type NewTimelineEntry, type Resolution, type TimelineEntry,
} from '../../incidents/incident';
import type { RsitCategory, Severity } from '../../rules/rule';
import {
  activeConflict, checkEntries, checkImportedTimeline, checkIncidentQuery, encodeIncidentCursor, versionConflict,
  type CheckedIncidentQuery, type IncidentPage, type IncidentQuery, type IncidentSort, type IncidentStore,
} from '../incident-store';
import type { Scope } from '../scope';
import type { IncidentStats } from '../incident-stats';
import { DuckDbIncidentStats } from './incident-stats';
import { and, scopeCondition, subtreeCondition, type Sql } from './query';
import { SmallDuckDbStore, type Row } from './small-db';

// Indexes only on columns fixed at creation: DuckDB turns an UPDATE of an indexed column into a
// delete + insert, and status/severity are too coarse for an index to help. Listings scan the
// table (zone maps on last_seen) into a top-N ordered by the sort column and id, with keyset paging.
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS incidents (
     id VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL, rule_id VARCHAR NOT NULL, rule_version VARCHAR NOT NULL,
     title VARCHAR NOT NULL, severity VARCHAR NOT NULL, severity_rank INTEGER NOT NULL, category VARCHAR NOT NULL,
     locality VARCHAR NOT NULL, province VARCHAR, status VARCHAR NOT NULL, resolution VARCHAR, assignee VARCHAR,
     escalation_level INTEGER NOT NULL, hit_count BIGINT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
     ack_due BIGINT, evidence_query VARCHAR NOT NULL, sample_event_ids VARCHAR NOT NULL, group_values VARCHAR NOT NULL,
     parent_id VARCHAR, resolved_at BIGINT, version BIGINT NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS incidents_fingerprint ON incidents (fingerprint)',
  'CREATE INDEX IF NOT EXISTS incidents_locality ON incidents (locality)',
  'CREATE INDEX IF NOT EXISTS incidents_province ON incidents (province)',
  'CREATE INDEX IF NOT EXISTS incidents_rule ON incidents (rule_id)',
  `CREATE TABLE IF NOT EXISTS incident_timeline (
     incident_id VARCHAR NOT NULL, seq INTEGER NOT NULL, entry_at BIGINT NOT NULL, actor VARCHAR NOT NULL, action VARCHAR NOT NULL,
     from_value VARCHAR NOT NULL, to_value VARCHAR NOT NULL, note VARCHAR, PRIMARY KEY (incident_id, seq))`,
  'CREATE INDEX IF NOT EXISTS incident_timeline_incident ON incident_timeline (incident_id)',
  // The one active incident of a fingerprint: DuckDB has no partial unique index, so this table's
  // primary key is what refuses a second one (inserted on create/reopen, deleted on resolve).
  'CREATE TABLE IF NOT EXISTS fingerprint_active (fingerprint VARCHAR PRIMARY KEY, incident_id VARCHAR NOT NULL)',
  // Hit ids folded into incidents, written in the transaction of the change they caused.
  'CREATE TABLE IF NOT EXISTS processed_hits (hit_id VARCHAR PRIMARY KEY, incident_id VARCHAR NOT NULL)',
];

const INSERT_COLUMNS = 24;
const SORT_COLUMNS: Record<IncidentSort, string> = { last_seen: 'last_seen', first_seen: 'first_seen', severity: 'severity_rank', count: 'hit_count' };

/**
 * IncidentStore on a DuckDB file of its own (incidents.duckdb under the data directory). One
 * connection; every operation runs after the previous one finished (a promise chain), so a
 * transaction's statements never interleave with another call's, and check-then-write steps inside
 * a transaction cannot race within the process (the file has one writing process).
 */
export class DuckDbIncidentStore extends SmallDuckDbStore implements IncidentStore {
  constructor(options: { readonly path: string }) {
    super(options.path, SCHEMA);
  }

  /** Statistics over this store's tables (docs/statistics.md), queued with its other calls. */
  stats(): IncidentStats {
    return new DuckDbIncidentStats(this.db);
  }

  async create(incident: Incident, firstEntry: NewTimelineEntry, hitId?: string): Promise<void> {
    checkEntries(incident.id, [firstEntry]);
    return this.db.serial(() => this.db.transaction(async () => {
      const exists = await this.db.query('SELECT 1 FROM incidents WHERE id = ?', [incident.id]);
      if (exists.length) throw errors.conflict(`Incident ${incident.id} already exists`, { id: incident.id });
      await this.checkHit(hitId);
      if (isActive(incident.status)) await this.claimFingerprint(incident);
      await this.db.exec(`INSERT INTO incidents VALUES (${marks(INSERT_COLUMNS)})`, insertParams(incident), `Incident ${incident.id} already exists`);
      await this.insertEntries([firstEntry]);
      await this.recordHit(hitId, incident.id);
    }));
  }

  async get(id: string, scope: Scope): Promise<Incident | null> {
    const where = and([{ sql: 'id = ?', params: [id] }, scopeCondition(scope, 'locality', 'province')]);
    return this.db.serial(async () => first(await this.db.query(`SELECT * FROM incidents WHERE ${where.sql}`, where.params)));
  }

  async findActiveByFingerprint(fingerprint: string): Promise<Incident | null> {
    return this.db.serial(async () => first(await this.db.query(
      'SELECT i.* FROM fingerprint_active f JOIN incidents i ON i.id = f.incident_id WHERE f.fingerprint = ?', [fingerprint],
    )));
  }

  async findLatestByFingerprint(fingerprint: string): Promise<Incident | null> {
    return this.db.serial(async () => first(await this.db.query(
      'SELECT * FROM incidents WHERE fingerprint = ? ORDER BY first_seen DESC, id DESC LIMIT 1', [fingerprint],
    )));
  }

  async update(next: Incident, expectedVersion: number, entries: readonly NewTimelineEntry[], hitId?: string): Promise<Incident> {
    checkEntries(next.id, entries);
    return this.db.serial(() => this.db.transaction(async () => {
      const current = first(await this.db.query('SELECT * FROM incidents WHERE id = ?', [next.id]));
      if (!current) throw errors.notFound('Incident', next.id);
      if (current.version !== expectedVersion) throw versionConflict(next.id, expectedVersion, current.version);
      await this.checkHit(hitId);
      const stored: Incident = {
        ...next, id: current.id, fingerprint: current.fingerprint, ruleId: current.ruleId, category: current.category,
        locality: current.locality, province: current.province, version: expectedVersion + 1,
      };
      if (!isActive(current.status) && isActive(stored.status)) await this.claimFingerprint(stored);
      if (isActive(current.status) && !isActive(stored.status)) {
        await this.db.exec('DELETE FROM fingerprint_active WHERE fingerprint = ?', [stored.fingerprint]);
      }
      const changed = await this.db.exec(`UPDATE incidents SET ${UPDATE_SET} WHERE id = ? AND version = ?`, [...updateParams(stored), stored.id, expectedVersion]);
      if (changed !== 1) throw versionConflict(next.id, expectedVersion, current.version);
      await this.insertEntries(entries);
      await this.recordHit(hitId, stored.id);
      return stored;
    }));
  }

  async appendTimeline(entries: readonly NewTimelineEntry[]): Promise<void> {
    return this.db.serial(() => this.db.transaction(async () => {
      for (const id of new Set(entries.map((e) => e.incidentId))) {
        if (!(await this.db.query('SELECT 1 FROM incidents WHERE id = ?', [id])).length) throw errors.notFound('Incident', id);
      }
      await this.insertEntries(entries);
    }));
  }

  async timeline(id: string): Promise<readonly TimelineEntry[]> {
    return this.db.serial(async () => (await this.db.query('SELECT * FROM incident_timeline WHERE incident_id = ? ORDER BY seq', [id])).map(toEntry));
  }

  async list(query: IncidentQuery, scope: Scope): Promise<IncidentPage> {
    const q = checkIncidentQuery(query);
    return this.db.serial(async () => {
      const rows = (await this.topRows(q, scope)).map(toIncident);
      const page = rows.slice(0, q.size);
      return { incidents: page, nextCursor: rows.length > q.size ? encodeIncidentCursor(page[page.length - 1], q.sort, q.direction) : null };
    });
  }

  async hasHit(hitId: string): Promise<boolean> {
    return this.db.serial(async () => (await this.db.query('SELECT 1 FROM processed_hits WHERE hit_id = ?', [hitId])).length > 0);
  }

  async exportHitIds(incidentId: string): Promise<readonly string[]> {
    return this.db.serial(async () => (await this.db.query(
      'SELECT hit_id FROM processed_hits WHERE incident_id = ? ORDER BY hit_id', [incidentId],
    )).map((r) => String(r.hit_id)));
  }

  async importIncident(incident: Incident, timeline: readonly TimelineEntry[], hitIds: readonly string[]): Promise<void> {
    checkImportedTimeline(incident.id, timeline);
    return this.db.serial(() => this.db.transaction(async () => {
      const exists = await this.db.query('SELECT 1 FROM incidents WHERE id = ?', [incident.id]);
      if (exists.length) throw errors.conflict(`Incident ${incident.id} already exists`, { id: incident.id });
      for (const h of hitIds) await this.checkHit(h);
      if (isActive(incident.status)) await this.claimFingerprint(incident);
      await this.db.exec(`INSERT INTO incidents VALUES (${marks(INSERT_COLUMNS)})`, insertParams(incident), `Incident ${incident.id} already exists`);
      // Entries keep their seq: the timeline is the one of the other store, numbered 1..n.
      for (const e of timeline) {
        await this.db.exec('INSERT INTO incident_timeline VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
          e.incidentId, e.seq, e.at, e.actor, e.action, JSON.stringify(e.from ?? null), JSON.stringify(e.to ?? null), e.note,
        ]);
      }
      for (const h of hitIds) await this.recordHit(h, incident.id);
    }));
  }

  /**
   * The first size + 1 rows of a listing: one keyset query, ordered by the sort column then id, with
   * LIMIT. A subquery first finds the cut-off: the (size + 1)-th value of the sort column alone (a
   * top-N on one integer column, no row read); the outer query then reads whole rows only at or
   * past it. Every row of the listing's top size + 1 is there, ties included (min/max of no rows is
   * NULL: no rows). With 100,000 incidents (bench/incidents.ts) the newest-first page went from
   * p50 46 to 14 ms against one top-N over whole rows ordered by (column, id), whose second key is a
   * string; a filter matching fewer rows than a page pays both scans (docs/benchmarks.md).
   */
  private async topRows(q: CheckedIncidentQuery, scope: Scope): Promise<Row[]> {
    const column = SORT_COLUMNS[q.sort];
    const dir = q.direction === 'asc' ? 'ASC' : 'DESC';
    const where = listWhere(q, scope, column);
    const limit = q.size + 1;
    const cutoff = `${column} ${q.direction === 'asc' ? '<=' : '>='} (SELECT ${q.direction === 'asc' ? 'max' : 'min'}(${column}) FROM ` +
      `(SELECT ${column} FROM incidents WHERE ${where.sql} ORDER BY ${column} ${dir} LIMIT ${limit}))`;
    return this.db.query(
      `SELECT * FROM incidents WHERE (${where.sql}) AND ${cutoff} ORDER BY ${column} ${dir}, id ${dir} LIMIT ${limit}`,
      [...where.params, ...where.params],
    );
  }

  private async checkHit(hitId: string | undefined): Promise<void> {
    if (hitId === undefined) return;
    if ((await this.db.query('SELECT 1 FROM processed_hits WHERE hit_id = ?', [hitId])).length) {
      throw errors.conflict(`Hit ${hitId} was already processed`, { hitId });
    }
  }

  private async recordHit(hitId: string | undefined, incidentId: string): Promise<void> {
    if (hitId !== undefined) await this.db.exec('INSERT INTO processed_hits VALUES (?, ?)', [hitId, incidentId], `Hit ${hitId} was already processed`);
  }

  private async claimFingerprint(incident: Incident): Promise<void> {
    const rows = await this.db.query('SELECT incident_id FROM fingerprint_active WHERE fingerprint = ?', [incident.fingerprint]);
    if (rows.length) throw activeConflict(incident, String(rows[0].incident_id));
    await this.db.exec('INSERT INTO fingerprint_active VALUES (?, ?)', [incident.fingerprint, incident.id], 'Another incident of this fingerprint is open');
  }

  private async insertEntries(entries: readonly NewTimelineEntry[]): Promise<void> {
    const next = new Map<string, number>();
    for (const e of entries) {
      let seq = next.get(e.incidentId);
      if (seq === undefined) {
        const rows = await this.db.query('SELECT coalesce(max(seq), 0) AS n FROM incident_timeline WHERE incident_id = ?', [e.incidentId]);
        seq = Number(rows[0].n) + 1;
      }
      next.set(e.incidentId, seq + 1);
      await this.db.exec('INSERT INTO incident_timeline VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        e.incidentId, seq, e.at, e.actor, e.action, JSON.stringify(e.from ?? null), JSON.stringify(e.to ?? null), e.note,
      ]);
    }
  }
}

const UPDATE_SET = [
  'rule_version', 'title', 'severity', 'severity_rank', 'status', 'resolution', 'assignee', 'escalation_level', 'hit_count', 'first_seen',
  'last_seen', 'ack_due', 'evidence_query', 'sample_event_ids', 'group_values', 'parent_id', 'resolved_at', 'version',
].map((c) => `${c} = ?`).join(', ');

function updateParams(i: Incident): unknown[] {
  return [
    i.ruleVersion, i.title, i.severity, severityRank(i.severity), i.status, i.resolution, i.assignee, i.escalationLevel, i.count, i.firstSeen,
    i.lastSeen, i.ackDue, i.evidence.query, JSON.stringify(i.evidence.sampleEventIds), JSON.stringify(i.group), i.parentId, i.resolvedAt, i.version,
  ];
}

function insertParams(i: Incident): unknown[] {
  return [
    i.id, i.fingerprint, i.ruleId, i.ruleVersion, i.title, i.severity, severityRank(i.severity), i.category, i.locality, i.province,
    i.status, i.resolution, i.assignee, i.escalationLevel, i.count, i.firstSeen, i.lastSeen, i.ackDue, i.evidence.query,
    JSON.stringify(i.evidence.sampleEventIds), JSON.stringify(i.group), i.parentId, i.resolvedAt, i.version,
  ];
}

function listWhere(q: CheckedIncidentQuery, scope: Scope, sortColumn: string): Sql {
  const inList = (column: string, values: readonly string[] | undefined): Sql | null =>
    values?.length ? { sql: `${column} IN (${marks(values.length)})`, params: [...values] } : null;
  const eq = (column: string, value: string | undefined): Sql | null => (value === undefined ? null : { sql: `${column} = ?`, params: [value] });
  const after = q.after && (q.direction === 'asc'
    ? { sql: `${sortColumn} > ? OR (${sortColumn} = ? AND id > ?)`, params: [BigInt(q.after.value), BigInt(q.after.value), q.after.id] }
    : { sql: `${sortColumn} < ? OR (${sortColumn} = ? AND id < ?)`, params: [BigInt(q.after.value), BigInt(q.after.value), q.after.id] });
  return and([
    inList('status', q.status), inList('severity', q.severity),
    q.locality === undefined ? null : subtreeCondition([q.locality], 'locality', 'province'),
    eq('rule_id', q.ruleId), eq('category', q.category), eq('parent_id', q.parentId),
    q.from === undefined ? null : { sql: 'last_seen >= ?', params: [BigInt(q.from)] as DuckDBValue[] },
    q.to === undefined ? null : { sql: 'last_seen < ?', params: [BigInt(q.to)] as DuckDBValue[] },
    scopeCondition(scope, 'locality', 'province'),
    after ?? null,
  ]);
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function first(rows: Row[]): Incident | null {
  return rows.length ? toIncident(rows[0]) : null;
}

function toIncident(r: Row): Incident {
  return {
    id: String(r.id), fingerprint: String(r.fingerprint), ruleId: String(r.rule_id), ruleVersion: String(r.rule_version),
    title: String(r.title), severity: r.severity as Severity, category: r.category as RsitCategory, locality: String(r.locality),
    province: str(r.province), status: r.status as IncidentStatus, resolution: str(r.resolution) as Resolution | null,
    assignee: str(r.assignee), escalationLevel: Number(r.escalation_level), count: Number(r.hit_count),
    firstSeen: Number(r.first_seen), lastSeen: Number(r.last_seen), ackDue: num(r.ack_due),
    evidence: { query: String(r.evidence_query), sampleEventIds: JSON.parse(String(r.sample_event_ids)) as string[] },
    group: JSON.parse(String(r.group_values)) as Incident['group'], parentId: str(r.parent_id), resolvedAt: num(r.resolved_at),
    version: Number(r.version),
  };
}

function toEntry(r: Row): TimelineEntry {
  return {
    incidentId: String(r.incident_id), seq: Number(r.seq), at: Number(r.entry_at), actor: String(r.actor),
    action: r.action as TimelineEntry['action'], from: JSON.parse(String(r.from_value)) as JsonValue,
    to: JSON.parse(String(r.to_value)) as JsonValue, note: str(r.note),
  };
}
