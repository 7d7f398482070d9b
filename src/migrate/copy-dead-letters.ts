import { MAX_PAGE_SIZE } from '../store/cursor';
import type { DeadLetter, EventBatch, EventStore } from '../store/event-store';
import { ALL_SCOPE } from '../store/scope';
import type { CheckedOptions, KindReport, ProgressListener } from './types';

/** Dead letters received at or after `since`, page by page, newest first. */
async function* pages(store: EventStore, since: number): AsyncGenerator<readonly DeadLetter[]> {
  let cursor: string | undefined;
  do {
    const page = await store.listDeadLetters({ size: MAX_PAGE_SIZE, cursor }, ALL_SCOPE);
    const kept = page.deadLetters.filter((d) => d.receivedAt >= since);
    if (kept.length > 0) yield kept;
    // Newest first: once a page reaches before `since`, every later page does too.
    cursor = kept.length < page.deadLetters.length ? undefined : page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** Ids of the store's dead letters at or after `since`. */
async function idsOf(store: EventStore, since: number): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const page of pages(store, since)) for (const d of page) ids.add(d.id);
  return ids;
}

/**
 * One batch per source, without events. The batch id comes from its first dead letter, so the
 * counters of a batch written again are replaced, and a later run that writes other dead letters
 * adds a batch of its own.
 */
function batchesOf(letters: readonly DeadLetter[]): EventBatch[] {
  const bySource = new Map<string, DeadLetter[]>();
  for (const d of letters) {
    const list = bySource.get(d.sourceId) ?? [];
    list.push(d);
    bySource.set(d.sourceId, list);
  }
  return [...bySource.values()].map((list) => ({
    batchId: `migrate:dead-letters:${list[0].id}`, sourceId: list[0].sourceId, locality: list[0].locality, province: list[0].province,
    dataset: '', received: list.length, events: [], deadLetters: list, receivedAt: list[0].receivedAt,
  }));
}

/** How many source dead letters the target shows, polled until all or `settleMs` passed (Elasticsearch refreshes). */
async function settledFound(from: EventStore, to: EventStore, options: CheckedOptions, expected: number): Promise<number> {
  const deadline = Date.now() + options.settleMs;
  for (;;) {
    const after = await idsOf(to, options.since);
    let found = 0;
    for await (const page of pages(from, options.since)) for (const d of page) if (after.has(d.id)) found++;
    if (found >= expected || Date.now() >= deadline) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Dead letters received at or after `since` (idempotent by id: only the ones the target lacks are
 * written). Verified by finding every source id on the target.
 */
export async function copyDeadLetters(from: EventStore, to: EventStore, options: CheckedOptions, onProgress: ProgressListener): Promise<KindReport> {
  const there = await idsOf(to, options.since);
  let source = 0;
  let present = 0;
  let copied = 0;
  let pending: DeadLetter[] = [];
  const flush = async () => {
    for (const batch of batchesOf(pending)) copied += (await to.write(batch)).deadLettered;
    pending = [];
  };
  for await (const page of pages(from, options.since)) {
    for (const d of page) {
      source++;
      if (there.has(d.id)) present++;
      else pending.push(d);
    }
    if (options.dryRun) {
      copied += pending.length;
      pending = [];
    } else if (pending.length >= options.batchSize) {
      await flush();
    }
    onProgress({ kind: 'dead_letters', phase: options.dryRun ? 'checking' : 'copying', done: source, total: null });
  }
  if (options.dryRun) return { kind: 'dead_letters', source, present, copied, target: present, verified: false };
  if (pending.length > 0) await flush();
  onProgress({ kind: 'dead_letters', phase: 'verifying', done: source, total: source });
  const target = await settledFound(from, to, options, source);
  return { kind: 'dead_letters', source, present, copied, target, verified: target === source };
}
