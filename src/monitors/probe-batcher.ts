import type { Clock } from '../lib/clock';
import { newBatchId } from '../lib/ids';
import type { IngestItem, IngestQueue, SourceSnapshot } from '../queue/jobs';

/** One probe result on its way: its locality and the JSON line a Heartbeat would send. */
export interface ProbeItem {
  readonly locality: string;
  readonly province: string | null;
  readonly item: IngestItem;
}

/**
 * Gathers probe results into ingest batches, one per locality every `flushMs` (or at `maxItems`),
 * on the ingest queue like any source's batch: the batch's source is the location's prober (kind
 * `probe`, id `probe:<location>`), so the ingest worker parses them with the probe parser and
 * stores them as `uptime.probe` events. A result is a moment's state: one lost in a crash before
 * its flush is not retried (the next check comes `interval` later).
 */
export class ProbeBatcher {
  private pending = new Map<string, ProbeItem[]>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly queue: IngestQueue,
    private readonly location: string,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
    private readonly opts: { readonly flushMs?: number; readonly maxItems?: number } = {},
  ) {}

  add(item: ProbeItem): void {
    const list = this.pending.get(item.locality) ?? [];
    list.push(item);
    this.pending.set(item.locality, list);
    if (list.length >= (this.opts.maxItems ?? 500)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs ?? 250);
  }

  /** Queues what is pending; resolves once it is queued (or failed, reported to onError). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batches = [...this.pending.values()];
    this.pending = new Map();
    this.flushing = this.flushing.then(() => Promise.all(batches.map((b) => this.send(b).catch(this.onError)))).then(() => undefined);
    return this.flushing;
  }

  private async send(items: readonly ProbeItem[]): Promise<void> {
    const receivedAt = this.clock.now();
    const source: SourceSnapshot = { id: `probe:${this.location}`, locality: items[0].locality, province: items[0].province, kind: 'probe', format: 'json' };
    await this.queue.enqueue({ batchId: newBatchId(receivedAt), source, receivedAt, transport: 'json', items: items.map((i) => i.item), count: items.length });
  }
}
