import { FIELDS, type FieldType } from '../fields';

/**
 * The embedded store's tables. Glossary:
 * - events: one row per stored event; the fields of the catalog that have a `column` are real typed
 *   columns (fast filters and grouped counts), everything else of the document is in `rest` (JSON).
 * - dead_letters: unparseable lines with their reason, idempotent by id.
 * - batches: one row per processed ingest batch (its counters), replaced when a batch is re-written,
 *   so sourceStats sums never double count.
 */

/** How a typed column is stored and converted. */
export type ColumnKind = 'timestamp' | 'varchar' | 'bigint' | 'integer';

export interface EventColumn {
  /** ECS field name (dotted). */
  readonly field: string;
  /** Column name in the events table. */
  readonly column: string;
  readonly kind: ColumnKind;
  readonly fieldType: FieldType;
}

const SQL_TYPE: Readonly<Record<ColumnKind, string>> = {
  timestamp: 'TIMESTAMP',
  varchar: 'VARCHAR',
  bigint: 'BIGINT',
  integer: 'INTEGER',
};

// Status codes fit easily in 32 bits; every other long gets 64.
const INTEGER_COLUMNS = new Set(['status_code']);

function kindOf(column: string, type: FieldType): ColumnKind {
  if (type === 'date') return 'timestamp';
  if (type === 'long') return INTEGER_COLUMNS.has(column) ? 'integer' : 'bigint';
  if (type === 'keyword' || type === 'text' || type === 'ip') return 'varchar';
  throw new Error(`No DuckDB column kind for field type ${type} (column ${column})`);
}

/** Typed columns of the events table, in table order (derived from the field catalog). */
export const EVENT_COLUMNS: readonly EventColumn[] = Object.entries(FIELDS)
  .filter(([, def]) => def.column !== undefined)
  .map(([field, def]) => ({ field, column: def.column as string, kind: kindOf(def.column as string, def.type), fieldType: def.type }));

/** Typed column of a field, when it has one. */
export const COLUMN_BY_FIELD: ReadonlyMap<string, EventColumn> = new Map(EVENT_COLUMNS.map((c) => [c.field, c]));

/** Positions of `ts` and `id` among EVENT_COLUMNS (and so among a split document's cells). */
export const TS_INDEX = EVENT_COLUMNS.findIndex((c) => c.column === 'ts');
export const ID_INDEX = EVENT_COLUMNS.findIndex((c) => c.column === 'id');

/** Column name of the JSON remainder of each event. */
export const REST_COLUMN = 'rest';

/** All events columns in table order: the typed ones, then `rest`. */
export const EVENTS_TABLE_COLUMNS: readonly string[] = [...EVENT_COLUMNS.map((c) => c.column), REST_COLUMN];

function eventsColumnsDdl(): string {
  const typed = EVENT_COLUMNS.map((c) => {
    const notNull = c.column === 'ts' || c.column === 'id' ? ' NOT NULL' : '';
    return `  ${c.column} ${SQL_TYPE[c.kind]}${notNull}`;
  });
  return [...typed, `  ${REST_COLUMN} JSON`].join(',\n');
}

/** DDL of a table with the events columns (used for the store and for the raw append bench). */
export function eventsTableDdl(table: string, ifNotExists = true): string {
  return `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${table} (\n${eventsColumnsDdl()}\n)`;
}

/** Statements that create the store's tables; each is idempotent. */
export const SCHEMA_DDL: readonly string[] = [
  // No PRIMARY KEY on events: idempotency is checked per batch (docs/adr/0003-embedded-event-store.md).
  eventsTableDdl('events'),
  `CREATE TABLE IF NOT EXISTS dead_letters (
  id VARCHAR PRIMARY KEY,
  source_id VARCHAR NOT NULL,
  locality VARCHAR NOT NULL,
  province VARCHAR,
  batch_id VARCHAR NOT NULL,
  line INTEGER NOT NULL,
  raw VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  received_at TIMESTAMP NOT NULL
)`,
  `CREATE TABLE IF NOT EXISTS batches (
  batch_id VARCHAR PRIMARY KEY,
  source_id VARCHAR NOT NULL,
  received BIGINT NOT NULL,
  stored BIGINT NOT NULL,
  dead_lettered BIGINT NOT NULL,
  received_at TIMESTAMP NOT NULL,
  processed_at TIMESTAMP NOT NULL,
  max_event_ts TIMESTAMP
)`,
];
