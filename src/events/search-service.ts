import type { DirectoryService } from '../directory/directory-service';
import { errors } from '../errors';
import type { Clock } from '../lib/clock';
import { parseDuration, parseTime } from '../lib/time';
import { parseFilter } from '../query/parse';
import type { DeadLetterPage, EventQuery, EventStore, HistogramBucket, SearchPage, SourceStats } from '../store/event-store';
import type { Scope } from '../store/scope';

export interface EventQueryParams {
  readonly q?: string;
  readonly from?: string;
  readonly to?: string;
  /** Comma-separated datasets. */
  readonly dataset?: string;
  /** Comma-separated locality codes (each with its subtree). */
  readonly locality?: string;
}

/** Default look-back when `from` is not given. */
export const DEFAULT_RANGE_MS = 24 * 3_600_000;
const AUTO_INTERVALS = ['1s', '5s', '10s', '30s', '1m', '5m', '10m', '30m', '1h', '3h', '12h', '1d', '7d', '30d'].map((d) => parseDuration(d, 'interval'));
const MAX_BUCKETS = 2000;

/** Event search, histograms, dead letters and source counters for analysts and admins. */
export class EventSearchService {
  constructor(
    private readonly store: EventStore,
    private readonly directory: DirectoryService,
    private readonly clock: Clock,
  ) {}

  async search(params: EventQueryParams & { size?: number; cursor?: string }, scope: Scope): Promise<SearchPage> {
    return this.store.search({ ...this.query(params), size: params.size ?? 50, ...(params.cursor ? { cursor: params.cursor } : {}) }, scope);
  }

  async histogram(params: EventQueryParams & { interval?: string }, scope: Scope): Promise<{ intervalMs: number; buckets: readonly HistogramBucket[] }> {
    const query = this.query(params);
    const span = query.to - query.from;
    const intervalMs = params.interval && params.interval !== 'auto'
      ? parseDuration(params.interval, 'interval')
      : AUTO_INTERVALS.find((i) => span / i <= 120) ?? AUTO_INTERVALS[AUTO_INTERVALS.length - 1];
    if (span / intervalMs > MAX_BUCKETS) {
      throw errors.invalidRequest(`interval: ${params.interval} gives more than ${MAX_BUCKETS} buckets over this range; choose a wider interval`, { field: 'interval' });
    }
    return { intervalMs, buckets: await this.store.histogram({ ...query, intervalMs }, scope) };
  }

  async deadLetters(params: { source?: string; size?: number; cursor?: string }, scope: Scope): Promise<DeadLetterPage> {
    if (params.source) await this.directory.getSource(params.source, scope);
    return this.store.listDeadLetters({ size: params.size ?? 50, ...(params.source ? { sourceId: params.source } : {}), ...(params.cursor ? { cursor: params.cursor } : {}) }, scope);
  }

  /** Counters of a source in scope (404 otherwise). */
  async sourceStats(id: string, scope: Scope): Promise<SourceStats> {
    await this.directory.getSource(id, scope);
    return this.store.sourceStats(id);
  }

  private query(p: EventQueryParams): EventQuery {
    const now = this.clock.now();
    const to = p.to ? parseTime(p.to, 'to', now) : now;
    const from = p.from ? parseTime(p.from, 'from', now) : to - DEFAULT_RANGE_MS;
    if (from >= to) throw errors.invalidRequest('from must be before to', { field: 'from' });
    const list = (s?: string) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined);
    const datasets = list(p.dataset);
    const localities = list(p.locality);
    return {
      filter: parseFilter(p.q ?? ''),
      from,
      to,
      ...(datasets ? { datasets } : {}),
      ...(localities ? { localities } : {}),
    };
  }
}
