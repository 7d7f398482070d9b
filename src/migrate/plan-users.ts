import { ALL_SCOPE } from '../store/scope';
import type { ApiTokenRecord, UserRecord } from '../users/types';
import { need, sameRecord, type Conflict, type Planner } from './types';

/** Users with their password hashes (same ids, so tokens, assignees and audit entries still point at them). */
export const planUsers: Planner = async (from, to) => {
  const fresh: UserRecord[] = [];
  const conflicts: Conflict[] = [];
  let present = 0;
  const all = await from.users.listUsers(ALL_SCOPE);
  for (const u of all) {
    const record = await from.users.getUser(u.id);
    if (record === null) continue;
    const there = await to.users.getUser(u.id);
    if (there !== null) {
      if (sameRecord(there, record)) present++;
      else conflicts.push({ kind: 'users', id: u.id, reason: `the target has user ${u.id} with other fields or another password` });
      continue;
    }
    const namesake = await to.users.getUserByUsername(u.username);
    if (namesake !== null) conflicts.push({ kind: 'users', id: u.id, reason: `the target gives the username ${u.username} to user ${namesake.id}` });
    else fresh.push(record);
  }
  return {
    kind: 'users', source: all.length, present, conflicts,
    async copy(progress) {
      for (const [i, u] of fresh.entries()) {
        await to.users.createUser(u);
        progress(i + 1);
      }
      return fresh.length;
    },
  };
};

/** API tokens with their hashes and revocations, so tokens keep working (or stay refused). */
export const planTokens: Planner = async (from, to) => {
  const all = await need(from.users, 'exportTokens', 'UserStore')();
  const there = await need(to.users, 'exportTokens', 'UserStore')();
  const byId = new Map(there.map((t) => [t.id, t]));
  const byHash = new Map(there.map((t) => [t.tokenHash, t.id]));
  const fresh: ApiTokenRecord[] = [];
  const conflicts: Conflict[] = [];
  let present = 0;
  for (const t of all) {
    const same = byId.get(t.id);
    const holder = byHash.get(t.tokenHash);
    if (same !== undefined) {
      if (sameRecord(same, t)) present++;
      else conflicts.push({ kind: 'tokens', id: t.id, reason: 'the target has this token with other fields (user, expiry, revocation or hash)' });
    } else if (holder !== undefined) {
      conflicts.push({ kind: 'tokens', id: t.id, reason: `the target has the same secret as token ${holder}` });
    } else {
      fresh.push(t);
    }
  }
  return {
    kind: 'tokens', source: all.length, present, conflicts,
    async copy(progress) {
      for (const [i, t] of fresh.entries()) {
        await to.users.createToken(t);
        progress(i + 1);
      }
      return fresh.length;
    },
  };
};
