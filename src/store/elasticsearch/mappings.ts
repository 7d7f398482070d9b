import type { estypes } from '@elastic/elasticsearch';
import { errors } from '../../errors';
import { FIELDS, type FieldType } from '../fields';

/**
 * Index layout of the Elasticsearch store (docs/adr/0007-elasticsearch-mapping-and-dsl.md).
 * Glossary:
 * - event index: `canh-events-<dataset>-<yyyy.MM.dd>`, one per dataset and UTC day of `@timestamp`,
 *   so an event always lands in the same index and `_id = event.id` makes writes idempotent.
 * - dead-letter index: `canh-dead-letters-<yyyy.MM.dd>`, by the day the batch was received.
 * - state indices: one plain index per record kind of the other ports (incidents, timeline...).
 * - `keyword` subfield: ip and numeric fields also index their source text (`<field>.keyword`), so
 *   wildcards, regexes and text ranges see the text the DuckDB store sees.
 */

export const EVENT_INDEX_PREFIX = 'canh-events-';
export const DEAD_LETTER_INDEX_PREFIX = 'canh-dead-letters-';
/** ILM policy of event and dead-letter indices: delete after the retention. */
export const RETENTION_POLICY = 'canh-retention';
/** Longest keyword indexed (Lucene's term limit is 32766 bytes; 4 bytes a character at most). */
export const KEYWORD_IGNORE_ABOVE = 8191;
/** Name of the text subfield of ip and numeric fields. */
export const TEXT_SUBFIELD = 'keyword';

const DATASET_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/** True when `dataset` can be part of an index name (lower case letters, digits, `.`, `_`, `-`). */
export function isIndexableDataset(dataset: string): boolean {
  return DATASET_NAME.test(dataset);
}

function checkDataset(dataset: string): void {
  if (!isIndexableDataset(dataset)) {
    throw errors.invalidRequest('A dataset name must be lower case letters, digits, ".", "_" or "-" to name an index', { dataset });
  }
}

