import { FakeClock } from '../lib/clock';
import { MemoryEventStore } from '../store/memory/event-store';
import { MemoryIncidentStore } from '../store/memory/incident-store';
import { ALL_SCOPE, localityScope } from '../store/scope';
import { StatsService } from './stats-service';
import { DAY, T0, fillEvents, fillIncidents, sourceList } from './test-data';

describe('StatsService (memory stores, figures worked out by hand from test-data.ts)', () => {
  let stats: StatsService;

  beforeEach(async () => {
    const clock = new FakeClock(T0);
    const incidents = new MemoryIncidentStore();
    const events = new MemoryEventStore({ now: () => clock.now() });
    await fillIncidents(incidents);
    await fillEvents(events);
    stats = new StatsService({ incidents: incidents.stats(), events, sources: sourceList, clock });
  });

  describe('incidents', () => {
    it('counts incidents created per day and severity, empty buckets included', async () => {
      const r = await stats.incidents({ from: 'now-3d', interval: '1d', by: 'severity' }, ALL_SCOPE);
      // Buckets from 2026-11-20 00:00 UTC (range starts 2026-11-20 02:00): 20, 21, 22, 23.
      expect(r.buckets.map((b) => new Date(b).toISOString().slice(0, 10))).toEqual(['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23']);
      expect(r.series).toEqual([
        { key: 'critical', total: 2, counts: [0, 0, 1, 1] }, // C (22nd 18:00), F (23rd 01:30)
        { key: 'high', total: 3, counts: [0, 0, 3, 0] }, // A, B, G
        { key: 'low', total: 1, counts: [0, 1, 0, 0] }, // E (21st 02:00)
        { key: 'medium', total: 1, counts: [0, 0, 1, 0] }, // D
      ]);
    });

    it('counts by locality within a province scope only', async () => {
      const r = await stats.incidents({ from: 'now-3d', interval: '1d', by: 'locality' }, localityScope(['01']));
      expect(r.series.map((s) => [s.key, s.total])).toEqual([['00004', 4], ['01', 1]]);
    });

    it('refuses a bad parameter, naming it', async () => {
      await expect(stats.incidents({ by: 'rule' }, ALL_SCOPE)).rejects.toMatchObject({ kind: 'invalid', details: { field: 'by' } });
      await expect(stats.incidents({ from: 'yesterday' }, ALL_SCOPE)).rejects.toMatchObject({ kind: 'invalid', details: { field: 'from' } });
      await expect(stats.incidents({ from: 'now-30d', interval: '1m' }, ALL_SCOPE)).rejects.toMatchObject({ kind: 'invalid', details: { field: 'interval' } });
      await expect(stats.incidents({ from: 'now', to: 'now-1d' }, ALL_SCOPE)).rejects.toMatchObject({ kind: 'invalid', details: { field: 'from' } });
    });
  });

  it('counts the backlog by severity with age buckets', async () => {
    const r = await stats.backlog({ by: 'severity' }, ALL_SCOPE);
    const zero = { lt_1h: 0, '1h_4h': 0, '4h_24h': 0, '1d_7d': 0, gte_7d: 0 };
    expect(r.rows).toEqual([
      { locality: null, severity: 'low', open: 1, acknowledged: 0, total: 1, ages: { ...zero, '1d_7d': 1 } }, // E, 2 days
      { locality: null, severity: 'medium', open: 0, acknowledged: 1, total: 1, ages: { ...zero, '4h_24h': 1 } }, // D, 5 h
      { locality: null, severity: 'critical', open: 2, acknowledged: 0, total: 2, ages: { ...zero, lt_1h: 1, '4h_24h': 1 } }, // F 30 min, C 8 h
    ]);
  });

  it('gives MTTA and MTTR in seconds with continuous percentiles, auto-resolved counted apart', async () => {
    const r = await stats.responseTimes({ from: 'now-1d', by: 'severity' }, ALL_SCOPE);
    expect(r.rows.map((x) => x.key)).toEqual(['critical', 'high', 'medium']); // E (2 days old) is out of range
    const high = r.rows[1];
    // Acks after 60, 180, 300 s: mean 180; p50 180; p90 at rank 1.8 = 180 + 0.8 × 120 = 276.
    expect(high.mtta).toEqual({ n: 3, mean: 180, p50: 180, p90: 276 });
    // Resolved after 600, 1200 (auto), 3000 s: mean 1600; p50 1200; p90 = 1200 + 0.8 × 1800 = 2640.
    expect(high.mttr).toEqual({ n: 3, mean: 1600, p50: 1200, p90: 2640 });
    expect(high.autoResolved).toBe(1);
    expect(r.rows[0]).toEqual({ key: 'critical', incidents: 2, mtta: { n: 0, mean: null, p50: null, p90: null }, mttr: { n: 0, mean: null, p50: null, p90: null }, autoResolved: 0 });
    expect(r.rows[2].mtta).toEqual({ n: 1, mean: 15000, p50: 15000, p90: 15000 });
  });

  it('counts SLA breaches: escalated by the worker, or open past ack_due', async () => {
    const r = await stats.sla({ from: 'now-1d' }, ALL_SCOPE);
    expect(r.rows).toEqual([
      { locality: '00004', severity: 'medium', incidents: 1, breaches: 1, rate: 1 }, // D: escalated by system:escalation, acknowledged later
      { locality: '00004', severity: 'high', incidents: 3, breaches: 0, rate: 0 },
      { locality: '00005', severity: 'critical', incidents: 1, breaches: 1, rate: 1 }, // C: open, ack_due 7 h ago
      { locality: '01', severity: 'critical', incidents: 1, breaches: 0, rate: 0 }, // F: ack_due still ahead
    ]);
    const commune = await stats.sla({ from: 'now-1d' }, localityScope(['00005']));
    expect(commune.rows.map((x) => x.locality)).toEqual(['00005']);
  });

  it('ranks rules by incidents, with the highest severity and the newest title', async () => {
    const r = await stats.topRules({ from: 'now-3d', size: '2' }, ALL_SCOPE);
    expect(r.rules).toEqual([
      { ruleId: 'r-web', title: 'Title of inc_G', category: 'intrusion-attempts', severity: 'high', count: 3 },
      { ruleId: 'r-down', title: 'Title of inc_F', category: 'availability', severity: 'critical', count: 2 },
    ]);
    const all = await stats.topRules({ from: 'now-3d' }, ALL_SCOPE);
    expect(all.rules[2]).toMatchObject({ ruleId: 'r-otp', title: 'Title of inc_D', severity: 'medium', count: 2 });
    await expect(stats.topRules({ size: 0 }, ALL_SCOPE)).rejects.toMatchObject({ details: { field: 'size' } });
  });

  it('reports source health with the window parse error rate', async () => {
    const r = await stats.sources({}, ALL_SCOPE);
    expect(r.deadLettersComplete).toBe(true);
    expect(r.sources.map((s) => [s.id, s.status, s.events, s.deadLetters, s.parseErrorRate])).toEqual([
      ['src_1', 'receiving', 19, 1, 0.05], // 19 events + 1 dead letter
      ['src_2', 'receiving', 7, 0, 0],
    ]);
    expect(r.sources[0].parseRateTotal).toBe(19 / 20);
    const commune = await stats.sources({}, localityScope(['00005']));
    expect(commune.sources.map((s) => s.id)).toEqual(['src_2']);
  });

  it('counts the window by @timestamp: events older than the window are left out', async () => {
    const r = await stats.sources({ window: '30m' }, ALL_SCOPE);
    expect(r.sources.map((s) => [s.events, s.deadLetters, s.parseErrorRate])).toEqual([[0, 0, null], [0, 0, null]]);
  });

  it('computes the OTP success rate over verification attempts only', async () => {
    const r = await stats.otp({}, ALL_SCOPE);
    expect(r.rows).toEqual([
      { locality: '00004', service: 'portal', attempts: 4, successes: 3, failures: 1, successRate: 0.75 }, // the 5 otp-sent are no attempts
      { locality: '00005', service: 'tax', attempts: 2, successes: 1, failures: 1, successRate: 0.5 }, // otp-locked is no attempt
    ]);
    const byService = await stats.otp({ by: 'service' }, localityScope(['01']));
    expect(byService.rows).toEqual([{ locality: null, service: 'portal', attempts: 4, successes: 3, failures: 1, successRate: 0.75 }]);
  });

  it('computes availability per monitored service and locality', async () => {
    const r = await stats.availability({ from: 'now-1d' }, ALL_SCOPE);
    expect(r.rows).toEqual([
      { locality: '00004', monitor: 'portal-https', service: null, probes: 10, up: 9, down: 1, availability: 0.9 },
      { locality: '00005', monitor: 'tax-api', service: null, probes: 4, up: 1, down: 3, availability: 0.25 },
    ]);
    const before = await stats.availability({ from: 'now-3d', to: `${T0 - DAY}` }, ALL_SCOPE);
    expect(before.rows).toEqual([]);
  });
});
