import type { AuditEntry } from '../audit/types';
import { fingerprint, type Incident } from '../incidents/incident';
import { MemoryAuditStore } from '../store/memory/audit-store';
import { MemoryDirectoryStore } from '../store/memory/directory-store';
import { MemoryEventStore } from '../store/memory/event-store';
import { MemoryIncidentStore } from '../store/memory/incident-store';
import { MemoryRuleStateStore } from '../store/memory/rule-state-store';
import { MemoryUserStore } from '../store/memory/user-store';
import type { DeadLetter, EcsDocument } from '../store/event-store';
import { ALL_SCOPE } from '../store/scope';
import { migrate } from './migrate';
import type { KindReport, MigrationReport, MigrationStores } from './types';

const T = Date.UTC(2026, 10, 20, 8, 0, 0);
const DAY = 86_400_000;

const memoryStores = (): MigrationStores => ({
  events: new MemoryEventStore(), directory: new MemoryDirectoryStore(), incidents: new MemoryIncidentStore(),
  users: new MemoryUserStore(), ruleState: new MemoryRuleStateStore(), audit: new MemoryAuditStore(),
});

const event = (id: string, at: number): EcsDocument => ({
  '@timestamp': new Date(at).toISOString(), event: { id, dataset: 'web.access' }, organization: { id: '00004' },
  canh: { source_id: 'src_a', province: '01' }, url: { path: `/p/${id}` },
});
const deadLetter = (line: number): DeadLetter => ({
  id: `b1:${line}`, sourceId: 'src_a', locality: '00004', province: '01', batchId: 'b1', line, raw: `bad ${line}`, reason: 'unparsable', receivedAt: T + line,
});
const audit = (id: string, at: number): AuditEntry => ({
  id, at, actor: { kind: 'admin_token' }, action: 'locality.create', method: 'POST', route: '/api/v1/localities', target: {},
  status: 201, outcome: 'success', ip: '127.0.0.1', requestId: `req-${id}`, details: { code: '00004' },
});
const incident: Incident = {
  id: 'inc_a', fingerprint: fingerprint('r1', '00004', { 'source.ip': '203.0.113.7' }), ruleId: 'r1', ruleVersion: 'v1', title: 'Brute force',
  severity: 'high', category: 'intrusion-attempts', locality: '00004', province: '01', status: 'open', resolution: null, assignee: null,
  escalationLevel: 0, count: 1, firstSeen: T, lastSeen: T, ackDue: null, evidence: { query: 'source.ip:"203.0.113.7"', sampleEventIds: ['e1'] },
  group: { 'source.ip': '203.0.113.7' }, parentId: null, resolvedAt: null, version: 1,
};

/** A source with some of every kind: 3 days of events, dead letters, an incident changed twice. */
async function seed(s: MigrationStores): Promise<void> {
  await s.directory.createLocality({ code: 'VN', name: 'Trung ương', level: 'central', parentCode: null, provinceCode: null, createdAt: T });
  await s.directory.createLocality({ code: '00004', name: 'Phường Ba Đình', level: 'commune', parentCode: '01', provinceCode: '01', createdAt: T });
  await s.directory.createLocality({ code: '01', name: 'Hà Nội', level: 'province', parentCode: 'VN', provinceCode: '01', createdAt: T });
  await s.directory.createSource({ id: 'src_a', name: 'portal', locality: '00004', province: '01', kind: 'access', format: 'nginx_combined', enabled: true, keyPrefix: 'canh_abc', keyHash: 'hash-a', createdAt: T });
  await s.directory.createSource({ id: 'src_b', name: 'old', locality: '01', province: '01', kind: 'otp', format: 'json', enabled: false, keyPrefix: 'canh_def', keyHash: 'hash-b', createdAt: T + 1 });
  await s.directory.revokeSourceKey('src_b', ALL_SCOPE);
  await s.directory.setContacts('00004', [{ kind: 'email', address: 'soc@badinh.gov.vn', language: 'vi' }]);
  await s.users.createUser({ id: 'usr_lan', username: 'lan', displayName: 'Lan', role: 'analyst', locality: '00004', province: '01', disabled: false, createdAt: T, passwordHash: 'scrypt$1$2$3$salt$hash' });
  await s.users.createToken({ id: 'tok_1', userId: 'usr_lan', name: 'siem', createdAt: T, expiresAt: null, revokedAt: null, tokenHash: 'token-hash-1' });
  await s.incidents.create(incident, { incidentId: 'inc_a', at: T, actor: 'rule:r1', action: 'created', from: null, to: 'open', note: null }, 'hit-1');
  await s.incidents.update({ ...incident, count: 2, lastSeen: T + 60_000 }, 1, [{ incidentId: 'inc_a', at: T + 60_000, actor: 'rule:r1', action: 'hit_added', from: 1, to: 2, note: null }], 'hit-2');
  await s.incidents.appendTimeline([{ incidentId: 'inc_a', at: T + 90_000, actor: 'user:lan', action: 'commented', from: null, to: null, note: 'đang xem' }]);
  await s.ruleState.advanceCheckpoint('r1', 'v1', null, T + 120_000);
  await s.ruleState.putValue('r1', 'seen', ['203.0.113.7']);
  await s.ruleState.recordRun({ ruleId: 'r1', ruleVersion: 'v1', startedAt: T + 120_000, durationMs: 5, from: T + 60_000, to: T + 120_000, hits: 1, hitsByLocality: { '00004': 1 }, skipped: 0, error: null });
  await s.audit.append([audit('aud_1', T), audit('aud_2', T + 1)]);
  const events = [0, 1, 2].flatMap((d) => Array.from({ length: 7 }, (_, i) => event(`e${d}-${i}`, T - d * DAY + i * 1000)));
  await s.events.write({ batchId: 'b1', sourceId: 'src_a', locality: '00004', province: '01', dataset: 'web.access', received: 23, events, deadLetters: [deadLetter(1), deadLetter(2)], receivedAt: T });
}

