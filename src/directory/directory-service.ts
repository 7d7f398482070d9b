import { errors } from '../errors';
import type { Clock } from '../lib/clock';
import { hashApiKey, newApiKey, newId } from '../lib/ids';
import type { DirectoryStore } from '../store/directory-store';
import { ALL_SCOPE, type Scope } from '../store/scope';
import { validateLocalityInput, validateSourceInput, type LocalityInput, type SourceInput } from './validate';
import { validateContacts } from './contacts';
import type { Contact, Locality, Source } from './types';

/** A created source and its key. The key is shown this once and never stored. */
export interface CreatedSource {
  readonly source: Source;
  readonly apiKey: string;
}

/** Localities and sources: validation, keys, and scope-checked reads. Routes and the CLI call this. */
export class DirectoryService {
  constructor(
    private readonly store: DirectoryStore,
    private readonly clock: Clock,
  ) {}

  /** Creates a locality. Throws `invalid` (every problem at once), `conflict` when the code exists. */
  async createLocality(input: unknown): Promise<Locality> {
    const value = validateLocalityInput(input);
    const locality = await this.placeLocality(value);
    await this.store.createLocality(locality);
    return locality;
  }

  /** Works out the parent and province of a new locality from the tree. */
  private async placeLocality(input: LocalityInput): Promise<Locality> {
    const base = { code: input.code, name: input.name, level: input.level, createdAt: this.clock.now() };
    if (input.level === 'central') {
      if (input.parentCode) throw errors.invalidRequest('A central locality has no parent', { field: 'parent_code' });
      return { ...base, parentCode: null, provinceCode: null };
    }
    const parent = input.parentCode ? await this.store.getLocality(input.parentCode, ALL_SCOPE) : null;
    if (input.parentCode && !parent) {
      throw errors.invalidRequest(`Parent locality ${input.parentCode} does not exist; create it first`, { field: 'parent_code' });
    }
    if (input.level === 'province') {
      if (parent && parent.level !== 'central') {
        throw errors.invalidRequest(`A province's parent must be the central locality, not the ${parent.level} ${parent.code}`, { field: 'parent_code' });
      }
      return { ...base, parentCode: parent?.code ?? null, provinceCode: input.code };
    }
    if (!parent || parent.level !== 'province') {
      throw errors.invalidRequest('A commune needs parent_code: the code of its province', { field: 'parent_code' });
    }
    return { ...base, parentCode: parent.code, provinceCode: parent.code };
  }

  async listLocalities(scope: Scope): Promise<readonly Locality[]> {
    return this.store.listLocalities(scope);
  }

