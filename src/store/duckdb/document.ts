import type { EcsDocument } from '../event-store';
import { toNumber } from '../../query/predicate';
import { canonicalTimestampMs, timestampMs } from '../cursor';
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

/**
 * The typed fields as a path tree: an inner node per object level, a leaf per typed column. Maps
 * rather than objects keyed by name: strip() looks up every key of every document in them.
 */
interface PathNode {
  readonly children: Map<string, PathNode> | null;
  readonly leaf: EventColumn | null;
  readonly index: number;
}

function buildTree(): PathNode {
  const root: PathNode = { children: new Map(), leaf: null, index: -1 };
  EVENT_COLUMNS.forEach((col, index) => {
    const parts = col.field.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      let next = node.children!.get(part);
      if (next === undefined) {
        next = { children: new Map(), leaf: null, index: -1 };
        node.children!.set(part, next);
      }
      node = next;
    }
    node.children!.set(parts[parts.length - 1], { children: null, leaf: col, index });
  });
  return root;
}

const TREE = buildTree();
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Whole number for a long column, or null (numeric strings count, as in query/predicate.ts toNumber). */
function longCell(value: unknown, int32: boolean): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return int32 && (value < INT32_MIN || value > INT32_MAX) ? null : value;
  const number = toNumber(value);
  const n = number === undefined ? undefined : Math.round(number);
  if (n === undefined || !Number.isSafeInteger(n) || (int32 && (n < INT32_MIN || n > INT32_MAX))) return null;
  return n;
}

/** Micros of a whole ms count as a bigint: one BigInt allocation while the product stays exact. */
function micros(ms: number): bigint {
  const us = ms * 1000;
  return Number.isSafeInteger(us) ? BigInt(us) : BigInt(ms) * 1000n;
}

/**
 * Writes the column value of a document value into `cells[index]`; returns whether the column alone
 * reproduces the value (then it need not stay in `rest`). Writes into the row rather than returning
 * a pair: this runs for every typed field of every stored event.
 */
function putCell(col: EventColumn, value: unknown, cells: Cell[], index: number): boolean {
  switch (col.kind) {
    case 'timestamp': {
      if (typeof value !== 'string') return false;
      // The normalizer's canonical form is exact by construction; anything else is checked.
      const canonical = canonicalTimestampMs(value);
      if (canonical !== undefined) {
        cells[index] = micros(canonical);
        return true;
      }
      const ms = timestampMs(value);
      if (ms === undefined) return false;
      const whole = Math.floor(ms);
      cells[index] = micros(whole);
      return value === new Date(whole).toISOString();
    }
    case 'varchar':
      if (typeof value === 'string') cells[index] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') cells[index] = String(value);
      return typeof value === 'string';
    case 'bigint': {
      const n = longCell(value, false);
      if (n !== null) cells[index] = BigInt(n);
      return n !== null && n === value;
    }
    case 'integer': {
      const n = longCell(value, true);
      cells[index] = n;
      return n !== null && n === value;
    }
  }
}

/** The column value of a document value, and whether the column alone reproduces it. */
export function toCell(col: EventColumn, value: unknown): { cell: Cell; exact: boolean } {
  const cells: Cell[] = [null];
  const exact = putCell(col, value, cells, 0);
  return { cell: cells[0], exact };
}

const hasOwn = Object.prototype.hasOwnProperty;

function strip(obj: Record<string, unknown>, children: Map<string, PathNode>, cells: Cell[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = obj[key];
    const node = children.get(key);
    if (node === undefined) {
      out[key] = value;
    } else if (node.leaf !== null) {
      if (!putCell(node.leaf, value, cells, node.index)) out[key] = value;
    } else if (isPlainObject(value)) {
      const sub = strip(value, node.children!, cells);
      // Drop objects emptied by the extraction (rebuilt later); keep ones that were empty already.
      if (!isEmpty(sub) || isEmpty(value)) out[key] = sub;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** True when `obj` has no own enumerable string keys (as Object.keys(obj).length === 0, allocation-free). */
function isEmpty(obj: Record<string, unknown>): boolean {
  for (const key in obj) if (hasOwn.call(obj, key)) return false;
  return true;
}

/** Splits a nested ECS document into typed cells and the JSON remainder. */
export function splitDocument(doc: EcsDocument): SplitDocument {
  const cells: Cell[] = new Array<Cell>(EVENT_COLUMNS.length).fill(null);
  const rest = strip(doc, TREE.children!, cells);
  return { cells, rest: JSON.stringify(rest) };
}

/**
 * Split documents laid out column by column: `columns[c][r]` is cell c of row r, `rest[r]` its JSON
 * remainder. The shape prepared batches travel in: structured clone copies a few long arrays much
 * faster than one small object and array per row (measured about 3x to serialize, 1.6x to read back).
 */
export interface SplitColumns {
  /** One array per EVENT_COLUMNS entry, in order, each with one cell per row. */
  readonly columns: Cell[][];
  readonly rest: string[];
}

/** Splits documents into columns (see SplitColumns); row r is splitDocument(docs[r]). */
export function splitColumns(docs: readonly EcsDocument[]): SplitColumns {
  // Filled by push, not preallocated: holey arrays are cloned as sparse ones, slower and larger.
  const columns: Cell[][] = EVENT_COLUMNS.map(() => []);
  const rest: string[] = [];
  // One scratch row, reset per document: the cells are copied into the columns right away.
  const cells = new Array<Cell>(EVENT_COLUMNS.length);
  for (const doc of docs) {
    cells.fill(null);
    rest.push(JSON.stringify(strip(doc, TREE.children!, cells)));
    for (let c = 0; c < cells.length; c++) columns[c].push(cells[c]);
  }
  return { columns, rest };
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
