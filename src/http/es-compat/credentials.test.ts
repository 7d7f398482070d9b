import { extractApiKey } from './credentials';

const KEY = 'canh_q8Zk3-Vd_0aPz9XyLmNoPqRsTuVwXyZ0123456789ab';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('extractApiKey', () => {
  it('reads a raw key after ApiKey', () => {
    expect(extractApiKey(`ApiKey ${KEY}`)).toBe(KEY);
  });

  it('reads the key out of ApiKey base64(id:key), as Filebeat and Logstash send it', () => {
    expect(extractApiKey(`ApiKey ${b64(`canh:${KEY}`)}`)).toBe(KEY);
    expect(extractApiKey(`ApiKey ${b64(`any-id:${KEY}`)}`)).toBe(KEY);
  });

  it('keeps everything after the first colon of an id:key pair', () => {
    expect(extractApiKey(`ApiKey ${b64('id:a:b')}`)).toBe('a:b');
  });

  it('reads the password of Basic base64(user:key)', () => {
    expect(extractApiKey(`Basic ${b64(`elastic:${KEY}`)}`)).toBe(KEY);
    expect(extractApiKey(`Basic ${b64(`:${KEY}`)}`)).toBe(KEY);
  });

  it('takes the user of Basic when the password is empty (curl -u KEY:)', () => {
    expect(extractApiKey(`Basic ${b64(`${KEY}:`)}`)).toBe(KEY);
    expect(extractApiKey(`Basic ${b64(KEY)}`)).toBe(KEY);
  });

  it('treats scheme names case-insensitively and tolerates extra spaces', () => {
    expect(extractApiKey(`apikey ${KEY}`)).toBe(KEY);
    expect(extractApiKey(`APIKEY   ${KEY}  `)).toBe(KEY);
    expect(extractApiKey(`basic ${b64(`u:${KEY}`)}`)).toBe(KEY);
  });

  it('does not mistake a raw key that happens to be base64 for an encoded pair', () => {
    // Decodes to bytes that are not text: kept as given.
    const raw = Buffer.from([0xff, 0x00, 0x81, 0x3a, 0x41, 0x42]).toString('base64');
    expect(extractApiKey(`ApiKey ${raw}`)).toBe(raw);
    // Decodes to text without a colon: kept as given.
    expect(extractApiKey(`ApiKey ${b64('plainkey')}`)).toBe(b64('plainkey'));
  });

  it('answers null when there is no usable key', () => {
    expect(extractApiKey(undefined)).toBeNull();
    expect(extractApiKey('')).toBeNull();
    expect(extractApiKey('ApiKey')).toBeNull();
    expect(extractApiKey('ApiKey   ')).toBeNull();
    expect(extractApiKey(KEY)).toBeNull();
    expect(extractApiKey(`Bearer ${KEY}`)).toBeNull();
    expect(extractApiKey(`ApiKey ${b64('id:')}`)).toBeNull();
    expect(extractApiKey(`Basic ${b64(':')}`)).toBeNull();
    expect(extractApiKey('Basic !!!not-base64!!!')).toBeNull();
    expect(extractApiKey(`Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x01]).toString('base64')}`)).toBeNull();
  });
});
