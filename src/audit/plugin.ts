import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { AuditService } from './audit-service';

export interface AuditPluginOptions {
  readonly audit: AuditService;
}

const recordResponses: FastifyPluginAsync<AuditPluginOptions> = async (app, { audit }) => {
  app.addHook('onResponse', async (request, reply) => {
    try {
      audit.recordRequest({
        method: request.method, url: request.url, route: request.routeOptions.url, params: request.params, body: request.body,
        status: reply.statusCode, ip: request.ip, requestId: String(request.id), principal: request.principal ?? null,
      });
    } catch (err) {
      // Describing a request is pure and should not throw; if it does, say so without the request's content.
      request.log.error({ err: { message: (err as Error)?.message }, reqId: request.id }, 'audit: could not record the request');
    }
  });
};

/**
 * Records every audited request (describe.ts: changes under /api/v1, refused and failed ones too)
 * once its answer is sent. Wrapped with fastify-plugin so the hook sees every route and the
 * not-found handler; register it before the routes. Recording only buffers: it never delays or
 * fails the request.
 */
export const auditPlugin = fp(recordResponses, { name: 'canh-audit', fastify: '5.x' });
