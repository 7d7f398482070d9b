import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IncidentService } from '../../src/incidents/incident-service';
import { closeStores, openDuckDbStores } from '../../src/migrate/duckdb-source';
import { migrate } from '../../src/migrate/migrate';
import type { KindReport, MigrationStores } from '../../src/migrate/types';
import type { Hit } from '../../src/rules/rule';
import { MemoryAuditStore } from '../../src/store/memory/audit-store';
import { MemoryDirectoryStore } from '../../src/store/memory/directory-store';
import { MemoryEventStore } from '../../src/store/memory/event-store';
import { MemoryIncidentStore } from '../../src/store/memory/incident-store';
import { MemoryRuleStateStore } from '../../src/store/memory/rule-state-store';
import { MemoryUserStore } from '../../src/store/memory/user-store';
import { ALL_SCOPE } from '../../src/store/scope';
import { exited, spawnCanh } from '../support/canh-process';
import { startTestService, type TestService } from '../support/test-service';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

const RULE_ID = 'otp-failures-migrate';
const RULE = `
- id: ${RULE_ID}
  title: Nhiều lần xác thực OTP thất bại
  severity: high
  category: intrusion-attempts
  dataset: otp.auth
  filter: 'event.outcome:failure'
  type: threshold
  condition: { count: 3 }
  group_by: [organization.id]
  window: 1m
  every: 1s
  delay: 0s
  suppress: 0s
`;

const memoryStores = (): MigrationStores => ({
  events: new MemoryEventStore(), directory: new MemoryDirectoryStore(), incidents: new MemoryIncidentStore(),
  users: new MemoryUserStore(), ruleState: new MemoryRuleStateStore(), audit: new MemoryAuditStore(),
});
const MATCH_ALL = { type: 'match_all' as const };
const EVERYTHING = { from: 0, to: Date.UTC(9999, 0, 1), filter: MATCH_ALL };

