import fc from 'fast-check';
import type { EcsDocument } from '../event-store';
import { rebuildDocument, splitDocument } from './document';
import { EVENT_COLUMNS } from './schema';

/** What the search query selects: timestamps as epoch ms instead of the appender's micros. */
function roundTrip(doc: EcsDocument): EcsDocument {
  const { cells, rest } = splitDocument(doc);
  const selected = cells.map((cell, i) => (EVENT_COLUMNS[i].kind === 'timestamp' && cell !== null ? Number(cell) / 1000 : cell));
  return rebuildDocument(selected, rest);
}

const json = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const anyValue = fc.oneof(json, fc.array(json, { maxLength: 3 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), json, { maxKeys: 3 }));

describe('splitDocument / rebuildDocument', () => {
  it('keeps typed values in columns and the rest as JSON', () => {
    const { cells, rest } = splitDocument({
      '@timestamp': '2026-01-10T08:00:00.000Z',
      event: { id: 'e1', dataset: 'web.access', kind: 'event' },
      http: { response: { status_code: 404 } },
    });
    const byColumn = Object.fromEntries(EVENT_COLUMNS.map((c, i) => [c.column, cells[i]]));
    expect(byColumn).toMatchObject({ ts: 1768032000000000n, id: 'e1', dataset: 'web.access', status_code: 404, bytes: null });
    expect(JSON.parse(rest)).toEqual({ event: { kind: 'event' } });
  });

  it('keeps the original in rest when the column would change it', () => {
    const doc = { '@timestamp': '2026-01-10T08:00:00Z', event: { id: 'e1' }, http: { response: { status_code: '404' } }, user: { id: 7 } };
    const { cells, rest } = splitDocument(doc);
    expect(cells[EVENT_COLUMNS.findIndex((c) => c.column === 'status_code')]).toBe(404);
    expect(JSON.parse(rest)).toEqual({ '@timestamp': '2026-01-10T08:00:00Z', http: { response: { status_code: '404' } }, user: { id: 7 } });
    expect(roundTrip(doc)).toStrictEqual(doc);
  });

  it('gives back any document, whatever the types at typed paths', () => {
    const typedPaths = EVENT_COLUMNS.map((c) => c.field);
    const doc = fc
      .record({
        ts: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
        values: fc.array(fc.tuple(fc.constantFrom(...typedPaths, 'labels.x', 'tags'), anyValue), { maxLength: 8 }),
      })
      .map(({ ts, values }) => {
        const d: Record<string, unknown> = { '@timestamp': ts.toISOString() };
        for (const [path, value] of values) {
          const parts = path.split('.');
          let cur = d;
          for (const p of parts.slice(0, -1)) {
            if (cur[p] === null || typeof cur[p] !== 'object' || Array.isArray(cur[p])) cur[p] = {};
            cur = cur[p] as Record<string, unknown>;
          }
          cur[parts[parts.length - 1]] = value;
        }
        return JSON.parse(JSON.stringify(d)) as EcsDocument;
      });
    fc.assert(fc.property(doc, (d) => expect(roundTrip(d)).toStrictEqual(d)), { numRuns: 500 });
  });
});
