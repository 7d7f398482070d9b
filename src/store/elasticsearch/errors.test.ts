import { errors as esErrors, type DiagnosticResult } from '@elastic/elasticsearch';
import { AppError } from '../../errors';
import { versionConflict } from '../incident-store';
import { esCall, fromEsError } from './errors';

function responseError(statusCode: number, body: unknown): esErrors.ResponseError {
  const meta = { body, statusCode, headers: {}, warnings: null, meta: {} } as unknown as DiagnosticResult;
  return new esErrors.ResponseError(meta);
}
const refusal = (status: number, type: string, reason: string) => responseError(status, { error: { type, reason }, status });

describe('fromEsError', () => {
  it('makes connection failures, timeouts, 5xx and 429 kind unavailable, saying what failed', () => {
    const cases = [
      new esErrors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200'),
      new esErrors.TimeoutError('Request timed out'),
      new esErrors.NoLivingConnectionsError('There are no living connections', {} as DiagnosticResult),
      new esErrors.ProductNotSupportedError('Elasticsearch'),
      refusal(429, 'es_rejected_execution_exception', 'rejected execution'),
      refusal(503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered]'),
      refusal(500, 'exception', 'boom'),
    ];
    for (const err of cases) {
      const app = fromEsError(err, { what: 'counting events' });
      expect(app.kind).toBe('unavailable');
      expect(app.code).toBe('CANH_STORE_UNAVAILABLE');
      expect((app.cause as Error).message).toMatch(/^Elasticsearch failed counting events: /);
    }
    expect((fromEsError(cases[4], { what: 'x' }).cause as Error).message).toContain('HTTP 429: es_rejected_execution_exception: rejected execution');
  });

  it('makes a 400 kind invalid with the reason of Elasticsearch (the root cause of a failed search)', () => {
    const app = fromEsError(refusal(400, 'illegal_argument_exception', 'field [x] is not an ip'), { what: 'searching events' });
    expect(app).toMatchObject({ kind: 'invalid', code: 'CANH_REQUEST_INVALID' });
    expect(app.message).toBe('Elasticsearch refused searching events: illegal_argument_exception: field [x] is not an ip');
    const search = responseError(400, {
      error: { type: 'search_phase_execution_exception', reason: 'all shards failed', root_cause: [{ type: 'query_shard_exception', reason: 'failed to create query' }] },
    });
    expect(fromEsError(search, { what: 'searching events' }).message).toContain('query_shard_exception: failed to create query');
  });

  it('makes a 409 the conflict the other adapters throw (the caller\'s own when given)', () => {
    const conflict = refusal(409, 'version_conflict_engine_exception', '[inc-1]: version conflict, required seqNo [3]');
    const plain = fromEsError(conflict, { what: 'updating incident inc-1' });
    expect(plain).toMatchObject({ kind: 'conflict', code: 'CANH_CONFLICT' });
    expect(plain.message).toContain('version_conflict_engine_exception');
    const own = fromEsError(conflict, { what: 'updating incident inc-1', conflict: () => versionConflict('inc-1', 3, 4) });
    expect(own).toEqual(versionConflict('inc-1', 3, 4));
  });

  it('passes AppErrors through and makes anything else internal', () => {
    const app = new AppError('CANH_X', 'not_found', 'gone');
    expect(fromEsError(app, { what: 'x' })).toBe(app);
    expect(fromEsError(new TypeError('bug'), { what: 'x' }).kind).toBe('internal');
  });
});

describe('esCall', () => {
  it('returns the answer, or throws the translated error', async () => {
    await expect(esCall('x', async () => 42)).resolves.toBe(42);
    await expect(esCall('pinging', async () => Promise.reject(new esErrors.ConnectionError('down')))).rejects.toMatchObject({ kind: 'unavailable' });
  });
});
