import { errors } from '../../errors';
import type { Contact, Locality, Source, SyslogSettings } from '../../directory/types';
import { isRevokedKeyHash, revokedKeyHash, type DirectoryStore, type SourceRecord } from '../directory-store';
import { inScope, type Scope } from '../scope';

/** In-memory DirectoryStore for unit tests; kept honest by the directory contract suite. */
export class MemoryDirectoryStore implements DirectoryStore {
  private readonly localities = new Map<string, Locality>();
  private readonly sources = new Map<string, SourceRecord>();
  private readonly contacts = new Map<string, readonly Contact[]>();

  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async ping(): Promise<void> {}

  async createLocality(locality: Locality): Promise<void> {
    if (this.localities.has(locality.code)) throw errors.conflict(`Locality ${locality.code} already exists`, { code: locality.code });
    this.localities.set(locality.code, { ...locality });
  }

  async createLocalities(list: readonly Locality[]): Promise<void> {
    const codes = new Set<string>();
    for (const l of list) {
      if (this.localities.has(l.code) || codes.has(l.code)) throw errors.conflict(`Locality ${l.code} already exists`, { code: l.code });
      codes.add(l.code);
    }
    for (const l of list) this.localities.set(l.code, { ...l });
  }

  async getLocality(code: string, scope: Scope): Promise<Locality | null> {
    const l = this.localities.get(code);
    return l && inScope(scope, l.code, l.provinceCode) ? { ...l } : null;
  }

  async listLocalities(scope: Scope): Promise<readonly Locality[]> {
    return [...this.localities.values()]
      .filter((l) => inScope(scope, l.code, l.provinceCode))
      .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
      .map((l) => ({ ...l }));
  }

  async createSource(source: SourceRecord): Promise<void> {
    if (this.sources.has(source.id)) throw errors.conflict(`Source ${source.id} already exists`, { id: source.id });
    this.checkToken(source.id, source.syslog ?? null);
    this.sources.set(source.id, source.syslog ? { ...source, syslog: copySyslog(source.syslog) } : { ...source });
  }

  async getSource(id: string, scope: Scope): Promise<Source | null> {
    const s = this.sources.get(id);
    return s && inScope(scope, s.locality, s.province) ? strip(s) : null;
  }

  async listSources(scope: Scope): Promise<readonly Source[]> {
    return [...this.sources.values()]
      .filter((s) => inScope(scope, s.locality, s.province))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map(strip);
  }

  async setSourceEnabled(id: string, enabled: boolean, scope: Scope): Promise<Source | null> {
    const s = this.sources.get(id);
    if (!s || !inScope(scope, s.locality, s.province)) return null;
    const updated = { ...s, enabled };
    this.sources.set(id, updated);
    return strip(updated);
  }

  async replaceSourceKey(id: string, key: { readonly keyHash: string; readonly keyPrefix: string }, scope: Scope): Promise<Source | null> {
    return this.update(id, scope, (s) => ({ ...s, keyHash: key.keyHash, keyPrefix: key.keyPrefix }));
  }

  async revokeSourceKey(id: string, scope: Scope): Promise<Source | null> {
    return this.update(id, scope, (s) => ({ ...s, keyHash: revokedKeyHash(s.id) }));
  }

  private update(id: string, scope: Scope, change: (s: SourceRecord) => SourceRecord): Source | null {
    const s = this.sources.get(id);
    if (!s || !inScope(scope, s.locality, s.province)) return null;
    const updated = change(s);
    if (updated.keyHash !== s.keyHash && [...this.sources.values()].some((o) => o.keyHash === updated.keyHash)) {
      throw errors.conflict('This key is already in use', { id });
    }
    this.sources.set(id, updated);
    return strip(updated);
  }

  async setSourceSyslog(id: string, settings: SyslogSettings | null, scope: Scope): Promise<Source | null> {
    const s = this.sources.get(id);
    if (!s || !inScope(scope, s.locality, s.province)) return null;
    this.checkToken(id, settings);
    const { syslog: _old, ...rest } = s;
    const updated: SourceRecord = settings ? { ...rest, syslog: copySyslog(settings) } : rest;
    this.sources.set(id, updated);
    return strip(updated);
  }

  async listSyslogSources(): Promise<readonly Source[]> {
    return [...this.sources.values()]
      .filter((s) => s.syslog !== undefined)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map(strip);
  }

  private checkToken(id: string, settings: SyslogSettings | null): void {
    const token = settings?.token;
    if (!token) return;
    for (const o of this.sources.values()) {
      if (o.id !== id && o.syslog?.token === token) throw errors.conflict('Another source already uses this syslog token', { id });
    }
  }

  async findSourceByKeyHash(keyHash: string): Promise<Source | null> {
    for (const s of this.sources.values()) if (s.keyHash === keyHash) return strip(s);
    return null;
  }

  async setContacts(code: string, contacts: readonly Contact[]): Promise<void> {
    if (contacts.length === 0) this.contacts.delete(code);
    else this.contacts.set(code, contacts.map((c) => ({ ...c })));
  }

  async getContacts(code: string): Promise<readonly Contact[]> {
    return (this.contacts.get(code) ?? []).map((c) => ({ ...c }));
  }

  async exportSources(): Promise<readonly SourceRecord[]> {
    return [...this.sources.values()]
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map((s) => ({ ...strip(s), keyHash: s.keyHash }));
  }
}

function strip(record: SourceRecord): Source {
  const { keyHash, revoked: _stored, syslog, ...source } = record;
  return syslog ? { ...source, revoked: isRevokedKeyHash(keyHash), syslog: copySyslog(syslog) } : { ...source, revoked: isRevokedKeyHash(keyHash) };
}

function copySyslog(s: SyslogSettings): SyslogSettings {
  return { senders: [...s.senders], token: s.token };
}
