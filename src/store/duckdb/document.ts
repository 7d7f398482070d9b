import type { EcsDocument } from '../event-store';
import { toNumber } from '../../query/predicate';
import { timestampMs } from '../cursor';
import { setField } from '../fields';
import { EVENT_COLUMNS, type EventColumn } from './schema';

/**
 * Splitting an ECS document into the events table's typed columns plus the JSON `rest`, and
 * rebuilding it. What is written is what is read back (deep-equal): a value goes into its typed
 * column alone only when the column reproduces it exactly; otherwise (a numeric string in a long
 * field, a number in a keyword field, `@timestamp` not in `toISOString()` form...) the column gets
 * the converted value, for filters and aggregations, and the original also stays in `rest`, which
 * wins when rebuilding.
 */

/** A typed column's value as the appender takes it: micros for timestamps, bigint for BIGINT. */
export type Cell = string | number | bigint | null;

export interface SplitDocument {
  /** One cell per EVENT_COLUMNS entry, in order. */
  readonly cells: Cell[];
  /** JSON text of the document minus the fields held exactly by typed columns. */
  readonly rest: string;
}

interface PathTree {
  [key: string]: PathTree | EventColumnAt;
}
interface EventColumnAt {
  readonly leaf: EventColumn;
  readonly index: number;
}

function buildTree(): PathTree {
  const root: PathTree = {};
  EVENT_COLUMNS.forEach((col, index) => {
    const parts = col.field.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as PathTree;
    }
    node[parts[parts.length - 1]] = { leaf: col, index };
  });
  return root;
}

const TREE = buildTree();
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isLeaf(node: PathTree | EventColumnAt): node is EventColumnAt {
  return (node as EventColumnAt).leaf !== undefined && typeof (node as EventColumnAt).index === 'number';
}

/** Whole number for a long column, or null; `exact` when the document held exactly that number. */
function toLong(value: unknown, int32: boolean): { cell: number | null; exact: boolean } {
  // Numeric strings count as numbers, as in the filter language (query/predicate.ts toNumber).
  const number = toNumber(value);
  const n = number === undefined ? undefined : Math.round(number);
  if (n === undefined || !Number.isSafeInteger(n) || (int32 && (n < INT32_MIN || n > INT32_MAX))) return { cell: null, exact: false };
  return { cell: n, exact: n === value };
}

/** The column value of a document value, and whether the column alone reproduces it. */
export function toCell(col: EventColumn, value: unknown): { cell: Cell; exact: boolean } {
  switch (col.kind) {
    case 'timestamp': {
      const ms = typeof value === 'string' ? timestampMs(value) : undefined;
      if (ms === undefined) return { cell: null, exact: false };
      const whole = Math.floor(ms);
      return { cell: BigInt(whole) * 1000n, exact: value === new Date(whole).toISOString() };
    }
    case 'varchar':
      if (typeof value === 'string') return { cell: value, exact: true };
      if (typeof value === 'number' || typeof value === 'boolean') return { cell: String(value), exact: false };
      return { cell: null, exact: false };
    case 'bigint': {
      const { cell, exact } = toLong(value, false);
      return { cell: cell === null ? null : BigInt(cell), exact };
    }
    case 'integer':
      return toLong(value, true);
  }
}

function strip(obj: Record<string, unknown>, tree: PathTree, cells: Cell[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    const node = Object.prototype.hasOwnProperty.call(tree, key) ? tree[key] : undefined;
    if (node === undefined) {
      out[key] = value;
    } else if (isLeaf(node)) {
      const { cell, exact } = toCell(node.leaf, value);
      cells[node.index] = cell;
      if (!exact) out[key] = value;
    } else if (isPlainObject(value)) {
      const sub = strip(value, node, cells);
      // Drop objects emptied by the extraction (rebuilt later); keep ones that were empty already.
      if (Object.keys(sub).length > 0 || Object.keys(value).length === 0) out[key] = sub;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Splits a nested ECS document into typed cells and the JSON remainder. */
export function splitDocument(doc: EcsDocument): SplitDocument {
  const cells: Cell[] = new Array<Cell>(EVENT_COLUMNS.length).fill(null);
  const rest = strip(doc, TREE, cells);
  return { cells, rest: JSON.stringify(rest) };
}

function hasPath(doc: Record<string, unknown>, parts: readonly string[]): boolean {
  let cur: unknown = doc;
  for (const part of parts) {
    if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, part)) return false;
    cur = cur[part];
  }
  return true;
}

const FIELD_PARTS = EVENT_COLUMNS.map((c) => c.field.split('.'));

/** Document value of a typed column as read back (timestamps as epoch ms). */
export function cellToValue(col: EventColumn, cell: unknown): unknown {
  if (cell === null || cell === undefined) return undefined;
  if (col.kind === 'timestamp') return new Date(Number(cell)).toISOString();
  if (col.kind === 'bigint' || col.kind === 'integer') return Number(cell);
  return cell;
}

/**
 * Rebuilds the document from typed cells (timestamps as epoch ms, as selected by the search query)
 * and the JSON remainder; a value kept in `rest` wins over its column.
 */
export function rebuildDocument(cells: readonly unknown[], rest: string | null): EcsDocument {
  const parsed: unknown = rest === null ? {} : JSON.parse(rest);
  const base = isPlainObject(parsed) ? parsed : {};
  // `@timestamp` first: documents read naturally in API answers.
  const doc: Record<string, unknown> = { '@timestamp': undefined, ...base };
  EVENT_COLUMNS.forEach((col, i) => {
    const value = cellToValue(col, cells[i]);
    if (value !== undefined && !hasPath(base, FIELD_PARTS[i])) setField(doc, col.field, value);
  });
  if (doc['@timestamp'] === undefined) delete doc['@timestamp'];
  return doc;
}
