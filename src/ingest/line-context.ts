import type { SourceFormat, SourceKind } from '../directory/types';

/** What a parser knows about the line it is given. Pure data: no clock, no I/O. */
export interface LineContext {
  readonly source: {
    readonly id: string;
    readonly locality: string;
    readonly province: string | null;
    readonly kind: SourceKind;
    readonly format: SourceFormat;
  };
  readonly batchId: string;
  /** 1-based line/item number within the batch. */
  readonly line: number;
  /** Epoch ms the API accepted the batch (used when a line has no timestamp of its own). */
  readonly receivedAt: number;
  /** Epoch ms of processing, for `event.ingested`. */
  readonly now: number;
  /** Document id given by the shipper (Elasticsearch `_bulk` `_id`), if any. */
  readonly docId?: string;
  /** Secret salt for hashing PII (OTP destinations). */
  readonly piiSalt: string;
}
