import { parseFilter } from '../../query/parse';
import type { EcsDocument } from '../../store/event-store';
import { MemoryEventStore } from '../../store/memory/event-store';
import type { Hit, Rule, RuleCondition } from '../rule';

/**
 * Helpers for the rule-type tests: rules with defaults, events with the required fields, a memory
 * store holding them. Not used by production code.
 */

/** Start of the evaluated window in the tests. */
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const MINUTE = 60_000;
/** The default window: [T0, T0 + 5 min). */
export const WINDOW = { from: T0, to: T0 + 5 * MINUTE } as const;
export const DATASET = 'nginx.access';

/** A rule over DATASET with `condition`, grouped by organization.id, filter text `filterText`. */
export function makeRule(condition: RuleCondition, overrides: Partial<Rule> & { filterText?: string } = {}): Rule {
  const filterText = overrides.filterText ?? '';
  return {
    id: 'test-rule', version: 'v1', title: 'Test rule', description: '', severity: 'medium', category: 'other', tags: [],
    dataset: DATASET, filter: parseFilter(filterText), filterText, condition, groupBy: ['organization.id'],
    windowMs: 5 * MINUTE, everyMs: 5 * MINUTE, delayMs: 0, suppressMs: 0, enabled: true, origin: { file: 'test.yml', line: 1 },
    ...overrides,
  };
}

let seq = 0;

/** Extra fields by dotted name (`'user.name': 'a'`); `null` leaves the field out. */
export type Fields = Record<string, string | number | null>;

/** An event at epoch ms `at` in `org` (default 00004) with extra fields; id `e<n>` unless given. */
export function makeEvent(at: number, fields: Fields = {}, id?: string): EcsDocument {
  const all: Fields = {
    '@timestamp': new Date(at).toISOString(), 'event.id': id ?? `e${String(++seq).padStart(5, '0')}`,
    'event.dataset': DATASET, 'organization.id': '00004', 'canh.source_id': 'src-1', ...fields,
  };
  const doc: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(all)) {
    if (value === null) continue;
    if (path === '@timestamp') { doc[path] = value; continue; }
    const parts = path.split('.');
    let cur = doc;
    for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
    cur[parts[parts.length - 1]] = value;
  }
  return doc;
}

/** A memory store holding the events (one batch). */
export async function storeWith(events: readonly EcsDocument[]): Promise<MemoryEventStore> {
  const store = new MemoryEventStore({ now: () => T0 });
  await store.write({
    batchId: `b${++seq}`, sourceId: 'src-1', locality: '00004', province: null, dataset: DATASET,
    received: events.length, events, deadLetters: [], receivedAt: T0,
  });
  return store;
}

/** `n` events at `at`, `at + step`, ... with the same fields. */
export function series(n: number, at: number, step: number, fields: Fields = {}): EcsDocument[] {
  return Array.from({ length: n }, (_, i) => makeEvent(at + i * step, fields));
}

/** Hits sorted by group (JSON of the group values), for order-free assertions. */
export function byGroup(hits: readonly Hit[]): Hit[] {
  return [...hits].sort((a, b) => (JSON.stringify(a.group) < JSON.stringify(b.group) ? -1 : 1));
}

/** The group objects of the hits, sorted. */
export function groups(hits: readonly Hit[]): Hit['group'][] {
  return byGroup(hits).map((h) => h.group);
}
