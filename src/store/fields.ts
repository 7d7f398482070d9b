/**
 * The field catalog: ECS fields Canh knows, their type, and (for the embedded store) the typed column
 * that holds them. Fields not listed here are still searchable; they live in the JSON part of the
 * event and are compared as text.
 */
export type FieldType = 'keyword' | 'text' | 'long' | 'double' | 'date' | 'ip' | 'boolean';

export interface FieldDef {
  readonly type: FieldType;
  /** DuckDB column of the events table, when the field is stored as a typed column. */
  readonly column?: string;
}

export const FIELDS: Readonly<Record<string, FieldDef>> = {
  '@timestamp': { type: 'date', column: 'ts' },
  'event.id': { type: 'keyword', column: 'id' },
  'event.dataset': { type: 'keyword', column: 'dataset' },
  'event.kind': { type: 'keyword' },
  'event.category': { type: 'keyword' },
  'event.type': { type: 'keyword' },
  'event.outcome': { type: 'keyword', column: 'outcome' },
  'event.action': { type: 'keyword', column: 'action' },
  'event.reason': { type: 'keyword' },
  'event.provider': { type: 'keyword' },
  'event.duration': { type: 'long', column: 'duration' },
  'event.original': { type: 'text', column: 'original' },
  'event.created': { type: 'date' },
  'event.ingested': { type: 'date' },
  'organization.id': { type: 'keyword', column: 'org_id' },
  'canh.province': { type: 'keyword', column: 'province' },
  'canh.source_id': { type: 'keyword', column: 'source_id' },
  'source.ip': { type: 'ip', column: 'source_ip' },
  'user.name': { type: 'keyword', column: 'user_name' },
  'user.id': { type: 'keyword', column: 'user_id' },
  'http.request.method': { type: 'keyword', column: 'http_method' },
  'http.response.status_code': { type: 'long', column: 'status_code' },
  'http.response.body.bytes': { type: 'long', column: 'bytes' },
  'http.request.referrer': { type: 'keyword' },
  'url.original': { type: 'keyword', column: 'url_original' },
  'url.path': { type: 'keyword', column: 'url_path' },
  'url.query': { type: 'keyword' },
  'url.full': { type: 'keyword' },
  'user_agent.original': { type: 'keyword', column: 'user_agent' },
  'user_agent.name': { type: 'keyword' },
  'user_agent.os.name': { type: 'keyword' },
  'user_agent.device.name': { type: 'keyword' },
  'service.name': { type: 'keyword', column: 'service_name' },
  'monitor.id': { type: 'keyword', column: 'monitor_id' },
  'monitor.name': { type: 'keyword' },
  'monitor.type': { type: 'keyword' },
  'monitor.status': { type: 'keyword', column: 'monitor_status' },
  'monitor.duration.us': { type: 'long' },
  'otp.channel': { type: 'keyword' },
  'otp.attempt': { type: 'long' },
  'otp.delivery_ms': { type: 'long' },
  'otp.destination.hash': { type: 'keyword' },
  'observer.name': { type: 'keyword' },
  'error.message': { type: 'text' },
};

/** Field searched by bare words and phrases (no `field:`). */
export const DEFAULT_TEXT_FIELD = 'event.original';

export function fieldDef(name: string): FieldDef {
  return FIELDS[name] ?? { type: 'keyword' };
}

/** Reads a dotted ECS field from a nested document (also accepts a literal dotted key). */
export function getField(doc: Record<string, unknown>, path: string): unknown {
  if (path in doc) return doc[path];
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Writes a dotted ECS field into a nested document, creating objects on the way. */
export function setField(doc: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[parts[i]] = {};
    cur = cur[parts[i]] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}
