import type { estypes } from '@elastic/elasticsearch';
import type { DeadLetter, EcsDocument, EventBatch } from '../event-store';
import { batchOperations, deadLetterOperations, readBulkResponse } from './bulk';

const AT = Date.UTC(2026, 10, 23, 8, 30);
const event = (id: string, dataset = 'web.access', at = AT): EcsDocument => ({
  '@timestamp': new Date(at).toISOString(), event: { id, dataset, original: `GET /${id} HTTP/1.1` }, organization: { id: '79' },
});
const dead: DeadLetter = { id: 'b1:3', sourceId: 's1', locality: '79', province: null, batchId: 'b1', line: 3, raw: 'garbage', reason: 'unparseable', receivedAt: AT };
const batch = (events: EcsDocument[], deadLetters: DeadLetter[] = [dead]): EventBatch => ({
  batchId: 'b1', sourceId: 's1', locality: '79', province: null, dataset: 'web.access', received: events.length + deadLetters.length,
  events, deadLetters, receivedAt: AT + 1000,
});

type Item = Partial<Record<estypes.BulkOperationType, estypes.BulkResponseItem>>;
const created = (index: string, id: string): Item => ({ create: { _index: index, _id: id, _version: 1, result: 'created', status: 201, _seq_no: 0, _primary_term: 1 } });
const failed = (index: string, id: string, status: number, type: string, reason: string): Item => ({ create: { _index: index, _id: id, status, error: { type, reason } } });

describe('batchOperations', () => {
  it('a create per event into its dataset and day, _id = event.id, then the dead letters', () => {
    const ops = batchOperations(batch([event('e1'), event('e2', 'otp.auth', Date.UTC(2026, 10, 22, 23, 59))]));
    expect(ops).toEqual([
      { create: { _index: 'canh-events-web.access-2026.11.23', _id: 'e1' } }, event('e1'),
      { create: { _index: 'canh-events-otp.auth-2026.11.22', _id: 'e2' } }, event('e2', 'otp.auth', Date.UTC(2026, 10, 22, 23, 59)),
      { create: { _index: 'canh-dead-letters-2026.11.23', _id: 'b1:3' } }, dead,
    ]);
  });

  it("an event whose own dataset cannot name an index goes to the batch's dataset", () => {
    expect(batchOperations(batch([event('e1', 'Weird Set')], []))[0]).toEqual({ create: { _index: 'canh-events-web.access-2026.11.23', _id: 'e1' } });
  });

  it('refuses a malformed batch before anything is sent', () => {
    expect(() => batchOperations(batch([{ event: { id: 'x' } }]))).toThrow(/ISO 8601 @timestamp/);
  });
});

describe('readBulkResponse', () => {
  it('counts created events, 409 duplicates and stored dead letters', () => {
    const b = batch([event('e1'), event('e2')]);
    const response: estypes.BulkResponse = { took: 12, errors: true, items: [
      created('canh-events-web.access-2026.11.23', 'e1'),
      failed('canh-events-web.access-2026.11.23', 'e2', 409, 'version_conflict_engine_exception', '[e2]: version conflict, document already exists (current version [1])'),
      failed('canh-dead-letters-2026.11.23', 'b1:3', 409, 'version_conflict_engine_exception', 'document already exists'),
    ] };
    expect(readBulkResponse(b, response)).toEqual({ written: 1, duplicates: 1, deadLettered: 1, rejected: [], retry: false });
  });

  it('an event refused for good becomes a dead letter with the reason; it can be written with deadLetterOperations', () => {
    const b = batch([event('e1')], []);
    const response: estypes.BulkResponse = { took: 3, errors: true, items: [
      failed('canh-events-web.access-2026.11.23', 'e1', 400, 'document_parsing_exception', "[1:87] failed to parse field [url.original] of type [keyword]"),
    ] };
    const outcome = readBulkResponse(b, response);
    expect(outcome).toEqual({
      written: 0, duplicates: 0, deadLettered: 0, retry: false,
      rejected: [{
        id: 'b1:event:e1', sourceId: 's1', locality: '79', province: null, batchId: 'b1', line: 0, raw: 'GET /e1 HTTP/1.1',
        reason: 'refused by Elasticsearch: document_parsing_exception: [1:87] failed to parse field [url.original] of type [keyword]', receivedAt: AT + 1000,
      }],
    });
    expect(deadLetterOperations(outcome.rejected)[0]).toEqual({ create: { _index: 'canh-dead-letters-2026.11.23', _id: 'b1:event:e1' } });
  });

  it('429 and 5xx ask for the batch to be retried, not dead-lettered', () => {
    const b = batch([event('e1'), event('e2')], []);
    const response: estypes.BulkResponse = { took: 3, errors: true, items: [
      created('canh-events-web.access-2026.11.23', 'e1'),
      failed('canh-events-web.access-2026.11.23', 'e2', 429, 'es_rejected_execution_exception', 'rejected execution of coordinating operation'),
    ] };
    expect(readBulkResponse(b, response)).toMatchObject({ written: 1, rejected: [], retry: true });
  });

  it('a response that does not answer every operation asks for a retry', () => {
    expect(readBulkResponse(batch([event('e1')], []), { took: 1, errors: false, items: [] }).retry).toBe(true);
  });
});
