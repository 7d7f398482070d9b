import type { DirectoryService } from '../directory/directory-service';
import type { Source } from '../directory/types';
import { errors } from '../errors';
import { extractApiKey } from '../http/es-compat/credentials';
import type { Clock } from '../lib/clock';
import { newBatchId } from '../lib/ids';
import type { IngestItem, IngestJob, IngestQueue } from '../queue/jobs';

export type { IngestItem } from '../queue/jobs';

export interface AcceptResult {
  readonly accepted: number;
  readonly batchId: string;
}

/**
 * The API side of ingest: authenticates a source key and durably queues raw batches. Parsing happens
 * in the ingest worker, so the API answers fast and never loses what it accepted.
 */
export class IngestService {
  constructor(
    private readonly directory: DirectoryService,
    private readonly queue: IngestQueue,
    private readonly clock: Clock,
    /** Told of every accepted batch (metrics). */
    private readonly onAccepted: (transport: IngestJob['transport'], count: number) => void = () => undefined,
  ) {}

  /**
   * The source behind an `Authorization` header value: `ApiKey <key>`, `ApiKey base64(id:key)` or
   * `Basic base64(user:key)`. Throws `unauthenticated` (missing or unknown key), `forbidden` (disabled).
   */
  async authenticate(authorization: string | undefined): Promise<Source> {
    const key = extractApiKey(authorization);
    if (!key) throw errors.missingCredentials('Authorization: ApiKey <source key>');
    return this.directory.authenticateKey(key);
  }

  /** Queues a text body (one raw line per line) or an NDJSON body as one batch. */
  async acceptBody(source: Source, body: string, transport: 'text' | 'ndjson'): Promise<AcceptResult> {
    const count = countLines(body);
    if (count === 0) throw errors.emptyBody();
    return this.enqueue(source, { transport, body, count });
  }

  /** Queues JSON documents (one item each, with the shipper's `_id` when given) as one batch. */
  async acceptItems(source: Source, items: readonly IngestItem[], transport: 'bulk' | 'json' | 'ndjson' | 'text'): Promise<AcceptResult> {
    if (items.length === 0) throw errors.emptyBody();
    const t = transport === 'bulk' || transport === 'json' ? transport : 'json';
    return this.enqueue(source, { transport: t, items, count: items.length });
  }

  private async enqueue(source: Source, payload: Pick<IngestJob, 'transport' | 'body' | 'items' | 'count'>): Promise<AcceptResult> {
    const receivedAt = this.clock.now();
    const batchId = newBatchId(receivedAt);
    const snapshot = { id: source.id, locality: source.locality, province: source.province, kind: source.kind, format: source.format };
    await this.queue.enqueue({ batchId, source: snapshot, receivedAt, ...payload });
    this.onAccepted(payload.transport, payload.count);
    return { accepted: payload.count, batchId };
  }
}

/** Lines that are not blank: what a text or NDJSON batch holds. */
export function countLines(body: string): number {
  let count = 0;
  forEachLine(body, () => count++);
  return count;
}

/** Calls `fn` for every non-blank line (without its `\r\n` or `\n`), numbering them from 1. */
export function forEachLine(body: string, fn: (line: string, n: number) => void): void {
  let start = 0;
  let n = 0;
  while (start <= body.length) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    let stop = end;
    if (stop > start && body.charCodeAt(stop - 1) === 13) stop--;
    if (!isBlank(body, start, stop)) fn(body.slice(start, stop), ++n);
    start = end + 1;
  }
}

function isBlank(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