const byKind = (r: MigrationReport): Record<string, KindReport> => Object.fromEntries(r.kinds.map((k) => [k.kind, k]));
/** Small pages and batches, so paging and batching are exercised. */
const SMALL = { pageSize: 4, batchSize: 5, settleMs: 0 };

describe('migrate', () => {
  let from: MigrationStores;
  let to: MigrationStores;
  beforeEach(async () => {
    from = memoryStores();
    to = memoryStores();
    await seed(from);
  });

  it('copies every kind with the same ids, hashes, timelines, hits and checkpoints, and verifies the counts', async () => {
    const report = await migrate(from, to, SMALL);
    expect(report.outcome).toBe('copied');
    const k = byKind(report);
    expect(Object.values(k).filter((r) => !r.verified).map((r) => r.kind)).toEqual([]);
    expect([k.localities.copied, k.sources.copied, k.contacts.copied, k.users.copied, k.tokens.copied, k.incidents.copied]).toEqual([3, 2, 1, 1, 1, 1]);
    expect([k.checkpoints.copied, k.rule_values.copied, k.rule_runs.copied, k.audit.copied, k.events.copied, k.dead_letters.copied]).toEqual([1, 1, 1, 2, 21, 2]);
    expect(await to.directory.findSourceByKeyHash('hash-a')).toMatchObject({ id: 'src_a', revoked: false });
    expect(await to.directory.getSource('src_b', ALL_SCOPE)).toMatchObject({ enabled: false, revoked: true });
    expect((await to.users.getUser('usr_lan'))?.passwordHash).toBe('scrypt$1$2$3$salt$hash');
    expect(await to.users.findTokenByHash('token-hash-1')).toMatchObject({ id: 'tok_1', userId: 'usr_lan' });
    expect(await to.incidents.get('inc_a', ALL_SCOPE)).toEqual(await from.incidents.get('inc_a', ALL_SCOPE));
    expect((await to.incidents.get('inc_a', ALL_SCOPE))?.version).toBe(2);
    expect(await to.incidents.timeline('inc_a')).toEqual(await from.incidents.timeline('inc_a'));
    expect(await to.incidents.hasHit('hit-1')).toBe(true);
    expect(await to.incidents.findActiveByFingerprint(incident.fingerprint)).toMatchObject({ id: 'inc_a' });
    expect(await to.ruleState.getCheckpoint('r1')).toEqual({ ruleId: 'r1', ruleVersion: 'v1', evaluatedTo: T + 120_000 });
    expect(await to.ruleState.getValue('r1', 'seen')).toEqual(['203.0.113.7']);
    expect(await to.ruleState.listRuns('r1', 10)).toEqual(await from.ruleState.listRuns('r1', 10));
    expect((await to.audit.list({})).entries.map((e) => e.id)).toEqual(['aud_2', 'aud_1']);
    const all = { from: 0, to: T + DAY, filter: { type: 'match_all' as const }, size: 100 };
    expect((await to.events.search(all, ALL_SCOPE)).events).toEqual((await from.events.search(all, ALL_SCOPE)).events);
    expect((await to.events.listDeadLetters({ size: 10 }, ALL_SCOPE)).deadLetters).toEqual((await from.events.listDeadLetters({ size: 10 }, ALL_SCOPE)).deadLetters);
  });

  it('copies nothing the second time, and completes a copy that stopped half-way without duplicates', async () => {
    // Half-way: some events and one incident already there, as an interrupted run leaves them.
    const some = (await from.events.search({ from: T - 10_000, to: T + DAY, filter: { type: 'match_all' }, size: 3 }, ALL_SCOPE)).events;
    await to.events.write({ batchId: 'x', sourceId: 'src_a', locality: '00004', province: '01', dataset: 'web.access', received: 3, events: some, deadLetters: [], receivedAt: T });
    const first = byKind(await migrate(from, to, SMALL));
    expect([first.events.copied, first.events.present, first.events.target, first.events.verified]).toEqual([18, 3, 21, true]);

    const again = await migrate(from, to, SMALL);
    expect(again.outcome).toBe('copied');
    expect(again.kinds.map((k) => [k.kind, k.copied])).toEqual(again.kinds.map((k) => [k.kind, 0]));
    expect(again.kinds.every((k) => k.verified && k.present === k.source)).toBe(true);
    expect(await to.events.count({ from: 0, to: T + DAY, filter: { type: 'match_all' } }, ALL_SCOPE)).toBe(21);
    expect(await to.ruleState.listRuns('r1', 10)).toHaveLength(1);
    expect(await to.incidents.timeline('inc_a')).toHaveLength(3);
  });

  it('refuses, writing nothing, when the target holds other data under the same ids, and names them', async () => {
    await to.directory.createLocality({ code: '01', name: 'Another name', level: 'province', parentCode: 'VN', provinceCode: '01', createdAt: T });
    await to.users.createUser({ id: 'usr_other', username: 'lan', displayName: 'Other Lan', role: 'analyst', locality: '01', province: '01', disabled: false, createdAt: T, passwordHash: 'x' });
    await to.ruleState.advanceCheckpoint('r1', 'v1', null, T);
    const report = await migrate(from, to, SMALL);
    expect(report.outcome).toBe('refused');
    expect(report.conflicts.map((c) => [c.kind, c.id])).toEqual([['localities', '01'], ['users', 'usr_lan'], ['checkpoints', 'r1']]);
    expect(report.conflicts[1].reason).toContain('usr_other');
    expect(await to.directory.getLocality('VN', ALL_SCOPE)).toBeNull();
    expect(await to.events.count({ from: 0, to: T + DAY, filter: { type: 'match_all' } }, ALL_SCOPE)).toBe(0);
  });

  it('counts without writing on a dry run', async () => {
    const report = await migrate(from, to, { ...SMALL, dryRun: true });
    expect(report.outcome).toBe('dry_run');
    const k = byKind(report);
    expect([k.localities.copied, k.incidents.copied, k.events.copied, k.events.source, k.dead_letters.copied]).toEqual([3, 1, 21, 21, 2]);
    expect(await to.directory.listLocalities(ALL_SCOPE)).toEqual([]);
    expect(await to.events.count({ from: 0, to: T + DAY, filter: { type: 'match_all' } }, ALL_SCOPE)).toBe(0);
  });

  it('copies events, dead letters and audit entries from `since` only, and everything else whole', async () => {
    const k = byKind(await migrate(from, to, { ...SMALL, since: T - DAY / 2 }));
    expect([k.events.source, k.events.copied, k.events.verified, k.audit.copied, k.dead_letters.copied, k.localities.copied]).toEqual([7, 7, true, 2, 2, 3]);
    expect(await to.events.count({ from: 0, to: T - DAY / 2, filter: { type: 'match_all' } }, ALL_SCOPE)).toBe(0);
  });

  it('names the store and method when a target adapter cannot take part', async () => {
    const bare = memoryStores();
    Object.defineProperty(bare.directory, 'exportSources', { value: undefined });
    await expect(migrate(from, bare, SMALL)).rejects.toThrow(/DirectoryStore\.exportSources is not implemented by MemoryDirectoryStore/);
  });
});
