import { AppError, errors } from '../errors';
import type { Clock } from '../lib/clock';
import { newId } from '../lib/ids';
import type { Clear, Hit, RsitCategory, Severity } from '../rules/rule';
import { versionConflict, type IncidentPage, type IncidentQuery, type IncidentStore } from '../store/incident-store';
import type { Scope } from '../store/scope';
import {
  MAX_SAMPLE_EVENT_IDS, RESOLUTIONS, fingerprint, isActive, maxSeverity,
  type Incident, type JsonValue, type NewTimelineEntry, type Resolution, type TimelineAction, type TimelineEntry,
} from './incident';

/** What the service needs to know of a rule. */
export interface RuleInfo {
  readonly title: string;
  readonly severity: Severity;
  readonly category: RsitCategory;
}

/** What the service needs to know of a locality. */
export interface LocalityInfo {
  readonly code: string;
  /** The locality's province (itself for a province), null for central. */
  readonly province: string | null;
}

export interface IncidentServiceOptions {
  /** A hit within this long after an incident was resolved reopens it. @defaultValue 86_400_000 (24 h) */
  readonly reopenGraceMs?: number;
  /** The rule of a hit; undefined when unknown (then the incident is titled by the rule id, medium, category other). */
  readonly ruleLookup: (ruleId: string) => RuleInfo | undefined;
  /** The locality of a hit; undefined when unknown (then the incident has no province: only central scopes see it). */
  readonly localityLookup: (code: string) => LocalityInfo | undefined;
  /** Code of the central locality: where hits without a locality belong. */
  readonly centralCode: string;
  /** Attempts of applyHit when a concurrent writer changed the incident first. @defaultValue 5 */
  readonly maxAttempts?: number;
  /**
   * Called after every committed change (hits that open, bump or reopen, and every action) with
   * the timeline action and the incident as stored: notifications and escalation timers hang here.
   */
  readonly onChange?: (action: TimelineAction, incident: Incident) => void | Promise<void>;
  /**
   * When an open incident at its current level escalates next unless acknowledged (epoch ms), or
   * null when no level follows; `since` is when it reached that level. Sets `ackDue` on open,
   * reopen and escalate. Absent: ackDue stays null.
   */
  readonly ackDueOf?: (incident: Incident, since: number) => number | null;
}

export type ApplyHitResult =
  | { readonly outcome: 'duplicate_hit' }
  | { readonly outcome: 'created' | 'bumped' | 'reopened'; readonly incident: Incident };

export type AutoResolveResult =
  | { readonly outcome: 'duplicate_clear' | 'nothing_active' | 'fired_since' }
  | { readonly outcome: 'auto_resolved'; readonly incident: Incident };

const DEFAULT_REOPEN_GRACE_MS = 24 * 60 * 60 * 1000;
const MAX_COMMENT_LENGTH = 10_000;
const MAX_ASSIGNEE_LENGTH = 200;

/**
 * Turns hits into incidents and applies analysts' actions.
 *
 * Hits: the fingerprint of a hit is fingerprint(ruleId, locality ?? centralCode, group). A hit folds
 * into the active incident of its fingerprint (bump), else reopens the newest one when it was
 * resolved at most reopenGraceMs ago (by the clock), else opens a new one. A new incident's
 * firstSeen and lastSeen are the hit's window end: the moment the condition was seen to hold.
 * The hit id is recorded by the store in the same transaction as the change, so a hit delivered
 * twice (queue retry, crash after the write) changes nothing the second time; a write that loses a
 * race (stale version, a concurrent create of the same fingerprint, the same hit processed
 * concurrently) fails with `conflict` and the hit is applied again from a fresh read.
 *
 * Actions take the version the caller read and refuse a stale one (kind `conflict`); each change
 * bumps the version and writes one timeline entry. Comments only append to the timeline: they need
 * no version, since they cannot overwrite anyone's change.
 */
