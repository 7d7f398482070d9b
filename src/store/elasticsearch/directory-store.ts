import type { Client, estypes } from '@elastic/elasticsearch';
import type { Contact, Locality, Source, SyslogSettings } from '../../directory/types';
import { errors } from '../../errors';
import { isRevokedKeyHash, revokedKeyHash, type DirectoryStore, type SourceRecord } from '../directory-store';
import { inScope, type Scope } from '../scope';
import { unavailable } from './errors';
import {
  StateIndices, allOf, call, docId, fromJson, isConflict, scopeFilter, searchAll, sources, statusOf, toAppError, toJson, type StateStoreOptions,
} from './state-index';

/**
 * DirectoryStore on Elasticsearch: localities (`_id` = code, with their contacts as JSON text) and
 * sources (`_id` = id, with the key hash as a keyword), each in its own index (mappings.ts).
 *
 * - createLocalities: Elasticsearch has no transaction. Every locality is created with op_type
 *   `create`; when any of them fails (an existing code, a refusal), the ones this call created are
 *   deleted again before the error is thrown. Readers may see them for that moment; a crash in it
 *   leaves them created (the import is then re-run and refused for the existing codes).
 * - Source changes are compare-and-sets (`if_seq_no` + `if_primary_term`), retried when another
 *   change came first; a contact list is replaced by one partial update of its locality.
 * - Single reads by id are GETs (real-time) and check the scope on the document with scope.ts
 *   inScope; listings apply it in the query.
 */

/** Localities per bulk request. */
const BULK_CHUNK = 1000;
const CAS_ATTEMPTS = 5;

type LocalityDoc = Locality & { readonly contacts?: string };
/** A source record; its syslog settings as JSON text, their token again as a keyword to find duplicates. */
type SourceDoc = Omit<SourceRecord, 'revoked' | 'syslog'> & {
  readonly revoked: boolean;
  readonly syslog: string | null;
  readonly syslogToken: string | null;
  readonly hasSyslog: boolean;
};

export class ElasticsearchDirectoryStore implements DirectoryStore {
  private readonly indices: StateIndices;

  constructor(private readonly client: Client, options: StateStoreOptions = {}) {
    this.indices = new StateIndices(client, options);
  }

  async init(): Promise<void> {
    await this.indices.ensure(['localities', 'sources']);
  }

  /** The client belongs to the caller, who closes it. */
  async close(): Promise<void> {}

  async ping(): Promise<void> {
    const ok = await call('answering a ping', () => this.client.ping());
    if (!ok) throw unavailable('answering a ping', 'no answer');
  }

  async createLocality(locality: Locality): Promise<void> {
    try {
      await this.client.index({
        index: this.indices.name('localities'), id: docId(locality.code), op_type: 'create', document: localityDoc(locality),
        refresh: this.indices.refresh,
      });
    } catch (err) {
      throw isConflict(err) ? localityExists(locality.code) : toAppError(err, `creating locality ${locality.code}`);
    }
  }

  async createLocalities(list: readonly Locality[]): Promise<void> {
    const seen = new Set<string>();
    for (const l of list) {
      if (seen.has(l.code)) throw localityExists(l.code);
      seen.add(l.code);
    }
    const created: string[] = [];
    try {
      for (let i = 0; i < list.length; i += BULK_CHUNK) await this.createChunk(list.slice(i, i + BULK_CHUNK), created);
    } catch (err) {
      await this.deleteLocalities(created);
      throw err;
    }
  }

  async getLocality(code: string, scope: Scope): Promise<Locality | null> {
    const doc = await this.readLocality(code);
    return doc && inScope(scope, doc.code, doc.provinceCode) ? toLocality(doc) : null;
  }

  async listLocalities(scope: Scope): Promise<readonly Locality[]> {
    const docs = await call('listing localities', () => searchAll<LocalityDoc>(
      this.client, this.indices.name('localities'), allOf([scopeFilter(scope, 'code', 'provinceCode')]), [{ code: 'asc' }],
    ));
    return docs.map(toLocality);
  }

  async createSource(source: SourceRecord): Promise<void> {
    if (await this.findByKeyHash(source.keyHash)) throw errors.conflict('This key is already in use', { id: source.id });
    await this.checkToken(source.id, source.syslog ?? null);
    try {
      await this.client.index({
        index: this.indices.name('sources'), id: docId(source.id), op_type: 'create', document: sourceDoc(source), refresh: this.indices.refresh,
      });
    } catch (err) {
      throw isConflict(err) ? errors.conflict(`Source ${source.id} already exists`, { id: source.id }) : toAppError(err, `creating source ${source.id}`);
    }
  }

