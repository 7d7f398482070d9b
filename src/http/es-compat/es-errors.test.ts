import { errors } from '../../errors';
import { toEsError } from './es-errors';

describe('toEsError', () => {
  it('answers a rate-limited shipper 429 es_rejected_execution_exception with Retry-After, which shippers back off on', () => {
    const reply = toEsError(errors.rateLimited('CANH_RATE_LIMITED', 'Too many requests from this key', 17.2), '/_bulk', 'req-1', 1024);
    expect(reply.status).toBe(429);
    expect(reply.headers).toEqual({ 'retry-after': '18' });
    expect(reply.body).toMatchObject({ status: 429, error: { type: 'es_rejected_execution_exception', reason: 'Too many requests from this key' } });
  });

  it('keeps the other kinds as Elasticsearch answers them', () => {
    expect(toEsError(errors.notFound('Index', 'x'), '/x', 'req-2', 1024).status).toBe(404);
    const internal = toEsError(new Error('boom'), '/_bulk', 'req-3', 1024);
    expect(internal.status).toBe(500);
    expect(JSON.stringify(internal.body)).not.toContain('boom');
  });
});
