import type { Contact, Locality } from '../directory/types';
import type { SourceRecord } from '../store/directory-store';
import { ALL_SCOPE } from '../store/scope';
import { need, sameRecord, type Conflict, type KindPlan, type Planner } from './types';

const LEVEL_ORDER: Record<Locality['level'], number> = { central: 0, province: 1, commune: 2 };

/** Localities: written together, parents first (central, provinces, communes), by code. */
export const planLocalities: Planner = async (from, to) => {
  const fresh: Locality[] = [];
  const conflicts: Conflict[] = [];
  let present = 0;
  const all = await from.directory.listLocalities(ALL_SCOPE);
  for (const l of all) {
    const there = await to.directory.getLocality(l.code, ALL_SCOPE);
    if (there === null) fresh.push(l);
    else if (sameRecord(there, l)) present++;
    else conflicts.push({ kind: 'localities', id: l.code, reason: 'the target has another locality with this code' });
  }
  fresh.sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || (a.code < b.code ? -1 : 1));
  return {
    kind: 'localities', source: all.length, present, conflicts,
    async copy(progress) {
      if (fresh.length > 0) await to.directory.createLocalities(fresh);
      progress(fresh.length);
      return fresh.length;
    },
  };
};

/** Sources with their key hashes, so shippers keep their keys (and revoked keys stay revoked). */
export const planSources: Planner = async (from, to) => {
  const exportFrom = need(from.directory, 'exportSources', 'DirectoryStore');
  const exportTo = need(to.directory, 'exportSources', 'DirectoryStore');
  const all = await exportFrom();
  const there = await exportTo();
  const byId = new Map(there.map((s) => [s.id, s]));
  const byHash = new Map(there.map((s) => [s.keyHash, s.id]));
  const fresh: SourceRecord[] = [];
  const conflicts: Conflict[] = [];
  let present = 0;
  for (const s of all) {
    const same = byId.get(s.id);
    const holder = byHash.get(s.keyHash);
    if (same !== undefined) {
      if (sameRecord(same, s)) present++;
      else conflicts.push({ kind: 'sources', id: s.id, reason: 'the target has this source with other fields or another key' });
    } else if (holder !== undefined) {
      conflicts.push({ kind: 'sources', id: s.id, reason: `the target gives this source's key to source ${holder}` });
    } else {
      fresh.push(s);
    }
  }
  return {
    kind: 'sources', source: all.length, present, conflicts,
    async copy(progress) {
      for (const [i, s] of fresh.entries()) {
        await to.directory.createSource(s);
        progress(i + 1);
      }
      return fresh.length;
    },
  };
};

/** Contact lists of the localities that have one, each replaced as a whole. */
export const planContacts: Planner = async (from, to) => {
  const fresh: { code: string; contacts: readonly Contact[] }[] = [];
  const conflicts: Conflict[] = [];
  let source = 0;
  let present = 0;
  for (const l of await from.directory.listLocalities(ALL_SCOPE)) {
    const contacts = await from.directory.getContacts(l.code);
    if (contacts.length === 0) continue;
    source++;
    const there = await to.directory.getContacts(l.code);
    if (there.length === 0) fresh.push({ code: l.code, contacts });
    else if (sameRecord(there, contacts)) present++;
    else conflicts.push({ kind: 'contacts', id: l.code, reason: 'the target has another contact list for this locality' });
  }
  return {
    kind: 'contacts', source, present, conflicts,
    async copy(progress) {
      for (const [i, f] of fresh.entries()) {
        await to.directory.setContacts(f.code, f.contacts);
        progress(i + 1);
      }
      return fresh.length;
    },
  };
};
