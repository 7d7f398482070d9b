import type { FilterNode } from '../query/ast';
import { eventKey } from '../store/cursor';
import type { EcsDocument, EventBatch, EventStore, TimeRange } from '../store/event-store';
import { ALL_SCOPE } from '../store/scope';
import type { CheckedOptions, KindReport, ProgressListener } from './types';

const MATCH_ALL: FilterNode = { type: 'match_all' };
const DAY_MS = 86_400_000;
/** The end of the copied range: every event, shippers' clocks in the future included. */
export const END_OF_TIME = Date.UTC(9999, 11, 31);

/** The value at a dotted path of a document (`canh.source_id`), as text, or null. */
function field(doc: EcsDocument, path: string): string | null {
  let v: unknown = doc;
  for (const part of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return typeof v === 'string' ? v : null;
}

/**
 * The events as one batch per source, as the ingest worker would write them. Batch ids are fixed by
 * the slice and the position, so a slice copied again replaces its batch counters instead of adding.
 */
export function batchesOf(events: readonly EcsDocument[], idPrefix: string, receivedAt: number): EventBatch[] {
  const bySource = new Map<string, EcsDocument[]>();
  for (const e of events) {
    const sourceId = field(e, 'canh.source_id') ?? '';
    const list = bySource.get(sourceId) ?? [];
    list.push(e);
    bySource.set(sourceId, list);
  }
  return [...bySource].map(([sourceId, list]) => ({
    batchId: `${idPrefix}:${sourceId}`, sourceId, locality: field(list[0], 'organization.id') ?? '', province: field(list[0], 'canh.province'),
    dataset: field(list[0], 'event.dataset') ?? '', received: list.length, events: list, deadLetters: [], receivedAt,
  }));
}

/**
 * The day-aligned slices holding events in [since, END_OF_TIME), newest first: each slice runs from
 * the start of the day of the newest event below the previous slice up to that slice's start, so
 * empty stretches of time cost one query and the slices depend only on the data.
 */
async function* slices(store: EventStore, since: number): AsyncGenerator<TimeRange> {
  let end = END_OF_TIME;
  while (end > since) {
    const probe = await store.search({ from: since, to: end, filter: MATCH_ALL, size: 1 }, ALL_SCOPE);
    const newest = probe.events[0];
    if (newest === undefined) return;
    const from = Math.max(since, Math.floor(eventKey(newest).at / DAY_MS) * DAY_MS);
    yield { from, to: end };
    end = from;
  }
}

const count = (store: EventStore, range: TimeRange) => store.count({ ...range, filter: MATCH_ALL }, ALL_SCOPE);

/** Copies the events of one slice page by page; returns [written, duplicates]. */
async function copySlice(from: EventStore, to: EventStore, range: TimeRange, options: CheckedOptions, onPage: (n: number) => void): Promise<[number, number]> {
  let written = 0;
  let duplicates = 0;
  let buffer: EcsDocument[] = [];
  let flushes = 0;
  const flush = async () => {
    for (const batch of batchesOf(buffer, `migrate:${range.from}:${flushes}`, Date.now())) {
      const result = await to.write(batch);
      written += result.written;
      duplicates += result.duplicates;
    }
    flushes++;
    buffer = [];
  };
  let cursor: string | undefined;
  do {
    const page = await from.search({ ...range, filter: MATCH_ALL, size: options.pageSize, cursor }, ALL_SCOPE);
    buffer.push(...page.events);
    onPage(page.events.length);
    if (buffer.length >= options.batchSize) await flush();
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  if (buffer.length > 0) await flush();
  return [written, duplicates];
}

/** Polls the target's count until it reaches `expected` or `settleMs` passed (Elasticsearch shows writes after a refresh). */
async function settledCount(store: EventStore, range: TimeRange, expected: number, settleMs: number): Promise<number> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const n = await count(store, range);
    if (n >= expected || Date.now() >= deadline) return n;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Events at or after `since`, by day slices, newest first. A slice whose event count is already the
 * same on both sides is skipped; any other is copied whole (write() skips ids already stored), so an
 * interrupted migration run again completes without duplicates. Verified by counting both sides.
 */
export async function copyEvents(from: EventStore, to: EventStore, options: CheckedOptions, onProgress: ProgressListener): Promise<KindReport> {
  const range = { from: options.since, to: END_OF_TIME };
  const source = await count(from, range);
  let present = 0;
  let copied = 0;
  let done = 0;
  onProgress({ kind: 'events', phase: options.dryRun ? 'checking' : 'copying', done, total: source });
  for await (const slice of slices(from, options.since)) {
    const [n, there] = [await count(from, slice), await count(to, slice)];
    if (n === there) {
      present += n;
      done += n;
    } else if (options.dryRun) {
      copied += Math.max(0, n - there);
      present += Math.min(n, there);
      done += n;
    } else {
      const [written, duplicates] = await copySlice(from, to, slice, options, (k) => {
        done += k;
        onProgress({ kind: 'events', phase: 'copying', done, total: source });
      });
      copied += written;
      present += duplicates;
    }
    onProgress({ kind: 'events', phase: options.dryRun ? 'checking' : 'copying', done, total: source });
  }
  if (options.dryRun) return { kind: 'events', source, present, copied, target: present, verified: false };
  onProgress({ kind: 'events', phase: 'verifying', done: source, total: source });
  const target = await settledCount(to, range, source, options.settleMs);
  // Events have no per-id read: the check is the count of the range on both sides (the target may
  // hold more when something else wrote there too).
  return { kind: 'events', source, present, copied, target, verified: target >= source };
}
