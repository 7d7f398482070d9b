import { field, lineContext, event, reason } from '../../../test/fixtures/ingest/context';
import { processLine, type LineResult } from '../process-line';
import { hashPhone } from '../redact';
import { OTP_ACTIONS } from './otp-json';

const otp = (doc: unknown, salt = 'test-salt'): LineResult => processLine(JSON.stringify(doc), doc, lineContext('otp', 'json', { piiSalt: salt }));

const SHORT = {
  timestamp: '2026-11-23T08:00:00+07:00', action: 'otp-verify-failed', user_id: 'u123', service: 'dvc-portal', provider: 'viettel-sms',
  channel: 'sms', phone: '0912345678', code: '481516', attempt: 2, delivery_ms: 850, reason: 'wrong-code', ip: '203.0.113.7',
};

describe('otp + json', () => {
  it('maps the short shape to ECS', () => {
    const e = event(otp(SHORT));
    expect(e['@timestamp']).toBe('2026-11-23T01:00:00.000Z');
    expect(field(e, 'event.dataset')).toBe('otp.auth');
    expect(field(e, 'event.kind')).toBe('event');
    expect(field(e, 'event.category')).toEqual(['authentication']);
    expect(field(e, 'event.action')).toBe('otp-verify-failed');
    expect(field(e, 'event.outcome')).toBe('failure');
    expect(field(e, 'event.reason')).toBe('wrong-code');
    expect(field(e, 'event.provider')).toBe('viettel-sms');
    expect(field(e, 'user.id')).toBe('u123');
    expect(field(e, 'service.name')).toBe('dvc-portal');
    expect(field(e, 'source.ip')).toBe('203.0.113.7');
    expect(field(e, 'otp')).toEqual({ channel: 'sms', attempt: 2, delivery_ms: 850, destination: { hash: hashPhone('0912345678', 'test-salt') } });
    expect(e.organization).toEqual({ id: '00004' });
    for (const k of ['action', 'user_id', 'phone', 'code', 'attempt', 'ip', 'provider', 'channel']) expect(e[k]).toBeUndefined();
  });

  it('derives the outcome from the action unless given', () => {
    const outcome = (action: string, extra: object = {}): unknown => field(event(otp({ action, ...extra })), 'event.outcome');
    for (const a of ['otp-requested', 'otp-sent', 'otp-verified']) expect(outcome(a)).toBe('success');
    for (const a of ['otp-delivery-failed', 'otp-verify-failed', 'otp-expired', 'otp-locked']) expect(outcome(a)).toBe('failure');
    expect(outcome('otp-sent', { outcome: 'unknown' })).toBe('unknown');
    expect(OTP_ACTIONS).toHaveLength(7);
  });

  it('accepts ECS documents (nested and dotted) and OTP_VERIFIED spellings', () => {
    const e = event(otp({ '@timestamp': '2026-11-23T01:00:00Z', event: { action: 'OTP_VERIFIED' }, user: { id: 'u9' }, 'otp.channel': 'zalo', 'otp.destination': '+84912345678', service: { name: 'vneid' } }));
    expect(field(e, 'event.action')).toBe('otp-verified');
    expect(field(e, 'user.id')).toBe('u9');
    expect(field(e, 'service.name')).toBe('vneid');
    expect(field(e, 'otp.channel')).toBe('zalo');
    expect(field(e, 'otp.destination')).toEqual({ hash: hashPhone('0912345678', 'test-salt') });
  });

  it('unwraps a JSON document a shipper left in `message`', () => {
    const e = event(otp({ message: JSON.stringify(SHORT), host: { name: 'otp-gw' } }));
    expect(field(e, 'event.action')).toBe('otp-verify-failed');
    expect(field(e, 'host.name')).toBe('otp-gw');
    expect(JSON.stringify(e)).not.toContain('0912345678');
  });

  it('dead-letters unknown or missing actions, bad outcomes and bad numbers', () => {
    expect(reason(otp({ action: 'foo' }))).toBe(`otp event: unknown action "foo"; expected one of ${OTP_ACTIONS.join(', ')}`);
    expect(reason(otp({ user_id: 'u1' }))).toMatch(/^otp event: missing "action" \(or "event.action"\)/);
    expect(reason(otp({ action: 'otp-sent', outcome: 'maybe' }))).toBe('otp event: unknown outcome "maybe"; expected success, failure or unknown');
    expect(reason(otp({ action: 'otp-sent', attempt: 'two' }))).toBe('otp event: field "attempt" must be an integer from 0 to 1000000, got "two"');
    expect(reason(otp({ action: 'otp-sent', timestamp: '2026-13-01T00:00:00Z' }))).toBe('invalid timestamp "2026-13-01T00:00:00Z" in "timestamp"');
    expect(reason(otp(['otp-sent']))).toBe('otp event: expected a JSON object, got an array');
    expect(reason(processLine('{"action":', undefined, lineContext('otp', 'json')))).toMatch(/^invalid JSON: /);
  });
});
