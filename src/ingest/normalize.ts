import { isIP } from 'node:net';
import { setField } from '../store/fields';
import type { EcsDocument } from '../store/event-store';
import { eventId } from './event-id';
import type { LineContext } from './line-context';
import type { AccessRecord } from './parsers/access-record';
import { isPlainObject } from './parsers/json-doc';
import { splitUrl } from './parsers/request-line';
import { toIso } from './parsers/timestamp';
import { maskPii } from './redact';
import { parseUserAgent } from './user-agent';

/** Datasets Canh produces, one per source kind. */
export const DATASETS = { access: 'web.access', otp: 'otp.auth', probe: 'uptime.probe' } as const;

export interface Envelope {
  readonly dataset: string;
  readonly kind: 'event' | 'state';
  /** Epoch ms from the input; undefined → the batch's receive time. */
  readonly timestamp: number | undefined;
  /** event.original, already redacted. */
  readonly original: string;
}

/**
 * Writes the fields every event carries, overwriting whatever the input claimed for them:
 * `@timestamp`, `event.{id,dataset,kind,created,ingested,original}`, `organization.id` (always the
 * source's locality), `canh.{source_id,province}`. `doc` may hold fields from an ECS input; the
 * `organization` and `canh` objects are replaced as a whole.
 */
export function applyEnvelope(doc: EcsDocument, env: Envelope, ctx: LineContext): EcsDocument {
  let out = doc;
  // Keep `@timestamp` first for readers; copy only when the document does not start with it.
  if (firstKey(doc) !== '@timestamp') {
    out = { '@timestamp': '' };
    for (const key of Object.keys(doc)) if (key !== '@timestamp') out[key] = doc[key];
  }
  out['@timestamp'] = toIso(env.timestamp ?? ctx.receivedAt);
  const event = child(out, 'event');
  event.id = eventId({ sourceId: ctx.source.id, batchId: ctx.batchId, line: ctx.line, docId: ctx.docId });
  event.dataset = env.dataset;
  event.kind = env.kind;
  event.created = toIso(ctx.receivedAt);
  event.ingested = toIso(ctx.now);
  event.original = env.original;
  out.organization = { id: ctx.source.locality };
  const canh: Record<string, unknown> = { source_id: ctx.source.id };
  if (ctx.source.province !== null) canh.province = ctx.source.province;
  out.canh = canh;
  return out;
}

function firstKey(doc: EcsDocument): string | undefined {
  for (const key in doc) return key;
  return undefined;
}

/** The object under `key`, created (or replacing a non-object) when missing. */
export function child(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = parent[key];
  if (isPlainObject(v) && Object.prototype.hasOwnProperty.call(parent, key)) return v;
  const created: Record<string, unknown> = {};
  parent[key] = created;
  return created;
}

/**
 * Sets the client address: `source.ip` when it is an IP address, else `source.domain` (Apache logs
 * host names when HostnameLookups is on); `source.address` always keeps the value as logged.
 */
export function setClient(doc: EcsDocument, address: string): void {
  if (address.length === 0 || address === '-') return;
  const source = child(doc, 'source');
  source.address = address;
  if (isIP(address) !== 0) source.ip = address;
  else {
    const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
    if (isIP(bare) !== 0) source.ip = bare;
    else source.domain = address;
  }
}

/** success below 400, failure from 400, unknown for codes that are not HTTP statuses (nginx 000). */
export function outcomeForStatus(status: number): 'success' | 'failure' | 'unknown' {
  if (status < 100 || status > 599) return 'unknown';
  return status < 400 ? 'success' : 'failure';
}

/** Maps an access record onto an ECS document (`doc` may already hold ECS input fields). */
export function accessToEcs(rec: AccessRecord, doc: EcsDocument): EcsDocument {
  // Direct nested writes rather than setField: this runs once per access line.
  const event = child(doc, 'event');
  event.category = ['web'];
  event.type = ['access'];
  if (rec.client !== undefined) setClient(doc, rec.client);
  if (rec.user !== undefined && rec.user !== '') child(doc, 'user').name = rec.user;
  const http = child(doc, 'http');
  const request = child(http, 'request');
  if (rec.method !== undefined) request.method = rec.method;
  if (rec.referrer !== undefined) request.referrer = maskPii(rec.referrer);
  if (Object.keys(request).length === 0) delete http.request;
  if (rec.version !== undefined) http.version = rec.version;
  if (rec.status !== undefined || rec.bytes !== undefined) {
    const response = child(http, 'response');
    if (rec.status !== undefined) response.status_code = rec.status;
    if (rec.bytes !== undefined) child(response, 'body').bytes = rec.bytes;
  }
  if (Object.keys(http).length === 0) delete doc.http;
  if (rec.status !== undefined) event.outcome = outcomeForStatus(rec.status);
  if (rec.url !== undefined) setUrl(child(doc, 'url'), rec.url);
  if (rec.userAgent !== undefined) setUserAgent(child(doc, 'user_agent'), rec.userAgent);
  if (rec.durationNs !== undefined) event.duration = rec.durationNs;
  if (rec.forwardedFor !== undefined) setRelatedIps(doc, rec.client, rec.forwardedFor);
  return doc;
}

function setUrl(u: Record<string, unknown>, raw: string): void {
  const url = maskPii(raw);
  u.original = url;
  const parts = splitUrl(url);
  if (parts.scheme !== undefined) u.scheme = parts.scheme;
  if (parts.domain !== undefined) u.domain = parts.domain;
  if (parts.port !== undefined) u.port = parts.port;
  if (parts.path !== undefined) u.path = parts.path;
  if (parts.query !== undefined) u.query = parts.query;
  if (parts.fragment !== undefined) u.fragment = parts.fragment;
}

function setUserAgent(ua: Record<string, unknown>, original: string): void {
  ua.original = original;
  const info = parseUserAgent(original);
  if (info.name !== undefined) ua.name = info.name;
  if (info.version !== undefined) ua.version = info.version;
  if (info.osName !== undefined || info.osVersion !== undefined) {
    const os = child(ua, 'os');
    if (info.osName !== undefined) os.name = info.osName;
    if (info.osVersion !== undefined) os.version = info.osVersion;
  }
  if (info.deviceName !== undefined) child(ua, 'device').name = info.deviceName;
}

function setRelatedIps(doc: EcsDocument, client: string | undefined, xff: string): void {
  const ips = new Set<string>();
  if (client !== undefined && isIP(client) !== 0) ips.add(client);
  for (const part of xff.split(',')) {
    const ip = part.trim();
    if (isIP(ip) !== 0) ips.add(ip);
  }
  if (ips.size > 0) setField(doc, 'related.ip', [...ips]);
}
