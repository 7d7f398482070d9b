import type { estypes } from '@elastic/elasticsearch';
import { FIELDS } from '../fields';
import {
  allIndexTemplates, deadLetterIndexName, eventIndexName, eventIndexPatterns, eventIndexTemplate, eventMappings, nestProperties,
  retentionPolicy, stateIndexTemplates,
} from './mappings';

/** The mapping of a dotted field inside nested properties. */
function mappingOf(properties: Record<string, estypes.MappingProperty> | undefined, field: string): estypes.MappingProperty | undefined {
  const parts = field.split('.');
  let level = properties;
  for (const part of parts.slice(0, -1)) level = (level?.[part] as estypes.MappingObjectProperty | undefined)?.properties;
  return level?.[parts[parts.length - 1]];
}

describe('event mappings', () => {
  const mappings = eventMappings();

  it('maps every catalog field by its type: keyword, wildcard text, numbers and ips with a .keyword text, dates', () => {
    const keyword = { type: 'keyword', ignore_above: 8191 };
    expect(mappingOf(mappings.properties, 'organization.id')).toEqual(keyword);
    expect(mappingOf(mappings.properties, 'user_agent.name')).toEqual(keyword);
    expect(mappingOf(mappings.properties, 'user_agent.original')).toEqual({ ...keyword, fields: { text: { type: 'text' } } });
    expect(mappingOf(mappings.properties, 'url.original')).toEqual({ ...keyword, fields: { text: { type: 'text' } } });
    expect(mappingOf(mappings.properties, 'event.original')).toEqual({ type: 'wildcard', fields: { text: { type: 'text' } } });
    expect(mappingOf(mappings.properties, 'error.message')).toEqual({ type: 'wildcard', fields: { text: { type: 'text' } } });
    expect(mappingOf(mappings.properties, 'http.response.status_code')).toEqual({ type: 'long', fields: { keyword } });
    expect(mappingOf(mappings.properties, 'source.ip')).toEqual({ type: 'ip', ignore_malformed: true, fields: { keyword } });
    expect(mappingOf(mappings.properties, '@timestamp')).toEqual({ type: 'date', format: 'strict_date_optional_time||epoch_millis' });
    expect(mappingOf(mappings.properties, 'monitor.duration.us')).toEqual({ type: 'long', fields: { keyword } });
    for (const field of Object.keys(FIELDS)) expect(mappingOf(mappings.properties, field)).toBeDefined();
  });

  it('fields outside the catalog become keywords, never detected dates or numbers (DuckDB compares them as text)', () => {
    expect(mappings).toMatchObject({
      dynamic: true, date_detection: false, numeric_detection: false,
      dynamic_templates: [{ canh_unknown_as_keyword: { match_mapping_type: ['string', 'long', 'double', 'boolean'], mapping: { type: 'keyword', ignore_above: 8191 } } }],
    });
  });

  it('nests dotted names into object properties', () => {
    expect(nestProperties({ 'a.b.c': { type: 'long' }, 'a.d': { type: 'keyword' }, e: { type: 'ip' } })).toEqual({
      a: { type: 'object', properties: { b: { type: 'object', properties: { c: { type: 'long' } } }, d: { type: 'keyword' } } },
      e: { type: 'ip' },
    });
  });
});

describe('index names', () => {
  it('one index per dataset and UTC day of the event, so a rewrite lands on the same index', () => {
    expect(eventIndexName('web.access', Date.UTC(2026, 10, 23, 23, 59, 59, 999))).toBe('canh-events-web.access-2026.11.23');
    expect(eventIndexName('otp.auth', Date.UTC(2026, 10, 24))).toBe('canh-events-otp.auth-2026.11.24');
    expect(deadLetterIndexName(Date.UTC(2026, 0, 2, 3))).toBe('canh-dead-letters-2026.01.02');
  });

  it('refuses a dataset that cannot name an index', () => {
    expect(() => eventIndexName('Web Access', 0)).toThrow(/dataset name must be lower case/);
    expect(() => eventIndexName('../x', 0)).toThrow(/dataset name/);
  });

  it('reads the patterns of the asked datasets, or every event index', () => {
    expect(eventIndexPatterns(['web.access', 'otp.auth', 'web.access'])).toEqual(['canh-events-otp.auth-*', 'canh-events-web.access-*']);
    expect(eventIndexPatterns(undefined)).toEqual(['canh-events-*']);
    expect(eventIndexPatterns([])).toEqual(['canh-events-*']);
  });
});