describe('canh migrate: the DuckDB files of a real run → the memory adapters, through migrate()', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'canh-migrate-'));
  let svc: TestService | undefined;
  let incidentId = '';
  let source: MigrationStores | undefined;

  beforeAll(async () => {
    const rulesDir = mkdtempSync(join(tmpdir(), 'canh-migrate-rules-'));
    writeFileSync(join(rulesDir, 'otp.yaml'), RULE);
    svc = await startTestService({ CANH_DATA_DIR: dataDir, CANH_RULES_DIR: rulesDir }, ['api', 'ingest', 'rules', 'incidents']);
    const s = svc;
    await s.admin('/api/v1/localities', { body: { code: '79', name: 'TP. Hồ Chí Minh', level: 'province' } });
    await s.admin('/api/v1/localities', { body: { code: '26734', name: 'Phường Bến Nghé', level: 'commune', parent_code: '79' } });
    await s.admin('/api/v1/localities/26734/contacts', { method: 'PUT', body: { contacts: [{ email: 'soc@bennghe.gov.vn', language: 'vi' }] } });
    const user = (await s.admin('/api/v1/users', { body: { username: 'lan', password: 'a long enough password', role: 'analyst', locality: '26734' } })).body;
    expect((await s.admin(`/api/v1/users/${user.id}/tokens`, { body: { name: 'siem' } })).status).toBe(201);
    const otp = (await s.admin('/api/v1/sources', { body: { name: 'otp-gateway', locality: '26734', kind: 'otp', format: 'json' } })).body;
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({
      timestamp: new Date().toISOString(), action: 'otp-verify-failed', user_id: `citizen-${i}`, service: 'dvc-portal', provider: 'viettel-sms',
      channel: 'sms', phone: '0912345678', reason: 'wrong-code', ip: '203.0.113.7',
    }));
    lines.push('this line is not JSON');
    const res = await fetch(`${s.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${otp.api_key}`, 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
    expect(res.status).toBe(202);
    const bumped = await waitFor('an incident bumped by a second hit', async () => {
      const list = (await s.admin(`/api/v1/incidents?rule=${RULE_ID}`)).body.incidents as { id: string; count: number; version: number }[];
      return list.length === 1 && list[0].count >= 2 ? list[0] : undefined;
    }, 60_000, 100);
    incidentId = bumped.id;
    const detail = (await s.admin(`/api/v1/incidents/${incidentId}`)).body;
    expect((await s.admin(`/api/v1/incidents/${incidentId}/ack`, { body: { version: detail.version } })).status).toBe(200);
    await waitFor('the audit log to hold the changes', async () => (await s.container.auditStore.list({})).entries.length >= 5);

    // Canh still runs: its files are locked, and the command says to stop it.
    const child = spawnCanh(['migrate', '--to', 'elasticsearch', '--from-data-dir', dataDir], { CANH_LOG_LEVEL: 'silent' });
    expect(await exited(child)).toBe(1);
    expect(child.output()).toMatch(/events\.duckdb is open in another process .*stop Canh before migrating/);

    await s.stop();
    svc = undefined;
    // Stopped: the files open, and the command names what else it needs.
    const stopped = spawnCanh(['migrate', '--to', 'elasticsearch', '--from-data-dir', dataDir], { CANH_LOG_LEVEL: 'silent' });
    expect(await exited(stopped)).toBe(2);
    expect(stopped.output()).toMatch(/ELASTICSEARCH_URL is required to migrate to Elasticsearch/);
    source = await openDuckDbStores(dataDir);
  });

  afterAll(async () => {
    if (source) await closeStores(source);
    await svc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a directory that holds no Canh data', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'canh-migrate-empty-'));
    const child = spawnCanh(['migrate', '--to', 'elasticsearch', '--from-data-dir', empty], { CANH_LOG_LEVEL: 'silent' });
    expect(await exited(child)).toBe(2);
    expect(child.output()).toMatch(/is not a Canh data directory: events\.duckdb and directory\.duckdb missing/);
    rmSync(empty, { recursive: true, force: true });
  });

  it('copies every kind with the same ids, hashes, timelines, hits and checkpoints; a second run copies nothing', async () => {
    const from = source as MigrationStores;
    const to = memoryStores();
    const report = await migrate(from, to, { settleMs: 0 });
    expect(report.outcome).toBe('copied');
    const k = Object.fromEntries(report.kinds.map((r) => [r.kind, r])) as Record<string, KindReport>;
    expect(report.kinds.filter((r) => !r.verified)).toEqual([]);
    expect([k.localities.copied, k.sources.copied, k.contacts.copied, k.users.copied, k.tokens.copied, k.incidents.copied]).toEqual([2, 1, 1, 1, 1, 1]);
    expect([k.events.copied, k.events.target, k.dead_letters.copied]).toEqual([40, 40, 1]);
    expect(k.checkpoints.copied).toBeGreaterThanOrEqual(1);
    expect(k.rule_runs.copied).toBeGreaterThanOrEqual(2);
    expect(k.audit.copied).toBe(k.audit.source);

    expect(await to.directory.listLocalities(ALL_SCOPE)).toEqual(await from.directory.listLocalities(ALL_SCOPE));
    const [sourceRecord] = await (to.directory.exportSources as NonNullable<MigrationStores['directory']['exportSources']>)();
    expect(await to.directory.findSourceByKeyHash(sourceRecord.keyHash)).toMatchObject({ name: 'otp-gateway', locality: '26734' });
    expect(await to.directory.getContacts('26734')).toEqual([{ kind: 'email', address: 'soc@bennghe.gov.vn', language: 'vi' }]);
    const lan = await from.users.getUserByUsername('lan');
    expect(await to.users.getUserByUsername('lan')).toEqual(lan);
    expect(await to.users.listTokens(lan?.id ?? '')).toEqual(await from.users.listTokens(lan?.id ?? ''));

    const migrated = await to.incidents.get(incidentId, ALL_SCOPE);
    expect(migrated).toEqual(await from.incidents.get(incidentId, ALL_SCOPE));
    expect(migrated).toMatchObject({ status: 'acknowledged' });
    expect(await to.incidents.timeline(incidentId)).toEqual(await from.incidents.timeline(incidentId));
    expect((await to.incidents.timeline(incidentId)).map((e) => e.action)).toEqual(expect.arrayContaining(['created', 'hit_added', 'acknowledged']));
    const hitIds = await (from.incidents.exportHitIds as NonNullable<MigrationStores['incidents']['exportHitIds']>)(incidentId);
    expect(hitIds.length).toBeGreaterThanOrEqual(2);

    // A hit delivered again after the move is still a duplicate on the target.
    const service = new IncidentService(to.incidents, { now: () => Date.now() }, {
      ruleLookup: () => ({ title: 'x', severity: 'high', category: 'intrusion-attempts' }),
      localityLookup: (code) => ({ code, province: '79' }), centralCode: '00',
    });
    const hit: Hit = {
      ruleId: RULE_ID, ruleVersion: 'v1', group: { 'organization.id': '26734' }, locality: '26734', window: { from: 0, to: Date.now() },
      observed: 3, condition: 'count >= 3', sampleEventIds: [], evidenceQuery: 'event.outcome:failure',
    };
    expect(await service.applyHit(hit, hitIds[0])).toEqual({ outcome: 'duplicate_hit' });

    expect(await to.ruleState.getCheckpoint(RULE_ID)).toEqual(await from.ruleState.getCheckpoint(RULE_ID));
    expect(await to.ruleState.listRuns(RULE_ID, 1000)).toEqual(await from.ruleState.listRuns(RULE_ID, 1000));
    expect((await to.audit.list({ size: 1000 })).entries).toEqual((await from.audit.list({ size: 1000 })).entries);
    const page = { ...EVERYTHING, size: 100 };
    expect((await to.events.search(page, ALL_SCOPE)).events).toEqual((await from.events.search(page, ALL_SCOPE)).events);
    expect((await to.events.listDeadLetters({ size: 10 }, ALL_SCOPE)).deadLetters).toEqual((await from.events.listDeadLetters({ size: 10 }, ALL_SCOPE)).deadLetters);

    const again = await migrate(from, to, { settleMs: 0 });
    expect(again.outcome).toBe('copied');
    expect(again.kinds.filter((r) => r.copied !== 0 || !r.verified || r.present !== r.source)).toEqual([]);
    expect(await to.events.count(EVERYTHING, ALL_SCOPE)).toBe(40);
    expect(await to.ruleState.listRuns(RULE_ID, 1000)).toHaveLength(k.rule_runs.source);
  });
});
