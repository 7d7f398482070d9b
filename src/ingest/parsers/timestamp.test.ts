import { parseAnyTime, parseClfTime, parseEpoch, parseIsoTime, toIso } from './timestamp';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : toIso(ms));

describe('parseClfTime', () => {
  it('reads Apache/nginx time with its offset', () => {
    expect(iso(parseClfTime('17/May/2015:10:05:03 +0000'))).toBe('2015-05-17T10:05:03.000Z');
    expect(iso(parseClfTime('23/Nov/2026:08:00:00 +0700'))).toBe('2026-11-23T01:00:00.000Z');
    expect(iso(parseClfTime('01/Jan/2026:00:30:00 -0330'))).toBe('2026-01-01T04:00:00.000Z');
    expect(iso(parseClfTime('29/Feb/2024:12:00:00.250 +0000'))).toBe('2024-02-29T12:00:00.250Z');
    expect(iso(parseClfTime('23/Nov/2026:08:00:00'))).toBe('2026-11-23T01:00:00.000Z'); // no offset: Vietnam time
  });

  it('agrees with Date.parse on every day of a year', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    for (let t = Date.UTC(2024, 0, 1, 13, 7, 9); t < Date.UTC(2025, 0, 1); t += 86_400_000) {
      const d = new Date(t);
      const clf = `${String(d.getUTCDate()).padStart(2, '0')}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:13:07:09 +0000`;
      expect(parseClfTime(clf)).toBe(t);
    }
  });

  it('rejects impossible dates and malformed text', () => {
    for (const s of ['29/Feb/2025:10:00:00 +0000', '31/Apr/2025:10:00:00 +0000', '17/may/2015:10:05:03 +0000', '17/May/2015:24:00:00 +0000',
      '17/May/2015:10:05:03 +07000', '17/May/2015:10:05:03 0700', '17/May/15:10:05:03 +0000', '', 'x'.repeat(26)]) {
      expect(parseClfTime(s)).toBeUndefined();
    }
  });
});

describe('parseIsoTime / parseAnyTime', () => {
  it('reads RFC 3339 and common variants', () => {
    expect(iso(parseIsoTime('2026-11-23T08:00:00+07:00'))).toBe('2026-11-23T01:00:00.000Z');
    expect(iso(parseIsoTime('2026-11-23T01:00:00.123456Z'))).toBe('2026-11-23T01:00:00.123Z');
    expect(iso(parseIsoTime('2026-11-23 08:00:00'))).toBe('2026-11-23T01:00:00.000Z');
    expect(iso(parseIsoTime('2026-11-23T08:00:00+0700'))).toBe('2026-11-23T01:00:00.000Z');
    expect(iso(parseIsoTime('2026-11-23'))).toBe('2026-11-22T17:00:00.000Z');
    expect(parseIsoTime('2026-11-31T00:00:00Z')).toBeUndefined();
    expect(parseIsoTime('23/11/2026')).toBeUndefined();
  });

  it('reads epoch seconds, milliseconds and microseconds', () => {
    expect(iso(parseEpoch(1763860542))).toBe('2025-11-23T01:15:42.000Z');
    expect(iso(parseEpoch(1763860542123))).toBe('2025-11-23T01:15:42.123Z');
    expect(iso(parseEpoch(1763860542123456))).toBe('2025-11-23T01:15:42.123Z');
    expect(iso(parseAnyTime('1763860542.5'))).toBe('2025-11-23T01:15:42.500Z');
    expect(iso(parseAnyTime('17/May/2015:10:05:03 +0000'))).toBe('2015-05-17T10:05:03.000Z');
    expect(parseEpoch(-1)).toBeUndefined();
    expect(parseEpoch(Number.NaN)).toBeUndefined();
    expect(parseAnyTime(1e300)).toBeUndefined();
    expect(parseAnyTime(true)).toBeUndefined();
  });
});
