import { applyFilterPath } from './filter-path';

const bulk = {
  errors: true,
  took: 4,
  items: [
    { create: { _index: 'a', _id: '1', _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 }, status: 201 } },
    { delete: { _index: 'a', _id: null, status: 400, error: { type: 'illegal_argument_exception', reason: 'no' } } },
  ],
};

describe('applyFilterPath', () => {
  it('keeps what Filebeat and Logstash ask for, in the original order', () => {
    const out = applyFilterPath(bulk, 'errors,items.*.error,items.*.status');
    expect(JSON.stringify(out)).toBe(
      '{"errors":true,"items":[{"create":{"status":201}},{"delete":{"status":400,"error":{"type":"illegal_argument_exception","reason":"no"}}}]}',
    );
  });

  it('returns the value unchanged without a filter or with an exclusion', () => {
    expect(applyFilterPath(bulk, undefined)).toBe(bulk);
    expect(applyFilterPath(bulk, ' ')).toBe(bulk);
    expect(applyFilterPath(bulk, '-took')).toBe(bulk);
  });

  it('supports globs and ** and answers {} when nothing matches', () => {
    expect(applyFilterPath({ version: { number: '8', build_flavor: 'default' }, tagline: 't' }, 'version.num*')).toEqual({ version: { number: '8' } });
    expect(applyFilterPath(bulk, '**.reason')).toEqual({ items: [{ delete: { error: { reason: 'no' } } }] });
    expect(applyFilterPath(bulk, 'nothing.here')).toEqual({});
  });

  it('drops array elements and objects left empty', () => {
    expect(applyFilterPath(bulk, 'items.*.error.type')).toEqual({ items: [{ delete: { error: { type: 'illegal_argument_exception' } } }] });
  });
});
