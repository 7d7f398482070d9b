import { AppError } from '../errors';
import type { EventStore } from './event-store';
import { localityScope, type Scope } from './scope';

/**
 * The reads a caller may make of `scope`, by code that asks with ALL_SCOPE (the rule evaluators):
 * every read of the returned store is answered within `scope` by the store itself. A narrower
 * request keeps only its codes the caller may see. Writes are refused: it is for reads on
 * behalf of a caller (the dry run of POST /api/v1/rules/test).
 */
export function scopedEventStore(store: EventStore, scope: Scope): EventStore {
  if (scope.kind === 'all') return store;
  const narrow = (asked: Scope): Scope => (asked.kind === 'all' ? scope : localityScope(asked.codes.filter((c) => scope.codes.includes(c))));
  const readOnly = (): never => {
    throw new AppError('CANH_INTERNAL', 'internal', 'A scoped event store only reads');
  };
  return {
    init: () => Promise.resolve(),
    close: () => Promise.resolve(),
    ping: () => store.ping(),
    write: readOnly,
    search: (q, s) => store.search(q, narrow(s)),
    count: (q, s) => store.count(q, narrow(s)),
    aggregate: (q, s) => store.aggregate(q, narrow(s)),
    aggregateMany: (qs, s) => store.aggregateMany(qs, narrow(s)),
    histogram: (q, s) => store.histogram(q, narrow(s)),
    sourceStats: readOnly,
    listDeadLetters: (q, s) => store.listDeadLetters(q, narrow(s)),
    prune: readOnly,
  };
}
