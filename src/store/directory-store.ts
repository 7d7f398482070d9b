import type { Contact, Locality, Source, SyslogSettings } from '../directory/types';
import type { Scope } from './scope';

/** A source with the hash of its current API key (never the key itself). */
export interface SourceRecord extends Source {
  readonly keyHash: string;
}

/**
 * The key hash a revoked source holds instead of a real one: unique per source (the column is
 * unique), never the SHA-256 hex of any key, so no key can match it.
 */
export const revokedKeyHash = (id: string): string => `revoked:${id}`;
export const isRevokedKeyHash = (keyHash: string): boolean => keyHash.startsWith('revoked:');

/**
 * Localities and sources. Implementations: DuckDbDirectoryStore, MemoryDirectoryStore; both pass
 * test/contract/directory-store.contract.ts. Reads take a Scope and return nothing outside it.
 */
export interface DirectoryStore {
  init(): Promise<void>;
  close(): Promise<void>;
  /** Throws kind `unavailable` when the store cannot answer. */
  ping(): Promise<void>;
  /** Inserts a locality. Throws kind `conflict` (CANH_CONFLICT) when the code exists. */
  createLocality(locality: Locality): Promise<void>;
  /** Inserts localities all together or none of them (CSV import); `conflict` when a code exists. */
  createLocalities(localities: readonly Locality[]): Promise<void>;
  /** The locality, or null when unknown or outside the scope. */
  getLocality(code: string, scope: Scope): Promise<Locality | null>;
  /** Localities in scope, ordered by code. */
  listLocalities(scope: Scope): Promise<readonly Locality[]>;
  /** Inserts a source (with its syslog settings, if any). Throws kind `conflict` when the id, or the syslog token, exists. */
  createSource(source: SourceRecord): Promise<void>;
  /** The source, or null when unknown or outside the scope. */
  getSource(id: string, scope: Scope): Promise<Source | null>;
  /** Sources in scope, ordered by creation then id. */
  listSources(scope: Scope): Promise<readonly Source[]>;
  /** Enables or disables a source in scope; returns the updated source, or null when not found. */
  setSourceEnabled(id: string, enabled: boolean, scope: Scope): Promise<Source | null>;
  /**
   * Replaces the key of a source in scope in one write (the old key fails from the moment this
   * resolves) and clears a revocation; returns the updated source, or null when not found.
   */
  replaceSourceKey(id: string, key: { readonly keyHash: string; readonly keyPrefix: string }, scope: Scope): Promise<Source | null>;
  /**
   * Revokes the key of a source in scope: its key hash is replaced by revokedKeyHash(id), so no key
   * matches it any more, and the source reads `revoked: true`. Idempotent; null when not found.
   */
  revokeSourceKey(id: string, scope: Scope): Promise<Source | null>;
  /** The source whose current key hashes to `keyHash`, or null. */
  findSourceByKeyHash(keyHash: string): Promise<Source | null>;
  /**
   * Sets the syslog settings of a source in scope, or clears them with null; returns the updated
   * source, or null when not found. Throws kind `conflict` when another source has the same token.
   */
  setSourceSyslog(id: string, settings: SyslogSettings | null, scope: Scope): Promise<Source | null>;
  /**
   * Every source with syslog settings, enabled or not, ordered by creation then id: what the syslog
   * receiver matches senders and tokens against. No scope: the receiver reads it.
   */
  listSyslogSources(): Promise<readonly Source[]>;
  /**
   * Replaces the whole contact list of a locality, atomically (readers see the old list or the new
   * one, never a mix); an empty list removes every contact. The caller checks that the locality
   * exists and is in scope.
   */
  setContacts(code: string, contacts: readonly Contact[]): Promise<void>;
  /** The contacts of a locality in the order they were set; an empty list when none. No scope: workers read it. */
  getContacts(code: string): Promise<readonly Contact[]>;
  /**
   * Every source with its current key hash (revoked ones hold revokedKeyHash), ordered by creation
   * then id: what `canh migrate` copies so that shippers keep their keys. Optional in the type so an
   * adapter under construction still compiles; every adapter of this repository implements it and the
   * contract suite requires it.
   */
  exportSources?(): Promise<readonly SourceRecord[]>;
}
