import fc from 'fast-check';
import { field, lineContext } from '../../test/fixtures/ingest/context';
import { processLine, redactRaw } from './process-line';
import { hashPhone, maskPii, normalizePhone, redactOtpDocument } from './redact';

describe('maskPii', () => {
  it('masks a 12-digit citizen ID (CCCD) not touching other digits', () => {
    expect(maskPii('/ho-so?cccd=001203004567&x=1')).toBe('/ho-so?cccd=************&x=1');
    expect(maskPii('/cong-dan/001203004567/ho-so')).toBe('/cong-dan/************/ho-so');
    expect(maskPii('id=0012030045678')).toBe('id=0012030045678'); // 13 digits: not a CCCD
    expect(maskPii('id=00120300456')).toBe('id=00120300456'); // 11 digits, not a mobile number either
  });

  it('masks Vietnamese mobile numbers in every spelling', () => {
    expect(maskPii('?phone=0912345678')).toBe('?phone=**********');
    expect(maskPii('?phone=84912345678')).toBe('?phone=***********');
    expect(maskPii('?phone=%2B84912345678&a=1')).toBe('?phone=%2B***********&a=1');
    expect(maskPii('?sdt=+84361234567')).toBe('?sdt=+***********');
    expect(maskPii('?n=0212345678')).toBe('?n=0212345678'); // 02x is a landline prefix, kept
    expect(maskPii('ts=1763860542')).toBe('ts=1763860542');
  });
});

describe('phone hashing', () => {
  it('gives the same hash for +84, 84 and 0 spellings, with or without separators', () => {
    const forms = ['0912345678', '+84912345678', '84912345678', '+84 912 345 678', '091-234-5678', '0084912345678'];
    expect(new Set(forms.map(normalizePhone))).toEqual(new Set(['84912345678']));
    const hashes = new Set(forms.map((f) => hashPhone(f, 'salt-a')));
    expect(hashes.size).toBe(1);
    expect([...hashes][0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('depends on the salt and on the number', () => {
    expect(hashPhone('0912345678', 'salt-a')).not.toBe(hashPhone('0912345678', 'salt-b'));
    expect(hashPhone('0912345678', 'salt-a')).not.toBe(hashPhone('0912345679', 'salt-a'));
  });
});

describe('OTP redaction', () => {
  const CODE = '583920';
  const doc = {
    timestamp: '2026-11-23T08:00:00+07:00', action: 'otp-sent', user_id: 'u1', phone_number: '+84 912 345 678', otp_code: CODE,
    message: `Ma OTP ${CODE} da gui toi 0912345678 (84912345678)`, meta: { msisdn: '84912345678', otp: Number(CODE), sms: { to: '+84912345678' } },
    'otp.destination.number': '0912345678', otp: { value: CODE }, url: `/verify?code=${CODE}&cccd=001203004567`,
  };

  it('leaves no phone number, code or CCCD anywhere in the event', () => {
    const r = processLine(JSON.stringify(doc), doc, lineContext('otp', 'json'));
    if (!r.ok) throw new Error(r.reason);
    const text = JSON.stringify(r.event);
    for (const secret of [CODE, '912345678', '912 345 678', '001203004567']) expect(text).not.toContain(secret);
    expect(field(r.event, 'otp.destination.hash')).toBe(hashPhone('0912345678', 'test-salt'));
    expect(field(r.event, 'event.original')).toContain('"action":"otp-sent"');
  });

  it('keeps the hash of the first phone field and drops every sensitive key', () => {
    const r = redactOtpDocument({ phone: '0987654321', code: '1234', otp: { channel: 'sms', code: 9999 }, destination: { ip: '1.1.1.1' } });
    expect(r.phone).toBe('0987654321');
    expect(r.doc).toEqual({ otp: { channel: 'sms' }, destination: { ip: '1.1.1.1' } });
  });

  it('property: for any phone and 4–8 digit code, neither appears in the event', () => {
    const phone = fc.tuple(fc.constantFrom('03', '05', '07', '08', '09'), fc.stringMatching(/^[0-9]{8}$/));
    const code = fc.stringMatching(/^[0-9]{4,8}$/);
    fc.assert(fc.property(phone, code, fc.constantFrom('0', '+84', '84'), ([p, rest], c, prefix) => {
      const national = `${p.slice(1)}${rest}`;
      const written = `${prefix}${national}`;
      const input = { action: 'otp-verify-failed', phone: written, code: c, reason: `code ${c} sent to ${written}` };
      const r = processLine(JSON.stringify(input), input, lineContext('otp', 'json'));
      if (!r.ok) return false;
      const text = JSON.stringify({ ...r.event, otp: undefined, event: { ...(r.event.event as object), id: undefined } });
      return !text.includes(national) && !new RegExp(`(?<![0-9])${c}(?![0-9])`).test(text)
        && field(r.event, 'otp.destination.hash') === hashPhone(`0${national}`, 'test-salt');
    }), { numRuns: 300 });
  });
});

describe('access-log redaction', () => {
  it('masks a CCCD and a phone in url.*, referrer and event.original', () => {
    const line = '1.2.3.4 - - [23/Nov/2026:08:00:00 +0700] "GET /tra-cuu/001203004567?sdt=0912345678 HTTP/1.1" 200 1 "https://x.vn/?cccd=001203004567" "-"';
    const r = processLine(line, undefined, lineContext('access', 'nginx_combined'));
    if (!r.ok) throw new Error(r.reason);
    expect(field(r.event, 'url.path')).toBe('/tra-cuu/************');
    expect(field(r.event, 'url.query')).toBe('sdt=**********');
    expect(field(r.event, 'http.request.referrer')).toBe('https://x.vn/?cccd=************');
    const text = JSON.stringify(r.event);
    expect(text).not.toContain('001203004567');
    expect(text).not.toContain('0912345678');
  });

  it('keeps dead-letter reasons and raw text free of PII', () => {
    const bad = '1.2.3.4 - - [23/Nov/2026:08:00:00 +0700] "GET / HTTP/1.1" 200 001203004567x "-" "-"';
    const r = processLine(bad, undefined, lineContext('access', 'apache_combined'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).not.toContain('001203004567');
    expect(redactRaw(bad, undefined, lineContext('access', 'apache_combined'))).not.toContain('001203004567');
    const otpRaw = JSON.stringify({ action: 'nope', phone: '0912345678', code: '123456' });
    const red = redactRaw(otpRaw, undefined, lineContext('otp', 'json'));
    expect(red).toBe('{"action":"nope"}');
  });
});
