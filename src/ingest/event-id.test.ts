import { eventId } from './event-id';

describe('eventId', () => {
  const base = { sourceId: 's1', batchId: 'b1', line: 7 };
  it('is stable, short and URL-safe', () => {
    expect(eventId(base)).toBe(eventId({ ...base }));
    expect(eventId(base)).toMatch(/^[A-Za-z0-9_-]{27}$/);
  });
  it('differs by line, batch and source', () => {
    const ids = new Set([eventId(base), eventId({ ...base, line: 8 }), eventId({ ...base, batchId: 'b2' }), eventId({ ...base, sourceId: 's2' }),
      eventId({ ...base, batchId: 'b1\u00007' }), eventId({ ...base, docId: 'x' })]);
    expect(ids.size).toBe(6);
  });
  it('with a shipper doc id, depends only on source and doc id', () => {
    expect(eventId({ ...base, docId: 'abc' })).toBe(eventId({ sourceId: 's1', batchId: 'other', line: 1, docId: 'abc' }));
    expect(eventId({ ...base, docId: 'abc' })).not.toBe(eventId({ ...base, sourceId: 's2', docId: 'abc' }));
    expect(eventId({ ...base, docId: '' })).toBe(eventId(base));
  });
});