export class IncidentService {
  private readonly reopenGraceMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly store: IncidentStore, private readonly clock: Clock, private readonly options: IncidentServiceOptions) {
    this.reopenGraceMs = options.reopenGraceMs ?? DEFAULT_REOPEN_GRACE_MS;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** Folds a hit into its incident (see the class comment). Throws kind `conflict` after maxAttempts lost races. */
  async applyHit(hit: Hit, hitId: string): Promise<ApplyHitResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.applyHitOnce(hit, hitId);
        if (result.outcome !== 'duplicate_hit') {
          await this.changed(result.outcome === 'bumped' ? 'hit_added' : result.outcome, result.incident);
        }
        return result;
      } catch (err) {
        if (!(err instanceof AppError && err.kind === 'conflict') || attempt >= this.maxAttempts) throw err;
      }
    }
  }

  /**
   * Resolves the active incident of a clear's fingerprint (the same as its hits') by itself: status
   * `resolved` with no resolution (nobody judged it), resolvedAt = now, a timeline entry
   * `auto_resolved` by `rule:<id>`, then onChange('auto_resolved'). Outcomes: `nothing_active` when
   * no incident of the fingerprint is active (already resolved by hand, never opened);
   * `fired_since` when the incident saw a hit of a window after the clear's (the queue delivered
   * the clear late: the condition holds again); `duplicate_clear` when clearId was already applied.
   * The clear id is recorded with the change like a hit id; lost races are retried like applyHit.
   */
  async autoResolve(clear: Clear, clearId: string): Promise<AutoResolveResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.autoResolveOnce(clear, clearId);
        if (result.outcome === 'auto_resolved') await this.changed('auto_resolved', result.incident);
        return result;
      } catch (err) {
        if (!(err instanceof AppError && err.kind === 'conflict') || attempt >= this.maxAttempts) throw err;
      }
    }
  }

  /** The incident; throws kind `not_found` when unknown or outside the scope. */
  async get(id: string, scope: Scope): Promise<Incident> {
    const incident = await this.store.get(id, scope);
    if (!incident) throw errors.notFound('Incident', id);
    return incident;
  }

  /** A page of incidents in scope (IncidentStore.list). */
  async list(query: IncidentQuery, scope: Scope): Promise<IncidentPage> {
    return this.store.list(query, scope);
  }

  /** The incident's timeline, oldest first; throws kind `not_found` when unknown or outside the scope. */
  async timeline(id: string, scope: Scope): Promise<readonly TimelineEntry[]> {
    await this.get(id, scope);
    return this.store.timeline(id);
  }

  /** open → acknowledged (clears ackDue). Throws `conflict` unless open or when the version is stale. */
  async acknowledge(id: string, expectedVersion: number, actor: string, scope: Scope): Promise<Incident> {
    return this.change(id, expectedVersion, scope, (i) => {
      if (i.status !== 'open') throw errors.conflict(`Incident ${id} is ${i.status}, not open: only an open incident can be acknowledged`, { id, status: i.status });
      return [{ ...i, status: 'acknowledged', ackDue: null }, this.entry(i, actor, 'acknowledged', i.status, 'acknowledged')];
    });
  }

  /** Sets (or with null clears) the assignee of an active incident. Throws `invalid` for an empty name, `conflict` when resolved or stale. */
  async assign(id: string, expectedVersion: number, actor: string, scope: Scope, args: { readonly assignee: string | null }): Promise<Incident> {
    const { assignee } = args;
    if (assignee !== null && (typeof assignee !== 'string' || assignee.trim() === '' || assignee.length > MAX_ASSIGNEE_LENGTH)) {
      throw errors.invalidRequest(`assignee must be a non-empty name of at most ${MAX_ASSIGNEE_LENGTH} characters, or null`, { field: 'assignee' });
    }
    return this.change(id, expectedVersion, scope, (i) => {
      mustBeActive(i, 'assigned');
      return [{ ...i, assignee }, this.entry(i, actor, 'assigned', i.assignee, assignee)];
    });
  }

  /**
   * Adds a comment to the timeline (any status). No version: a comment changes no field, so it
   * cannot overwrite anyone's change. Returns the incident (unchanged). Throws `invalid` for an
   * empty or too long text, `not_found` when unknown or outside the scope.
   */
  async comment(id: string, actor: string, scope: Scope, text: string): Promise<Incident> {
    if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_COMMENT_LENGTH) {
      throw errors.invalidRequest(`A comment must have 1 to ${MAX_COMMENT_LENGTH} characters`, { field: 'text' });
    }
    const incident = await this.get(id, scope);
    await this.store.appendTimeline([{ ...this.entry(incident, actor, 'commented', null, null), note: text }]);
    return incident;
  }

  /** Resolves an active incident. Throws `invalid` for a missing or unknown resolution (listing the allowed ones), `conflict` when resolved or stale. */
  async resolve(id: string, expectedVersion: number, actor: string, scope: Scope, args: { readonly resolution: Resolution; readonly note?: string }): Promise<Incident> {
    if (!RESOLUTIONS.includes(args.resolution)) {
      throw errors.invalidRequest(`resolution must be one of: ${RESOLUTIONS.join(', ')}`, { field: 'resolution', allowed: RESOLUTIONS });
    }
    return this.change(id, expectedVersion, scope, (i) => {
      mustBeActive(i, 'resolved');
      const next: Incident = { ...i, status: 'resolved', resolution: args.resolution, resolvedAt: this.clock.now(), ackDue: null };
      const entry = this.entry(i, actor, 'resolved', { status: i.status }, { status: 'resolved', resolution: args.resolution });
      return [next, { ...entry, note: args.note ?? null }];
    });
  }

  /** Reopens a resolved incident (level back to 0). Throws `conflict` unless resolved, when stale, or when another incident of its fingerprint is active. */
  async reopen(id: string, expectedVersion: number, actor: string, scope: Scope, args: { readonly note?: string } = {}): Promise<Incident> {
    return this.change(id, expectedVersion, scope, (i) => {
      if (i.status !== 'resolved') throw errors.conflict(`Incident ${id} is ${i.status}: only a resolved incident can be reopened`, { id, status: i.status });
      const entry = this.entry(i, actor, 'reopened', { status: i.status, resolution: i.resolution }, { status: 'open' });
      return [this.withAckDue(reopened(i)), { ...entry, note: args.note ?? null }];
    });
  }

  /** Raises the escalation level of an active incident (to toLevel, default one up). Throws `invalid` for a level not above the current one, `conflict` when resolved or stale. */
  async escalate(id: string, expectedVersion: number, actor: string, scope: Scope, args: { readonly toLevel?: number } = {}): Promise<Incident> {
    return this.change(id, expectedVersion, scope, (i) => {
      mustBeActive(i, 'escalated');
      const level = args.toLevel ?? i.escalationLevel + 1;
      if (!Number.isInteger(level) || level <= i.escalationLevel) {
        throw errors.invalidRequest(`toLevel must be an integer above the current level ${i.escalationLevel}`, { field: 'toLevel', current: i.escalationLevel });
      }
      const next = i.status === 'open' ? this.withAckDue({ ...i, escalationLevel: level }) : { ...i, escalationLevel: level };
      return [next, this.entry(i, actor, 'escalated', i.escalationLevel, level)];
    });
  }

  private async applyHitOnce(hit: Hit, hitId: string): Promise<ApplyHitResult> {
    if (await this.store.hasHit(hitId)) return { outcome: 'duplicate_hit' };
    const locality = hit.locality ?? this.options.centralCode;
    const fp = fingerprint(hit.ruleId, locality, hit.group);
    const rule = this.rule(hit.ruleId);
    const active = await this.store.findActiveByFingerprint(fp);
    if (active) {
      const entry = this.hitEntry(active, hit, 'hit_added', { count: active.count, severity: active.severity });
      return { outcome: 'bumped', incident: await this.store.update(withHit(active, hit, rule.severity), active.version, [entry], hitId) };
    }
    const latest = await this.store.findLatestByFingerprint(fp);
    if (latest?.resolvedAt != null && latest.status === 'resolved' && this.clock.now() - latest.resolvedAt <= this.reopenGraceMs) {
      const entry = this.hitEntry(latest, hit, 'reopened', { status: latest.status, resolution: latest.resolution, count: latest.count });
      return { outcome: 'reopened', incident: await this.store.update(this.withAckDue(reopened(withHit(latest, hit, rule.severity))), latest.version, [entry], hitId) };
    }
    const incident = this.newIncident(hit, fp, locality, rule);
    await this.store.create(incident, this.hitEntry(incident, hit, 'created', null), hitId);
    return { outcome: 'created', incident };
  }

  private async autoResolveOnce(clear: Clear, clearId: string): Promise<AutoResolveResult> {
    if (await this.store.hasHit(clearId)) return { outcome: 'duplicate_clear' };
    const fp = fingerprint(clear.ruleId, clear.locality ?? this.options.centralCode, clear.group);
    const active = await this.store.findActiveByFingerprint(fp);
    if (!active) return { outcome: 'nothing_active' };
    if (active.lastSeen > clear.window.to) return { outcome: 'fired_since' };
    const n = clear.clearEvaluations;
    const next: Incident = { ...active, status: 'resolved', resolution: null, resolvedAt: this.clock.now(), ackDue: null };
    const entry: NewTimelineEntry = {
      ...this.entry(active, `rule:${clear.ruleId}`, 'auto_resolved', { status: active.status }, { status: 'resolved', resolution: null, clearEvaluations: n }),
      note: `condition clear for ${n} consecutive evaluation${n === 1 ? '' : 's'}`,
    };
    return { outcome: 'auto_resolved', incident: await this.store.update(next, active.version, [entry], clearId) };
  }

  /** The incident with ackDue from options.ackDueOf (counted from now). */
  private withAckDue(i: Incident): Incident {
    return this.options.ackDueOf ? { ...i, ackDue: this.options.ackDueOf(i, this.clock.now()) } : i;
  }

  private newIncident(hit: Hit, fp: string, locality: string, rule: RuleInfo): Incident {
    return this.withAckDue({
      id: newId('inc'), fingerprint: fp, ruleId: hit.ruleId, ruleVersion: hit.ruleVersion, title: rule.title, severity: rule.severity,
      category: rule.category, locality, province: this.options.localityLookup(locality)?.province ?? null, status: 'open',
      resolution: null, assignee: null, escalationLevel: 0, count: 1, firstSeen: hit.window.to, lastSeen: hit.window.to, ackDue: null,
      evidence: { query: hit.evidenceQuery, sampleEventIds: hit.sampleEventIds.slice(0, MAX_SAMPLE_EVENT_IDS) },
      group: { ...hit.group }, parentId: null, resolvedAt: null, version: 1,
    });
  }

  private rule(ruleId: string): RuleInfo {
    return this.options.ruleLookup(ruleId) ?? { title: ruleId, severity: 'medium', category: 'other' };
  }

  /** Reads the incident, checks the version, applies `make` and writes the result with its entry. */
  private async change(id: string, expectedVersion: number, scope: Scope, make: (i: Incident) => [Incident, NewTimelineEntry]): Promise<Incident> {
    const current = await this.get(id, scope);
    if (current.version !== expectedVersion) throw versionConflict(id, expectedVersion, current.version);
    const [next, entry] = make(current);
    const updated = await this.store.update(next, expectedVersion, [entry]);
    await this.changed(entry.action, updated);
    return updated;
  }

  /** Tells options.onChange, which must not fail the change already committed. */
  private async changed(action: TimelineAction, incident: Incident): Promise<void> {
    try {
      await this.options.onChange?.(action, incident);
    } catch {
      // The listener reports its own failures (the notifier logs them); the change stands.
    }
  }

  private entry(i: Incident, actor: string, action: TimelineAction, from: JsonValue, to: JsonValue): NewTimelineEntry {
    return { incidentId: i.id, at: this.clock.now(), actor, action, from, to, note: null };
  }

  private hitEntry(i: Incident, hit: Hit, action: TimelineAction, from: JsonValue): NewTimelineEntry {
    const to = { count: action === 'created' ? 1 : i.count + 1, lastSeen: Math.max(i.lastSeen, hit.window.to), observed: hit.observed };
    return { ...this.entry(i, `rule:${hit.ruleId}`, action, from, to), note: hit.condition };
  }
}

/** The incident with one more hit: count, lastSeen, severity raised to the rule's, newest evidence. */
function withHit(i: Incident, hit: Hit, ruleSeverity: Severity): Incident {
  const samples = [...new Set([...hit.sampleEventIds, ...i.evidence.sampleEventIds])].slice(0, MAX_SAMPLE_EVENT_IDS);
  return {
    ...i, ruleVersion: hit.ruleVersion, count: i.count + 1, lastSeen: Math.max(i.lastSeen, hit.window.to),
    severity: maxSeverity(i.severity, ruleSeverity), evidence: { query: hit.evidenceQuery, sampleEventIds: samples },
  };
}

/** The incident open again: no resolution, escalation starting over. */
function reopened(i: Incident): Incident {
  return { ...i, status: 'open', resolution: null, resolvedAt: null, escalationLevel: 0, ackDue: null };
}

function mustBeActive(i: Incident, action: string): void {
  if (!isActive(i.status)) throw errors.conflict(`Incident ${i.id} is resolved: reopen it before it can be ${action}`, { id: i.id, status: i.status });
}
