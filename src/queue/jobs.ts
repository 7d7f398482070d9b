import type { SourceFormat, SourceKind } from '../directory/types';
import type { Clear, Hit } from '../rules/rule';

/** Queue names (kebab-case). Every pipeline stage is one BullMQ queue. */
export const QUEUES = {
  ingest: 'ingest',
  /** One job scheduler per enabled rule (`rule:<id>`); each job evaluates the rule's due windows. */
  rules: 'rules',
  /**
   * Hits raised by rules, for the incident service (one job per hit, id derived from the hit), and
   * clears of auto-resolving rules (jobs named 'clear', id derived from the clear).
   */
  incidents: 'incidents',
  /** Notifications and rate-limit digests (src/notify). */
  notify: 'notify',
} as const;

/** Payload of a `rules` job. */
export interface RuleJob {
  readonly ruleId: string;
}

/** Names of the jobs on the `incidents` queue. */
export type IncidentJobName = 'hit' | 'clear';

/** Payload of an `incidents` job: a Hit (name 'hit') or a Clear (name 'clear'). */
export type IncidentJob = Hit | Clear;

/** The source as it was when the batch was accepted: the key decided the locality then. */
export interface SourceSnapshot {
  readonly id: string;
  readonly locality: string;
  readonly province: string | null;
  readonly kind: SourceKind;
  readonly format: SourceFormat;
}

/** One item of a JSON-transported batch: a serialized document and the shipper's `_id`, if any. */
export interface IngestItem {
  readonly raw: string;
  readonly id?: string;
}

/**
 * Payload of an `ingest` job: one accepted batch, raw. The job id is the batch id, so a batch is
 * queued once. `text`/`ndjson` batches carry the body as received (split into lines by the worker,
 * blank lines skipped); `json`/`bulk` batches carry items.
 */
export interface IngestJob {
  readonly batchId: string;
  readonly source: SourceSnapshot;
  /** Epoch ms the API accepted the batch. */
  readonly receivedAt: number;
  readonly transport: 'text' | 'ndjson' | 'json' | 'bulk';
  readonly body?: string;
  readonly items?: readonly IngestItem[];
  /** Lines/items in the batch (blank lines excluded): what the API answered as `accepted`. */
  readonly count: number;
}

/** Where accepted batches go. BullMqIngestQueue in production, an array in unit tests. */
export interface IngestQueue {
  /** Resolves once the batch is durably queued; throws AppError kind `unavailable` otherwise. */
  enqueue(job: IngestJob): Promise<void>;
  /** Batches waiting or in progress. */
  depth(): Promise<number>;
}
