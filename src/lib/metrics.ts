import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process, served at /metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly received = new Counter({ name: 'canh_ingest_received_total', help: 'Lines and items received by ingest workers', labelNames: ['dataset'], registers: [this.registry] });
  readonly stored = new Counter({ name: 'canh_ingest_stored_total', help: 'Events newly stored', labelNames: ['dataset'], registers: [this.registry] });
  readonly duplicates = new Counter({ name: 'canh_ingest_duplicates_total', help: 'Events skipped because already stored (retried batches, resent documents)', labelNames: ['dataset'], registers: [this.registry] });
  readonly deadLettered = new Counter({ name: 'canh_ingest_dead_lettered_total', help: 'Lines kept as dead letters', labelNames: ['dataset'], registers: [this.registry] });
  readonly accepted = new Counter({ name: 'canh_ingest_accepted_total', help: 'Lines and items accepted by the API (queued)', labelNames: ['transport'], registers: [this.registry] });
  readonly batchLatency = new Histogram({
    name: 'canh_ingest_batch_latency_seconds',
    help: 'Time from a batch accepted by the API to its events stored',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly queueDepth: Gauge;

  constructor(queueDepth?: () => Promise<number>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'canh_' });
    this.queueDepth = new Gauge({
      name: 'canh_queue_depth',
      help: 'Jobs waiting or in progress',
      labelNames: ['queue'],
      registers: [this.registry],
      async collect() {
        if (queueDepth) this.set({ queue: 'ingest' }, await queueDepth().catch(() => -1));
      },
    });
  }
}
