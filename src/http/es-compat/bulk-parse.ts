import { errors } from '../../errors';

/**
 * Parser of the Elasticsearch `_bulk` body (NDJSON: an action line, then, except for `delete`, one
 * document line). Glossary:
 * - action line: `{"index":{...}}`, `{"create":{...}}`, `{"update":{...}}` or `{"delete":{...}}`;
 *   its metadata gives `_index` and `_id` (`_type` and the write options are read and ignored).
 * - document line: the line after an index/create/update action, kept as the raw text it was sent.
 *
 * Canh's choices, where Elasticsearch 8 leaves room:
 * - A malformed action line rejects the whole request (400, the reason texts Elasticsearch uses);
 *   nothing of such a request is queued.
 * - A document line that is not valid JSON is accepted as an item: the ingest worker keeps it as a
 *   dead letter with its reason, so the line is never lost and the admin sees why it was not indexed.
 * - `update` and `delete` are not supported: each becomes a per-item 400 error in the response; an
 *   update's document line is consumed, a delete has none.
 * - Blank lines where an action is expected are skipped (as Elasticsearch does); a trailing newline,
 *   CRLF line ends and a missing final newline are all accepted.
 * - An index/create/update action with no line after it rejects the request (Elasticsearch drops it
 *   silently; Canh never drops anything silently).
 * Pure: no I/O, no clock.
 */

export type BulkAction = 'index' | 'create' | 'update' | 'delete';

/** An `index` or `create` action with its document line. */
export interface BulkDocItem {
  readonly kind: 'doc';
  /** The key of the response item: `create` for `create` actions and `index` with `op_type: create`. */
  readonly action: 'index' | 'create';
  /** `_index` of the action, else the index of the URL path, else undefined. */
  readonly index?: string;
  /** `_id` of the action, when given. */
  readonly id?: string;
  /** The document line as sent (without its line end). */
  readonly source: string;
  /** 1-based line number of the action line in the body. */
  readonly line: number;
}

/** An `update` or `delete` action, answered with a per-item error. */
export interface BulkUnsupportedItem {
  readonly kind: 'unsupported';
  readonly action: 'update' | 'delete';
  readonly index?: string;
  readonly id?: string;
  readonly line: number;
}

export type BulkItem = BulkDocItem | BulkUnsupportedItem;

export interface ParsedBulk {
  /** Every action of the body, in order. */
  readonly items: BulkItem[];
}

/** The Elasticsearch error type a request-level bulk error is reported with. */
export const BULK_ERROR_TYPE = 'illegal_argument_exception';

const ACTIONS = new Set<string>(['index', 'create', 'update', 'delete']);

/** Metadata parameters Elasticsearch 8 accepts on an action line (only `_index` and `_id` are used). */
const KNOWN_PARAMS = new Set<string>([
  '_index', '_type', '_id', 'routing', 'op_type', 'version', 'version_type', 'if_seq_no', 'if_primary_term',
  'retry_on_conflict', 'pipeline', '_source', 'require_alias', 'require_data_stream', 'list_executed_pipelines',
  'dynamic_templates',
]);

/** Parameters whose value may be an object. */
const OBJECT_PARAMS = new Set<string>(['_source', 'dynamic_templates']);

/**
 * Parses a `_bulk` body. Throws an `invalid` AppError (`details.type` = the Elasticsearch error type,
 * `details.line`) when an action line is malformed, with Elasticsearch's reason text.
 */
export function parseBulk(body: string, defaultIndex?: string): ParsedBulk {
  const lines = splitLines(body);
  const items: BulkItem[] = [];
  let i = 0;
  while (i < lines.length) {
    const lineNo = i + 1;
    const text = lines[i];
    i++;
    if (text.trim() === '') continue;
    const action = parseActionLine(text, lineNo, defaultIndex);
    if (action.action === 'delete') {
      items.push({ kind: 'unsupported', ...action, action: 'delete' });
      continue;
    }
    if (i >= lines.length) throw malformed(lineNo, `expected a document line after the [${action.action}] action but found the end of the body`);
    const source = stripCr(lines[i]);
    i++;
    if (action.action === 'update') items.push({ kind: 'unsupported', ...action, action: 'update' });
    else items.push({ kind: 'doc', ...action, action: action.action, source });
  }
  return { items };
}

interface ActionMeta {
  action: BulkAction;
  index?: string;
  id?: string;
  line: number;
}

/** Reads one action line the way Elasticsearch 8 does, with its error texts. */
function parseActionLine(text: string, line: number, defaultIndex: string | undefined): ActionMeta {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw malformed(line, `expected START_OBJECT but found invalid JSON: ${(err as Error).message}`);
  }
  if (!isObject(value)) throw malformed(line, `expected START_OBJECT but found [${tokenOf(value)}]`);
  const keys = Object.keys(value);
  // Elasticsearch 8 reads the first key and ignores any other (with a deprecation warning).
  if (keys.length === 0) throw malformed(line, 'expected FIELD_NAME but found [END_OBJECT]');
  const name = keys[0];
  if (!ACTIONS.has(name)) throw malformed(line, `expected field [create], [delete], [index] or [update] but found [${name}]`);
  const meta = value[name];
  if (!isObject(meta)) throw malformed(line, `expected START_OBJECT or END_OBJECT but found [${tokenOf(meta)}]`);
  const params = readParams(meta, line);
  const index = params._index ?? defaultIndex;
  const createViaOpType = name === 'index' && params.op_type === 'create';
  return {
    action: createViaOpType ? 'create' : (name as BulkAction),
    line,
    ...(index !== undefined ? { index } : {}),
    ...(params._id !== undefined ? { id: params._id } : {}),
  };
}

/** The metadata object's simple values as text; rejects what Elasticsearch rejects. */
function readParams(meta: Record<string, unknown>, line: number): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [field, v] of Object.entries(meta)) {
    if (Array.isArray(v)) throw malformed(line, `expected a simple value for field [${field}] but found [START_ARRAY]`);
    if (isObject(v) && !OBJECT_PARAMS.has(field)) throw malformed(line, `expected a simple value for field [${field}] but found [START_OBJECT]`);
    if (!KNOWN_PARAMS.has(field)) {
      throw errors.invalidRequest(`Action/metadata line [${line}] contains an unknown parameter [${field}]`, { type: BULK_ERROR_TYPE, line });
    }
    if (v === null || isObject(v)) continue;
    out[field] = String(v);
  }
  return out;
}

/** Elasticsearch's name for the JSON token a value starts with. */
function tokenOf(value: unknown): string {
  if (value === null) return 'VALUE_NULL';
  if (Array.isArray(value)) return 'START_ARRAY';
  switch (typeof value) {
    case 'string':
      return 'VALUE_STRING';
    case 'number':
      return 'VALUE_NUMBER';
    case 'boolean':
      return 'VALUE_BOOLEAN';
    default:
      return 'START_OBJECT';
  }
}

/** Lines of the body; a final line end does not start another line. */
function splitLines(body: string): string[] {
  const lines = body.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(line: number, detail: string) {
  return errors.invalidRequest(`Malformed action/metadata line [${line}], ${detail}`, { type: BULK_ERROR_TYPE, line });
}