  async getSource(id: string, scope: Scope): Promise<Source | null> {
    const current = await this.readSource(id);
    return current && inScope(scope, current.doc.locality, current.doc.province) ? toSource(current.doc) : null;
  }

  async listSources(scope: Scope): Promise<readonly Source[]> {
    const docs = await call('listing sources', () => searchAll<SourceDoc>(
      this.client, this.indices.name('sources'), allOf([scopeFilter(scope, 'locality', 'province')]), [{ createdAt: 'asc' }, { id: 'asc' }],
    ));
    return docs.map(toSource);
  }

  async setSourceEnabled(id: string, enabled: boolean, scope: Scope): Promise<Source | null> {
    return this.change(id, scope, (s) => ({ ...s, enabled }));
  }

  async replaceSourceKey(id: string, key: { readonly keyHash: string; readonly keyPrefix: string }, scope: Scope): Promise<Source | null> {
    return this.change(id, scope, (s) => ({ ...s, keyHash: key.keyHash, keyPrefix: key.keyPrefix, revoked: false }));
  }

  async revokeSourceKey(id: string, scope: Scope): Promise<Source | null> {
    return this.change(id, scope, (s) => ({ ...s, keyHash: revokedKeyHash(s.id), revoked: true }));
  }

  async setSourceSyslog(id: string, settings: SyslogSettings | null, scope: Scope): Promise<Source | null> {
    return this.change(id, scope, (s) => ({ ...s, ...syslogFields(settings) }), () => this.checkToken(id, settings));
  }

  async listSyslogSources(): Promise<readonly Source[]> {
    const docs = await call('listing syslog sources', () => searchAll<SourceDoc>(
      this.client, this.indices.name('sources'), { term: { hasSyslog: true } }, [{ createdAt: 'asc' }, { id: 'asc' }],
    ));
    return docs.map(toSource);
  }

  async exportSources(): Promise<readonly SourceRecord[]> {
    const docs = await call('exporting sources', () => searchAll<SourceDoc>(
      this.client, this.indices.name('sources'), { match_all: {} }, [{ createdAt: 'asc' }, { id: 'asc' }],
    ));
    return docs.map((d) => ({ ...toSource(d), keyHash: d.keyHash }));
  }

  async findSourceByKeyHash(keyHash: string): Promise<Source | null> {
    const doc = await this.findByKeyHash(keyHash);
    return doc ? toSource(doc) : null;
  }

  async setContacts(code: string, contacts: readonly Contact[]): Promise<void> {
    try {
      // One partial update of the locality's document: readers see the old list or the new one.
      await this.client.update<LocalityDoc, Partial<LocalityDoc>>({
        index: this.indices.name('localities'), id: docId(code), doc: { contacts: toJson(contacts) }, retry_on_conflict: CAS_ATTEMPTS,
        refresh: this.indices.refresh,
      });
    } catch (err) {
      // The caller checks that the locality exists; a 404 here means it does not.
      if (statusOf(err) === 404) throw errors.notFound('Locality', code);
      throw toAppError(err, `setting the contacts of locality ${code}`);
    }
  }

  async getContacts(code: string): Promise<readonly Contact[]> {
    const doc = await this.readLocality(code);
    return doc?.contacts ? fromJson<Contact[]>(doc.contacts) : [];
  }

  private async createChunk(chunk: readonly Locality[], created: string[]): Promise<void> {
    const index = this.indices.name('localities');
    const operations: NonNullable<estypes.BulkRequest<LocalityDoc>['operations']> = chunk.flatMap((l) => [
      { create: { _index: index, _id: docId(l.code) } }, localityDoc(l),
    ]);
    const res = await call('importing localities', () => this.client.bulk({ operations, refresh: this.indices.refresh }));
    let conflict: string | null = null;
    let refused: string | null = null;
    res.items.forEach((item, i) => {
      const status = item.create?.status ?? 0;
      if (status === 201 || status === 200) created.push(chunk[i].code);
      else if (status === 409) conflict ??= chunk[i].code;
      else refused ??= `${chunk[i].code}: ${item.create?.error?.type ?? status}`;
    });
    if (conflict !== null) throw localityExists(conflict);
    if (refused !== null) throw unavailable('importing localities', `refused ${refused}`);
  }

  /** Deletes localities created by a createLocalities that failed. */
  private async deleteLocalities(codes: readonly string[]): Promise<void> {
    if (codes.length === 0) return;
    const index = this.indices.name('localities');
    await call('undoing a failed locality import', () => this.client.bulk({
      operations: codes.map((code) => ({ delete: { _index: index, _id: docId(code) } })), refresh: this.indices.refresh,
    }));
  }

