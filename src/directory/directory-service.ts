import { errors } from '../errors';
import type { Clock } from '../lib/clock';
import { hashApiKey, newApiKey, newId } from '../lib/ids';
import type { DirectoryStore } from '../store/directory-store';
import { ALL_SCOPE, type Scope } from '../store/scope';
import { validateLocalityInput, validateSourceInput, type LocalityInput, type SourceInput } from './validate';
import { validateContacts } from './contacts';
import { checkLocalityCsv, problemText } from './locality-csv';
import { buildLocalityTree, childCodes, type LocalityNode } from './locality-tree';
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
   * Creates localities from CSV text (`code,name,level,parent_code`, header optional; docs/localities.md).
   * Every problem of every row is reported at once (`invalid`, details `problems`: `line N: field:
   * message` and `rows`: `{line, code, field, message}`), and then nothing is created.
   */
  async importLocalities(csv: string): Promise<{ created: number }> {
    const existing = new Map((await this.store.listLocalities(ALL_SCOPE)).map((l) => [l.code, l] as const));
    const check = checkLocalityCsv(csv, existing);
    if (!check.ok) {
      const bad = new Set(check.problems.map((p) => p.line)).size;
      throw errors.invalidRequest(`The CSV has ${bad} bad row${bad === 1 ? '' : 's'}; nothing was imported`, {
        problems: check.problems.map(problemText),
        rows: check.problems,
      });
    }
    // Parents come first in the plan, and every placement was checked above against the same tree.
    const createdAt = this.clock.now();
    await this.store.createLocalities(check.localities.map((l) => ({ ...l, createdAt })));
    return { created: check.localities.length };
  }

  /** The localities in scope nested under their parents (src/directory/locality-tree.ts). */
  async localityTree(scope: Scope): Promise<readonly LocalityNode[]> {
    return buildLocalityTree(await this.store.listLocalities(scope));
  }

  /**
   * A locality in scope with the codes of its children in scope. Throws `not_found` when unknown or
   * outside the scope, the same answer for both.
   */
  async getLocality(code: string, scope: Scope): Promise<{ readonly locality: Locality; readonly children: readonly string[] }> {
    const locality = await this.localityInScope(code, scope);
    return { locality, children: childCodes(locality.code, await this.store.listLocalities(scope)) };
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
