import { AppError } from '../errors';
import type { Clock } from '../lib/clock';
import { newId } from '../lib/ids';
import type { IncidentStore } from '../store/incident-store';
import { ALL_SCOPE } from '../store/scope';
import {
  MAX_SAMPLE_EVENT_IDS, fingerprint, isActive, maxSeverity,
  type GroupValues, type Incident, type NewTimelineEntry, type TimelineAction,
} from './incident';

/** Distinct communes of one province in which one rule must fire (within the window) to roll up. */
export const DEFAULT_ROLLUP_K = 3;
/** How recent (lastSeen, by the clock) a commune's active incident must be to count: 1 hour. */
export const DEFAULT_ROLLUP_WINDOW_MS = 60 * 60 * 1000;
/** The actor of roll-up changes in the timeline. */
export const ROLLUP_ACTOR = 'system:rollup';
/** The group of a parent incident: with the rule id and the province, its fingerprint. */
export const ROLLUP_GROUP: GroupValues = { rollup: 'province' };

/** Attempts of a versioned write that lost a race (the child got a new hit meanwhile). */
const MAX_ATTEMPTS = 5;
/** Page size when listing the province's active incidents of the rule. */
const PAGE_SIZE = 500;

export interface RollupDeps {
  readonly store: Pick<IncidentStore, 'list' | 'get' | 'create' | 'update' | 'findActiveByFingerprint'>;
  readonly clock: Clock;
  /** Distinct communes needed. @defaultValue DEFAULT_ROLLUP_K (3) */
  readonly k?: number;
  /** Window on the children's lastSeen. @defaultValue DEFAULT_ROLLUP_WINDOW_MS (1 h) */
  readonly windowMs?: number;
  /**
   * Called with ('created', parent) when a parent incident is created, so that it is notified and
   * escalated like any new incident (in production: the process's composed onChange).
   */
  readonly onParentChange?: (action: TimelineAction, incident: Incident) => void | Promise<void>;
}

/** The fingerprint of the roll-up parent of a rule in a province. */
export function rollupFingerprint(ruleId: string, province: string): string {
  return fingerprint(ruleId, province, ROLLUP_GROUP);
}

/** True for an incident of a commune (it has a province, and is not the province itself). */
export function isCommuneIncident(i: Pick<Incident, 'locality' | 'province'>): boolean {
  return i.province !== null && i.province !== i.locality;
}

function isConflict(err: unknown): boolean {
  return err instanceof AppError && err.kind === 'conflict';
}

/**
 * An IncidentServiceOptions.onChange listener that rolls commune incidents up into a province
 * incident (docs/incidents.md, "Roll-up"). When a commune incident opens or reopens and is not
 * already under an active parent, the province's active (open or acknowledged) incidents of the
 * same rule whose lastSeen is within the last `windowMs` are listed; when they cover at least `k`
 * distinct communes, the province's active parent (fingerprint rollupFingerprint(rule, province))
 * is created if missing and every such child not under it gets its parentId (timeline `rolled_up`).
 * From then on the escalation worker leaves the children alone: the parent escalates as one.
 *
 * Safe to run concurrently (several workers, several processes): two listeners creating the same
 * parent collide on the store's one-active-incident-per-fingerprint guard, and the loser links to
 * the winner's parent; every write is versioned and retried from a fresh read.
 */
export function rollupListener(deps: RollupDeps): (action: TimelineAction, incident: Incident) => Promise<void> {
  const k = deps.k ?? DEFAULT_ROLLUP_K;
  const windowMs = deps.windowMs ?? DEFAULT_ROLLUP_WINDOW_MS;
  return async (action, incident) => {
    if (action !== 'created' && action !== 'reopened') return;
    if (!isCommuneIncident(incident)) return;
    if (incident.parentId !== null) {
      // A reopened child whose parent is still active stays under it; one whose parent is over rolls up afresh.
      const parent = await deps.store.get(incident.parentId, ALL_SCOPE);
      if (parent && isActive(parent.status)) return;
    }
    const province = incident.province as string;
    const now = deps.clock.now();
    const children = await activeChildren(deps.store, incident.ruleId, province, now - windowMs, now);
    const communes = new Set(children.map((c) => c.locality));
    if (communes.size < k) return;
    await rollUp(deps, incident.ruleId, province, children, communes.size);
  };
}

