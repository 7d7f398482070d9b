import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../lib/metrics';

/** Name of a dependency → null when it answers, else what went wrong. */
export type ReadinessCheck = () => Promise<Record<string, string | null>>;

export interface HealthRoutesOptions {
  readonly readiness: ReadinessCheck;
  readonly metrics: Metrics;
}

/** /healthz (the process answers), /readyz (Redis and store answer), /metrics (Prometheus). */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { readiness, metrics }) => {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks = await readiness();
    const ready = Object.values(checks).every((v) => v === null);
    return reply.status(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      checks: Object.fromEntries(Object.entries(checks).map(([k, v]) => [k, v === null ? 'ok' : v])),
    });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