  private async readLocality(code: string): Promise<LocalityDoc | null> {
    const res = await call(`reading locality ${code}`, () => this.client.get<LocalityDoc>(
      { index: this.indices.name('localities'), id: docId(code) }, { ignore: [404] },
    ));
    return res.found && res._source ? res._source : null;
  }

  private async readSource(id: string): Promise<{ doc: SourceDoc; seqNo: number; primaryTerm: number } | null> {
    const res = await call(`reading source ${id}`, () => this.client.get<SourceDoc>({ index: this.indices.name('sources'), id: docId(id) }, { ignore: [404] }));
    if (!res.found || !res._source || res._seq_no == null || res._primary_term == null) return null;
    return { doc: res._source, seqNo: res._seq_no, primaryTerm: res._primary_term };
  }

  private async findByKeyHash(keyHash: string): Promise<SourceDoc | null> {
    const res = await call('finding a source by key', () => this.client.search<SourceDoc>({
      index: this.indices.name('sources'), query: { term: { keyHash } }, size: 1, track_total_hits: false,
    }));
    return sources(res)[0] ?? null;
  }

  /** Refuses a syslog token another source has (checked before the write: tokens are chosen by admins, rarely at once). */
  private async checkToken(id: string, settings: SyslogSettings | null): Promise<void> {
    if (!settings?.token) return;
    const res = await call('checking a syslog token', () => this.client.search<SourceDoc>({
      index: this.indices.name('sources'), query: { term: { syslogToken: settings.token } }, size: 2, track_total_hits: false,
    }));
    if (sources(res).some((s) => s.id !== id)) throw errors.conflict('Another source already uses this syslog token', { id });
  }

  /** Compare-and-set of a source in scope; null when unknown or outside the scope. */
  private async change(id: string, scope: Scope, next: (s: SourceDoc) => SourceDoc, check?: () => Promise<void>): Promise<Source | null> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.readSource(id);
      if (!current || !inScope(scope, current.doc.locality, current.doc.province)) return null;
      await check?.();
      const doc = next(current.doc);
      if (doc.keyHash !== current.doc.keyHash) {
        const holder = await this.findByKeyHash(doc.keyHash);
        if (holder && holder.id !== id) throw errors.conflict('This key is already in use', { id });
      }
      try {
        await this.client.index({
          index: this.indices.name('sources'), id: docId(id), document: doc, if_seq_no: current.seqNo, if_primary_term: current.primaryTerm,
          refresh: this.indices.refresh,
        });
        return toSource(doc);
      } catch (err) {
        if (!isConflict(err) || attempt >= CAS_ATTEMPTS) throw isConflict(err) ? errors.conflict(`Source ${id} is being changed by others; retry`, { id }) : toAppError(err, `changing source ${id}`);
      }
    }
  }
}

const localityExists = (code: string) => errors.conflict(`Locality ${code} already exists`, { code });

function localityDoc(l: Locality): LocalityDoc {
  return { code: l.code, name: l.name, level: l.level, parentCode: l.parentCode, provinceCode: l.provinceCode, createdAt: l.createdAt };
}

function toLocality(d: LocalityDoc): Locality {
  return { code: d.code, name: d.name, level: d.level, parentCode: d.parentCode ?? null, provinceCode: d.provinceCode ?? null, createdAt: d.createdAt };
}

function sourceDoc(s: SourceRecord): SourceDoc {
  return {
    id: s.id, name: s.name, locality: s.locality, province: s.province, kind: s.kind, format: s.format, enabled: s.enabled,
    keyPrefix: s.keyPrefix, keyHash: s.keyHash, createdAt: s.createdAt, revoked: isRevokedKeyHash(s.keyHash), ...syslogFields(s.syslog ?? null),
  };
}

function syslogFields(settings: SyslogSettings | null): Pick<SourceDoc, 'syslog' | 'syslogToken' | 'hasSyslog'> {
  return settings
    ? { syslog: toJson({ senders: settings.senders, token: settings.token }), syslogToken: settings.token, hasSyslog: true }
    : { syslog: null, syslogToken: null, hasSyslog: false };
}

function toSource(d: SourceDoc): Source {
  return {
    id: d.id, name: d.name, locality: d.locality, province: d.province ?? null, kind: d.kind, format: d.format, enabled: d.enabled,
    keyPrefix: d.keyPrefix, createdAt: d.createdAt, revoked: isRevokedKeyHash(d.keyHash),
    ...(d.syslog ? { syslog: fromJson<SyslogSettings>(d.syslog) } : {}),
  };
}
