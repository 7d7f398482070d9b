import { parseBulk } from './bulk-parse';
import { buildBulkResponse } from './bulk-response';

function idsFrom(...ids: string[]): () => string {
  let i = 0;
  return () => ids[i++];
}

describe('buildBulkResponse', () => {
  it('answers index actions in Elasticsearch 8 shape, byte for byte', () => {
    const { items } = parseBulk('{"index":{"_index":"logs","_id":"a1"}}\n{"m":1}\n', undefined);
    const response = buildBulkResponse(items, { took: 3, newId: idsFrom(), fallbackIndex: 'canh' });
    expect(JSON.stringify(response)).toBe(
      '{"errors":false,"took":3,"items":[{"index":{"_index":"logs","_id":"a1","_version":1,"result":"created",' +
        '"_shards":{"total":1,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1,"status":201}}]}',
    );
  });

  it('keys each item by its action, generates missing ids and numbers _seq_no', () => {
    const { items } = parseBulk('{"create":{"_index":"ds"}}\n{"m":1}\n{"index":{}}\n{"m":2}\n', 'path-index');
    const response = buildBulkResponse(items, { took: 0, newId: idsFrom('AAAAAAAAAAAAAAAAAAAA', 'BBBBBBBBBBBBBBBBBBBB'), fallbackIndex: 'canh' });
    expect(JSON.stringify(response)).toBe(
      '{"errors":false,"took":0,"items":[' +
        '{"create":{"_index":"ds","_id":"AAAAAAAAAAAAAAAAAAAA","_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1,"status":201}},' +
        '{"index":{"_index":"path-index","_id":"BBBBBBBBBBBBBBBBBBBB","_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"_seq_no":1,"_primary_term":1,"status":201}}' +
        ']}',
    );
  });

  it('reports update and delete as per-item 400 errors with errors:true', () => {
    const { items } = parseBulk('{"update":{"_index":"x","_id":"u1"}}\n{"doc":{}}\n{"delete":{}}\n{"index":{"_id":"k"}}\n{}\n');
    const response = buildBulkResponse(items, { took: 1, newId: idsFrom(), fallbackIndex: 'canh' });
    const reason = (action: string) => `Canh accepts only [index] and [create] bulk actions: log events are immutable, [${action}] is not supported`;
    expect(JSON.stringify(response)).toBe(
      '{"errors":true,"took":1,"items":[' +
        `{"update":{"_index":"x","_id":"u1","status":400,"error":{"type":"illegal_argument_exception","reason":"${reason('update')}"}}},` +
        `{"delete":{"_index":"canh","_id":null,"status":400,"error":{"type":"illegal_argument_exception","reason":"${reason('delete')}"}}},` +
        '{"index":{"_index":"canh","_id":"k","_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1,"status":201}}' +
        ']}',
    );
  });

  it('puts "errors":false right before "took" and "items" as Vector and Fluent Bit scan for it', () => {
    const { items } = parseBulk('{"index":{}}\n{}\n');
    const text = JSON.stringify(buildBulkResponse(items, { took: 7, newId: () => 'x', fallbackIndex: 'canh' }));
    expect(text.startsWith('{"errors":false,"took":7,"items":[')).toBe(true);
    expect(text).not.toContain('"errors":true');
  });
});