  /**
   * Creates localities from CSV text (`code,name,level,parent_code`, header optional). Every bad
   * row is reported at once and then nothing is created.
   */
  async importLocalities(csv: string): Promise<{ created: number }> {
    const { parseLocalityCsv } = await import('./locality-csv');
    const rows = parseLocalityCsv(csv);
    const existing = new Set((await this.store.listLocalities(ALL_SCOPE)).map((l) => l.code));
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      if (existing.has(row.value.code) || seen.has(row.value.code)) problems.push(`line ${row.line}: duplicate code ${row.value.code}`);
      seen.add(row.value.code);
      if (row.value.parentCode && !existing.has(row.value.parentCode) && !rows.some((r) => r.value.code === row.value.parentCode)) {
        problems.push(`line ${row.line}: unknown parent_code ${row.value.parentCode}`);
      }
    }
    const bad = rows.filter((r) => r.error).map((r) => `line ${r.line}: ${r.error}`);
    if (bad.length || problems.length) throw errors.invalidRequest('The CSV has errors; nothing was imported', { problems: [...bad, ...problems] });
    const order = { central: 0, province: 1, commune: 2 } as const;
    const sorted = [...rows].sort((a, b) => order[a.value.level] - order[b.value.level]);
    for (const row of sorted) await this.store.createLocality(await this.placeLocality(row.value));
    return { created: rows.length };
  }

  /** Creates a source of an existing locality in scope, with a new key. */
  async createSource(input: unknown, scope: Scope): Promise<CreatedSource> {
    const value: SourceInput = validateSourceInput(input);
    const locality = await this.store.getLocality(value.locality, scope);
    if (!locality) throw errors.invalidRequest(`Locality ${value.locality} does not exist`, { field: 'locality' });
    const apiKey = newApiKey();
    const source: Source = {
      id: newId('src'),
      name: value.name,
      locality: locality.code,
      province: locality.provinceCode,
      kind: value.kind,
      format: value.format,
      enabled: true,
      keyPrefix: apiKey.slice(0, 12),
      createdAt: this.clock.now(),
    };
    await this.store.createSource({ ...source, keyHash: hashApiKey(apiKey) });
    return { source, apiKey };
  }

  async listSources(scope: Scope): Promise<readonly Source[]> {
    return this.store.listSources(scope);
  }

  /** The source in scope; throws `not_found` otherwise (never says whether it exists elsewhere). */
  async getSource(id: string, scope: Scope): Promise<Source> {
    const source = await this.store.getSource(id, scope);
    if (!source) throw errors.notFound('Source', id);
    return source;
  }

  /** Enables or disables a source in scope: a disabled source's key is refused with 403. */
  async setSourceEnabled(id: string, enabled: boolean, scope: Scope): Promise<Source> {
    const source = await this.store.setSourceEnabled(id, enabled, scope);
    if (!source) throw errors.notFound('Source', id);
    return source;
  }

  /**
   * Gives a source in scope a new key and returns it (shown this once). The old key hash is replaced
   * in the same write, so the old key is refused (401) from the moment this resolves. Also the way
   * to give a revoked source a key again. `not_found` when unknown or outside the scope.
   */
  async rotateKey(id: string, scope: Scope): Promise<CreatedSource> {
    const apiKey = newApiKey();
    const source = await this.store.replaceSourceKey(id, { keyHash: hashApiKey(apiKey), keyPrefix: apiKey.slice(0, 12) }, scope);
    if (!source) throw errors.notFound('Source', id);
    return { source, apiKey };
  }

  /**
   * Revokes the key of a source in scope: every key of it is refused (401 CANH_AUTH_UNKNOWN_KEY)
   * from the moment this resolves, until rotateKey gives it a new one. Idempotent.
   */
  async revokeKey(id: string, scope: Scope): Promise<Source> {
    const source = await this.store.revokeSourceKey(id, scope);
    if (!source) throw errors.notFound('Source', id);
    return source;
  }

  /** The service's clock (epoch ms), for answers that depend on the time (a source's status). */
  now(): number {
    return this.clock.now();
  }

  /** The source owning this key. Throws `unauthenticated` for an unknown key, `forbidden` when disabled. */
  async authenticateKey(key: string): Promise<Source> {
    const source = await this.store.findSourceByKeyHash(hashApiKey(key));
    if (!source) throw errors.unknownKey();
    if (!source.enabled) throw errors.sourceDisabled(source.id);
    return source;
  }

  /**
   * Replaces the contacts of a locality in scope with the validated `{ contacts: [...] }` and returns
   * them. Throws `not_found` when the locality is unknown or outside the scope, `invalid` naming
   * every problem with its position (src/directory/contacts.ts).
   */
  async setContacts(code: string, input: unknown, scope: Scope): Promise<readonly Contact[]> {
    const locality = await this.localityInScope(code, scope);
    const contacts = validateContacts(input);
    await this.store.setContacts(locality.code, contacts);
    return contacts;
  }

  /** The contacts of a locality in scope (empty list when none); `not_found` as setContacts. */
  async getContacts(code: string, scope: Scope): Promise<readonly Contact[]> {
    const locality = await this.localityInScope(code, scope);
    return this.store.getContacts(locality.code);
  }

  /** The contacts of a locality, with no scope check: for workers (notifications, escalation). */
  async contactsOf(code: string): Promise<readonly Contact[]> {
    return this.store.getContacts(code);
  }

  private async localityInScope(code: string, scope: Scope): Promise<Locality> {
    const locality = await this.store.getLocality(code, scope);
    if (!locality) throw errors.notFound('Locality', code);
    return locality;
  }
}
