import { AppError } from '../../errors';
import { parseBulk } from './bulk-parse';

/** The error a body is rejected with (fails the test when it is accepted). */
function rejection(body: string): AppError {
  try {
    parseBulk(body);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error(`expected the body to be rejected: ${JSON.stringify(body)}`);
}

describe('parseBulk', () => {
  it('reads index and create actions with their document lines, in order', () => {
    const body = [
      '{"index":{"_index":"logs","_id":"a1"}}',
      '{"message":"one"}',
      '{"create":{"_index":"logs-2"}}',
      '{"message":"two"}',
      '{"index":{}}',
      '{"message":"three"}',
      '',
    ].join('\n');
    expect(parseBulk(body).items).toEqual([
      { kind: 'doc', action: 'index', index: 'logs', id: 'a1', source: '{"message":"one"}', line: 1 },
      { kind: 'doc', action: 'create', index: 'logs-2', source: '{"message":"two"}', line: 3 },
      { kind: 'doc', action: 'index', source: '{"message":"three"}', line: 5 },
    ]);
  });

  it('takes the index of the URL path unless the action names one', () => {
    const { items } = parseBulk('{"index":{}}\n{}\n{"index":{"_index":"own"}}\n{}\n', 'from-path');
    expect(items.map((i) => i.index)).toEqual(['from-path', 'own']);
  });

  it('ignores _type and the write options, and keeps numeric ids as text', () => {
    const { items } = parseBulk('{"index":{"_type":"_doc","_id":42,"pipeline":"p","routing":"r","version":null}}\n{"a":1}\n');
    expect(items).toEqual([{ kind: 'doc', action: 'index', id: '42', source: '{"a":1}', line: 1 }]);
  });

  it('answers an index action with op_type create as a create', () => {
    expect(parseBulk('{"index":{"op_type":"create"}}\n{}\n').items[0].action).toBe('create');
  });

  it('accepts CRLF line ends, blank lines between pairs and a missing final newline', () => {
    const body = '\r\n{"index":{"_id":"1"}}\r\n{"m":1}\r\n\r\n\n{"create":{}}\n{"m":2}';
    expect(parseBulk(body).items).toEqual([
      { kind: 'doc', action: 'index', id: '1', source: '{"m":1}', line: 2 },
      { kind: 'doc', action: 'create', source: '{"m":2}', line: 6 },
    ]);
  });

  it('keeps a document line that is not JSON as it is (the worker dead-letters it)', () => {
    const { items } = parseBulk('{"index":{}}\nnot json at all\n{"index":{}}\n\n');
    expect(items).toEqual([
      { kind: 'doc', action: 'index', source: 'not json at all', line: 1 },
      { kind: 'doc', action: 'index', source: '', line: 3 },
    ]);
  });

  it('marks update (consuming its document line) and delete (which has none) as unsupported', () => {
    const body = '{"update":{"_id":"u1","_index":"x"}}\n{"doc":{"a":1}}\n{"delete":{"_id":"d1"}}\n{"index":{}}\n{"a":2}\n';
    expect(parseBulk(body).items).toEqual([
      { kind: 'unsupported', action: 'update', index: 'x', id: 'u1', line: 1 },
      { kind: 'unsupported', action: 'delete', id: 'd1', line: 3 },
      { kind: 'doc', action: 'index', source: '{"a":2}', line: 4 },
    ]);
  });

  it('reads an empty body as no actions', () => {
    expect(parseBulk('').items).toEqual([]);
    expect(parseBulk('\n\r\n  \n').items).toEqual([]);
  });

  it.each([
    ['"index"\n{}\n', 'Malformed action/metadata line [1], expected START_OBJECT but found [VALUE_STRING]'],
    ['[{"index":{}}]\n{}\n', 'Malformed action/metadata line [1], expected START_OBJECT but found [START_ARRAY]'],
    ['42\n', 'Malformed action/metadata line [1], expected START_OBJECT but found [VALUE_NUMBER]'],
    ['{}\n', 'Malformed action/metadata line [1], expected FIELD_NAME but found [END_OBJECT]'],
    ['{"upsert":{}}\n{}\n', 'Malformed action/metadata line [1], expected field [create], [delete], [index] or [update] but found [upsert]'],
    ['{"index":"logs"}\n{}\n', 'Malformed action/metadata line [1], expected START_OBJECT or END_OBJECT but found [VALUE_STRING]'],
    ['{"index":null}\n{}\n', 'Malformed action/metadata line [1], expected START_OBJECT or END_OBJECT but found [VALUE_NULL]'],
    ['{"index":{"_id":["a"]}}\n{}\n', 'Malformed action/metadata line [1], expected a simple value for field [_id] but found [START_ARRAY]'],
    ['{"index":{"_index":{"a":1}}}\n{}\n', 'Malformed action/metadata line [1], expected a simple value for field [_index] but found [START_OBJECT]'],
    ['{"index":{"colour":"red"}}\n{}\n', 'Action/metadata line [1] contains an unknown parameter [colour]'],
    ['{"index":{}}\n{}\n{"create":{}}\n{}\n{"delete"\n', 'Malformed action/metadata line [5], expected START_OBJECT but found invalid JSON'],
  ])('rejects the whole request for %j like Elasticsearch', (body, reason) => {
    const err = rejection(body);
    expect(err.kind).toBe('invalid');
    expect(err.message.startsWith(reason)).toBe(true);
    expect(err.details).toMatchObject({ type: 'illegal_argument_exception' });
  });

  it('numbers lines as Elasticsearch does, counting document and blank lines', () => {
    const err = rejection('{"index":{}}\n{"a":1}\n\n{"bogus":{}}\n');
    expect(err.message).toBe('Malformed action/metadata line [4], expected field [create], [delete], [index] or [update] but found [bogus]');
    expect(err.details).toEqual({ type: 'illegal_argument_exception', line: 4 });
  });

  it('rejects an action whose document line is missing rather than dropping it', () => {
    expect(rejection('{"index":{}}\n{"a":1}\n{"index":{"_id":"x"}}\n').message)
      .toBe('Malformed action/metadata line [3], expected a document line after the [index] action but found the end of the body');
    expect(rejection('{"update":{"_id":"x"}}').message).toContain('after the [update] action');
  });
});