/** Active commune incidents of the rule in the province with lastSeen in [from, to]. */
async function activeChildren(store: RollupDeps['store'], ruleId: string, province: string, from: number, to: number): Promise<Incident[]> {
  const out: Incident[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({
      ruleId, locality: province, status: ['open', 'acknowledged'], from, to: to + 1, size: PAGE_SIZE, cursor,
    }, ALL_SCOPE);
    out.push(...page.incidents.filter((i) => i.province === province && isCommuneIncident(i)));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

async function rollUp(deps: RollupDeps, ruleId: string, province: string, children: readonly Incident[], communes: number): Promise<void> {
  const fp = rollupFingerprint(ruleId, province);
  let parent = await deps.store.findActiveByFingerprint(fp);
  let counted = 0; // children already in parent.count before we link them (the ones we created it with)
  if (!parent) {
    const fresh = newParent(fp, ruleId, province, children, communes);
    try {
      await deps.store.create(fresh, {
        incidentId: fresh.id, at: deps.clock.now(), actor: ROLLUP_ACTOR, action: 'created', from: null,
        to: { children: children.map((c) => c.id), communes },
        note: `Rule ${ruleId} fired in ${communes} communes of province ${province}: ${children.map((c) => c.id).join(', ')}`,
      });
      parent = fresh;
      counted = children.length;
      try {
        await deps.onParentChange?.('created', fresh);
      } catch {
        // The listener reports its own failures; the parent stands.
      }
    } catch (err) {
      if (!isConflict(err)) throw err;
      // Another listener created it first: link to that one.
      parent = await deps.store.findActiveByFingerprint(fp);
      if (!parent) throw err;
    }
  }
  const linked: Incident[] = [];
  for (const child of children) {
    const done = await linkChild(deps, child, parent);
    if (done) linked.push(done);
  }
  // Every listener adds to the parent's count the children it linked itself (a creator counted its
  // candidates up front, and takes back the ones another listener linked first).
  const delta = linked.length - counted;
  if (delta !== 0) await updateParent(deps, parent.id, linked, delta, communes);
}

/** Sets child.parentId = parent.id (versioned, retried); the child as linked, or null when someone else linked it or it is gone/over. */
async function linkChild(deps: RollupDeps, child: Incident, parent: Incident): Promise<Incident | null> {
  let current: Incident | null = child;
  for (let attempt = 1; ; attempt++) {
    if (!current || !isActive(current.status) || current.parentId === parent.id) return null;
    if (current.parentId !== null) {
      const old = await deps.store.get(current.parentId, ALL_SCOPE);
      if (old && isActive(old.status)) return null; // under another active parent (cannot happen with one active parent per fingerprint)
    }
    const entry: NewTimelineEntry = {
      incidentId: current.id, at: deps.clock.now(), actor: ROLLUP_ACTOR, action: 'rolled_up',
      from: current.parentId, to: parent.id, note: `Rolled up into ${parent.id} (${parent.locality}): escalates with it`,
    };
    try {
      return await deps.store.update({ ...current, parentId: parent.id }, current.version, [entry]);
    } catch (err) {
      if (!isConflict(err) || attempt >= MAX_ATTEMPTS) throw err;
      current = await deps.store.get(child.id, ALL_SCOPE);
    }
  }
}

/** Adds the newly linked children to the parent: count, severity, lastSeen, samples, title. */
async function updateParent(deps: RollupDeps, parentId: string, linked: readonly Incident[], delta: number, communes: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const parent = await deps.store.get(parentId, ALL_SCOPE);
    if (!parent || !isActive(parent.status)) return;
    const next: Incident = {
      ...parent,
      count: Math.max(0, parent.count + delta),
      severity: linked.reduce((s, c) => maxSeverity(s, c.severity), parent.severity),
      lastSeen: Math.max(parent.lastSeen, ...linked.map((c) => c.lastSeen)),
      firstSeen: Math.min(parent.firstSeen, ...linked.map((c) => c.firstSeen)),
      title: parentTitle(linked[0]?.title ?? baseTitle(parent.title), Math.max(communes, communesInTitle(parent.title))),
      evidence: {
        query: parent.evidence.query,
        sampleEventIds: [...new Set([...parent.evidence.sampleEventIds, ...linked.flatMap((c) => c.evidence.sampleEventIds)])].slice(0, MAX_SAMPLE_EVENT_IDS),
      },
    };
    const entry: NewTimelineEntry = {
      incidentId: parent.id, at: deps.clock.now(), actor: ROLLUP_ACTOR, action: 'rolled_up',
      from: { count: parent.count }, to: { count: next.count, children: linked.map((c) => c.id) },
      note: linked.length ? `Linked ${linked.map((c) => c.id).join(', ')}` : null,
    };
    try {
      await deps.store.update(next, parent.version, [entry]);
      return;
    } catch (err) {
      if (!isConflict(err) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

const TITLE_SUFFIX = / — (\d+) communes of the province$/;

/** `<rule title> — <N> communes of the province`. */
export function parentTitle(ruleTitle: string, communes: number): string {
  return `${ruleTitle} — ${communes} communes of the province`;
}

function baseTitle(title: string): string {
  return title.replace(TITLE_SUFFIX, '');
}

function communesInTitle(title: string): number {
  const m = TITLE_SUFFIX.exec(title);
  return m ? Number(m[1]) : 0;
}

/**
 * The province incident over `children`: the rule's title, category and newest rule version, the
 * highest severity, count = the children, first/last seen spanning theirs, and as evidence the
 * children's evidence queries ORed (the rule's filter in each of those communes) with their samples.
 */
function newParent(fp: string, ruleId: string, province: string, children: readonly Incident[], communes: number): Incident {
  const newest = children.reduce((a, b) => (b.lastSeen > a.lastSeen ? b : a));
  const queries = [...new Set(children.map((c) => c.evidence.query))];
  return {
    id: newId('inc'), fingerprint: fp, ruleId, ruleVersion: newest.ruleVersion,
    title: parentTitle(newest.title, communes),
    severity: children.reduce((s, c) => maxSeverity(s, c.severity), children[0].severity),
    category: newest.category, locality: province, province, status: 'open', resolution: null, assignee: null,
    escalationLevel: 0, count: children.length,
    firstSeen: Math.min(...children.map((c) => c.firstSeen)),
    lastSeen: Math.max(...children.map((c) => c.lastSeen)),
    ackDue: null,
    evidence: {
      query: queries.length === 1 ? queries[0] : queries.map((q) => `(${q})`).join(' OR '),
      sampleEventIds: [...new Set(children.flatMap((c) => c.evidence.sampleEventIds))].slice(0, MAX_SAMPLE_EVENT_IDS),
    },
    group: { ...ROLLUP_GROUP }, parentId: null, resolvedAt: null, version: 1,
  };
}