/** `yyyy.MM.dd` of an epoch ms in UTC (the suffix ILM reads the origination date from). */
export function indexDay(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}.${iso.slice(5, 7)}.${iso.slice(8, 10)}`;
}

/** The index an event of `dataset` at `atMs` is written to. Throws kind `invalid` for a bad dataset. */
export function eventIndexName(dataset: string, atMs: number): string {
  checkDataset(dataset);
  return `${EVENT_INDEX_PREFIX}${dataset}-${indexDay(atMs)}`;
}

/** Index patterns to read for these datasets (all event indices when none is given or none can exist). */
export function eventIndexPatterns(datasets: readonly string[] | undefined): string[] {
  const named = (datasets ?? []).filter(isIndexableDataset);
  if (named.length === 0) return [`${EVENT_INDEX_PREFIX}*`];
  return [...new Set(named)].sort().map((d) => `${EVENT_INDEX_PREFIX}${d}-*`);
}

/** The index a dead letter received at `receivedAt` is written to. */
export function deadLetterIndexName(receivedAt: number): string {
  return `${DEAD_LETTER_INDEX_PREFIX}${indexDay(receivedAt)}`;
}

const keyword: estypes.MappingProperty = { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE };
const textSubfield = { [TEXT_SUBFIELD]: keyword };

/** The mapping of one catalog field type. */
export function fieldMapping(type: FieldType): estypes.MappingProperty {
  switch (type) {
    case 'keyword':
      return keyword;
    // `wildcard` indexes the whole value for substring and case-insensitive matching, which is what
    // the filter language means on text fields; `.text` keeps full-text search for people.
    case 'text':
      return { type: 'wildcard', fields: { text: { type: 'text' } } };
    case 'long':
      return { type: 'long', fields: textSubfield };
    case 'double':
      return { type: 'double', fields: textSubfield };
    case 'date':
      return { type: 'date', format: 'strict_date_optional_time||epoch_millis' };
    case 'ip':
      return { type: 'ip', ignore_malformed: true, fields: textSubfield };
    case 'boolean':
      return { type: 'boolean', fields: textSubfield };
  }
}

/** Nested `properties` from dotted field names (`a.b` → a: { properties: { b } }). */
export function nestProperties(fields: Readonly<Record<string, estypes.MappingProperty>>): Record<string, estypes.MappingProperty> {
  const root: Record<string, estypes.MappingProperty> = {};
  for (const [name, mapping] of Object.entries(fields)) {
    const parts = name.split('.');
    let level = root;
    for (const part of parts.slice(0, -1)) {
      const node = (level[part] ??= { type: 'object', properties: {} }) as estypes.MappingObjectProperty;
      node.properties ??= {};
      level = node.properties;
    }
    level[parts[parts.length - 1]] = mapping;
  }
  return root;
}

/**
 * Fields outside the catalog: every string, number or boolean is a keyword (the DuckDB store
 * compares them as text too); no date or number detection, so a value never changes a field's type.
 */
const UNKNOWN_AS_KEYWORD: Record<string, estypes.MappingDynamicTemplate> = {
  canh_unknown_as_keyword: { match_mapping_type: ['string', 'long', 'double', 'boolean'], mapping: keyword },
};

/** Keyword fields that ECS also indexes as full text (`<field>.text`), for people searching in Kibana. */
export const ECS_TEXT_MULTI_FIELDS: ReadonlySet<string> = new Set(['url.original', 'user_agent.original']);

/** The mapping of a catalog field. */
function catalogFieldMapping(name: string, type: FieldType): estypes.MappingProperty {
  if (type === 'keyword' && ECS_TEXT_MULTI_FIELDS.has(name)) return { ...keyword, fields: { text: { type: 'text' } } };
  return fieldMapping(type);
}

/** Mappings of every event index, derived from the field catalog (src/store/fields.ts). */
export function eventMappings(): estypes.MappingTypeMapping {
  const leaves = Object.fromEntries(Object.entries(FIELDS).map(([name, def]) => [name, catalogFieldMapping(name, def.type)]));
  return {
    dynamic: true,
    date_detection: false,
    numeric_detection: false,
    dynamic_templates: [UNKNOWN_AS_KEYWORD],
    properties: nestProperties(leaves),
  };
}

/** Settings options of the event and dead-letter templates. */
export interface TemplateOptions {
  /** Primary shards per daily index. @defaultValue 1 */
  readonly shards?: number;
  /** Replicas per shard. @defaultValue 1 */
  readonly replicas?: number;
}

function lifecycleSettings(options: TemplateOptions): estypes.IndicesIndexSettings {
  return {
    number_of_shards: options.shards ?? 1,
    number_of_replicas: options.replicas ?? 1,
    // The age ILM deletes by is the day in the index name, not when the index was created (backfills).
    lifecycle: { name: RETENTION_POLICY, parse_origination_date: true },
  };
}

/** Index template of one dataset's daily event indices. Throws kind `invalid` for a bad dataset. */
export function eventIndexTemplate(dataset: string, options: TemplateOptions = {}): estypes.IndicesPutIndexTemplateRequest {
  checkDataset(dataset);
  return {
    name: `canh-events-${dataset}`,
    index_patterns: [`${EVENT_INDEX_PREFIX}${dataset}-*`],
    priority: 200,
    template: { settings: lifecycleSettings(options), mappings: eventMappings() },
    _meta: { managed_by: 'canh', dataset },
  };
}

/** Catch-all template for event indices of a dataset without its own template. */
export function fallbackEventIndexTemplate(options: TemplateOptions = {}): estypes.IndicesPutIndexTemplateRequest {
  return {
    name: 'canh-events',
    index_patterns: [`${EVENT_INDEX_PREFIX}*`],
    priority: 100,
    template: { settings: lifecycleSettings(options), mappings: eventMappings() },
    _meta: { managed_by: 'canh' },
  };
}

const epochMs: estypes.MappingProperty = { type: 'date', format: 'epoch_millis' };
const count: estypes.MappingProperty = { type: 'long' };
const flag: estypes.MappingProperty = { type: 'boolean' };
/**
 * A JSON value stored as its text, neither indexed nor parsed: any shape fits (a scalar, a list,
 * keys that are empty or contain dots), which an `object` field would refuse or split.
 */
const opaque: estypes.MappingProperty = { type: 'keyword', index: false, doc_values: false };
const long: estypes.MappingProperty = { type: 'long' };
const longText: estypes.MappingProperty = { type: 'text' };

/** Dead letters: the DeadLetter record of src/store/event-store.ts, `_id` = its id. */
export function deadLetterIndexTemplate(options: TemplateOptions = {}): estypes.IndicesPutIndexTemplateRequest {
  return {
    name: 'canh-dead-letters',
    index_patterns: [`${DEAD_LETTER_INDEX_PREFIX}*`],
    priority: 100,
    template: {
      settings: lifecycleSettings(options),
      mappings: {
        dynamic: 'strict',
        properties: {
          id: keyword, sourceId: keyword, locality: keyword, province: keyword, batchId: keyword,
          line: count, raw: { type: 'wildcard' }, reason: keyword, receivedAt: epochMs,
        },
      },
    },
    _meta: { managed_by: 'canh' },
  };
}

/**
 * The ILM policy of event and dead-letter indices: delete `days` after the day in the index name.
 * Throws kind `invalid` unless days is a whole number from 1 to 36500.
 */
export function retentionPolicy(days: number): estypes.IlmPutLifecycleRequest {
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw errors.invalidRequest('Retention must be a whole number of days from 1 to 36500', { days });
  }
  return {
    name: RETENTION_POLICY,
    policy: {
      phases: { hot: { min_age: '0ms', actions: {} }, delete: { min_age: `${days}d`, actions: { delete: {} } } },
      _meta: { managed_by: 'canh', retention_days: days },
    },
  };
}

/** Non-event indices of the other ports; records are written with `_id` = their id. */
export const STATE_INDICES = {
  incidents: 'canh-incidents',
  timeline: 'canh-incident-timeline',
  processedHits: 'canh-processed-hits',
  localities: 'canh-localities',
  sources: 'canh-sources',
  batches: 'canh-batches',
  checkpoints: 'canh-rule-checkpoints',
  ruleRuns: 'canh-rule-runs',
  ruleState: 'canh-rule-state',
  users: 'canh-users',
  tokens: 'canh-user-tokens',
  audit: 'canh-audit',
  activeFingerprints: 'canh-active-fingerprints',
  monitors: 'canh-monitors',
} as const;

/** A kind of state record (a key of STATE_INDICES). */
export type StateIndex = keyof typeof STATE_INDICES;

/** Field mappings of each state index (records of src/incidents, src/directory, src/store ports). */
const STATE_PROPERTIES: Readonly<Record<StateIndex, Record<string, estypes.MappingProperty>>> = {
  incidents: {
    id: keyword, fingerprint: keyword, ruleId: keyword, ruleVersion: keyword, title: longText, severity: keyword,
    category: keyword, locality: keyword, province: keyword, status: keyword, resolution: keyword, assignee: keyword,
    escalationLevel: long, count, firstSeen: epochMs, lastSeen: epochMs, ackDue: epochMs, evidence: opaque,
    group: opaque, parentId: keyword, resolvedAt: epochMs, version: long, severityRank: long, timelineSeq: long, pending: opaque,
  },
  timeline: { incidentId: keyword, seq: long, at: epochMs, actor: keyword, action: keyword, from: opaque, to: opaque, note: longText },
  processedHits: { hitId: keyword, incidentId: keyword, at: epochMs },
  localities: { code: keyword, name: longText, level: keyword, parentCode: keyword, provinceCode: keyword, createdAt: epochMs, contacts: opaque },
  sources: {
    id: keyword, name: longText, locality: keyword, province: keyword, kind: keyword, format: keyword, enabled: flag,
    keyPrefix: keyword, keyHash: keyword, createdAt: epochMs, revoked: flag, syslog: opaque, syslogToken: keyword, hasSyslog: flag,
  },
  batches: {
    batchId: keyword, sourceId: keyword, received: count, stored: count, deadLettered: count, maxEventAt: epochMs, processedAt: epochMs,
  },
  checkpoints: { ruleId: keyword, ruleVersion: keyword, evaluatedTo: epochMs },
  ruleRuns: {
    ruleId: keyword, ruleVersion: keyword, startedAt: epochMs, durationMs: long, from: epochMs, to: epochMs, hits: count,
    hitsByLocality: opaque, skipped: count, error: longText,
  },
  ruleState: { ruleId: keyword, key: keyword, value: opaque, updatedAt: epochMs },
  users: {
    id: keyword, username: keyword, displayName: longText, role: keyword, locality: keyword, province: keyword,
    passwordHash: { type: 'keyword', index: false }, tokens: opaque, disabled: flag, createdAt: epochMs, updatedAt: epochMs,
  },
  tokens: {
    id: keyword, userId: keyword, name: keyword, tokenHash: keyword, createdAt: epochMs, expiresAt: epochMs, revokedAt: epochMs,
  },
  // actor: username of a user actor; target: every value of the entry's target; entry: the whole entry.
  audit: {
    id: keyword, at: epochMs, actor: keyword, action: keyword, target: keyword, outcome: keyword, locality: keyword, detail: opaque,
    entry: opaque,
  },
  // The one active incident of a fingerprint: `_id` = fingerprint, created with op_type create.
  activeFingerprints: { fingerprint: keyword, incidentId: keyword, claimedAt: epochMs },
  // Monitors defined over the API: the scope's fields indexed, the whole StoredMonitor as JSON text.
  monitors: { id: keyword, locality: keyword, province: keyword, createdAt: epochMs, updatedAt: epochMs, definition: opaque },
};

/** Index templates of the state indices: one shard, `dynamic: false` (unlisted fields stay in _source only). */
export function stateIndexTemplates(options: Pick<TemplateOptions, 'replicas'> = {}): estypes.IndicesPutIndexTemplateRequest[] {
  return (Object.keys(STATE_INDICES) as StateIndex[]).map((kind) => ({
    name: STATE_INDICES[kind],
    index_patterns: [STATE_INDICES[kind]],
    priority: 100,
    template: {
      settings: { number_of_shards: 1, number_of_replicas: options.replicas ?? 1 },
      mappings: { dynamic: false, properties: STATE_PROPERTIES[kind] },
    },
    _meta: { managed_by: 'canh' },
  }));
}

/** Every template Canh installs, for `init()`: events per dataset, the fallback, dead letters, state. */
export function allIndexTemplates(datasets: readonly string[], options: TemplateOptions = {}): estypes.IndicesPutIndexTemplateRequest[] {
  return [
    ...datasets.map((d) => eventIndexTemplate(d, options)),
    fallbackEventIndexTemplate(options),
    deadLetterIndexTemplate(options),
    ...stateIndexTemplates(options),
  ];
}