describe('templates and retention', () => {
  it('a template per dataset with the retention policy read from the day in the index name', () => {
    const t = eventIndexTemplate('web.access', { shards: 2, replicas: 0 });
    expect(t).toMatchObject({
      name: 'canh-events-web.access', index_patterns: ['canh-events-web.access-*'], priority: 200,
      template: { settings: { number_of_shards: 2, number_of_replicas: 0, lifecycle: { name: 'canh-retention', parse_origination_date: true } } },
    });
    expect(t.template?.mappings).toEqual(eventMappings());
  });

  it('the ILM policy deletes after the configured days', () => {
    expect(retentionPolicy(90)).toEqual({
      name: 'canh-retention',
      policy: {
        phases: { hot: { min_age: '0ms', actions: {} }, delete: { min_age: '90d', actions: { delete: {} } } },
        _meta: { managed_by: 'canh', retention_days: 90 },
      },
    });
    expect(() => retentionPolicy(0)).toThrow(/whole number of days/);
    expect(() => retentionPolicy(1.5)).toThrow(/whole number of days/);
  });

  it('every template: datasets, the fallback, dead letters and the state indices, names unique', () => {
    const names = allIndexTemplates(['web.access', 'otp.auth', 'uptime.probe']).map((t) => t.name);
    expect(names).toEqual([
      'canh-events-web.access', 'canh-events-otp.auth', 'canh-events-uptime.probe', 'canh-events', 'canh-dead-letters',
      'canh-incidents', 'canh-incident-timeline', 'canh-processed-hits', 'canh-localities', 'canh-sources', 'canh-batches',
      'canh-rule-checkpoints', 'canh-rule-runs', 'canh-rule-state', 'canh-users', 'canh-user-tokens', 'canh-audit',
      'canh-active-fingerprints', 'canh-monitors',
    ]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('state indices map ids and codes as keyword and epoch-ms times as dates', () => {
    const incidents = stateIndexTemplates().find((t) => t.name === 'canh-incidents');
    expect(incidents?.template?.mappings?.dynamic).toBe(false);
    expect(incidents?.template?.mappings?.properties).toMatchObject({
      id: { type: 'keyword' }, locality: { type: 'keyword' }, status: { type: 'keyword' }, firstSeen: { type: 'date', format: 'epoch_millis' },
      version: { type: 'long' }, group: { type: 'keyword', index: false, doc_values: false },
    });
  });

  it('stores opaque JSON values as unindexed text, and maps what the state stores query', () => {
    const props = (name: string) => stateIndexTemplates().find((t) => t.name === name)?.template?.mappings?.properties;
    expect(props('canh-incident-timeline')).toMatchObject({ from: { type: 'keyword', index: false }, to: { type: 'keyword', index: false } });
    expect(props('canh-users')).toMatchObject({ username: { type: 'keyword' }, province: { type: 'keyword' } });
    expect(props('canh-user-tokens')).toMatchObject({ tokenHash: { type: 'keyword' }, userId: { type: 'keyword' } });
    expect(props('canh-active-fingerprints')).toMatchObject({ fingerprint: { type: 'keyword' }, incidentId: { type: 'keyword' } });
    expect(props('canh-audit')).toMatchObject({ id: { type: 'keyword' }, outcome: { type: 'keyword' }, target: { type: 'keyword' } });
    expect(props('canh-monitors')).toMatchObject({
      id: { type: 'keyword' }, locality: { type: 'keyword' }, province: { type: 'keyword' }, definition: { type: 'keyword', index: false },
    });
  });
});
