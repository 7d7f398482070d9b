import type { EventBatch } from '../event-store';
import { prepareBatch as prepareDuckDbBatch, type PreparedBatch } from './write';

/**
 * The embedded store's `preparer` module (see EventStore.preparer): checks a batch and splits its
 * documents into rows, pure CPU, run on the ingest worker's parse threads.
 */
export function prepareBatch(batch: EventBatch): PreparedBatch {
  return prepareDuckDbBatch(batch);
}
