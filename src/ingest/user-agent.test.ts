import { parseUserAgent, USER_AGENT_CACHE_SIZE, userAgentCacheSize } from './user-agent';

describe('parseUserAgent', () => {
  it('names browser, OS and device', () => {
    const ua = parseUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1');
    expect(ua).toEqual({ name: 'Mobile Safari', version: '17.1', osName: 'iOS', osVersion: '17.1', deviceName: 'iPhone' });
    expect(parseUserAgent('curl/8.5.0')).toEqual({});
  });

  it('returns the cached result and stays bounded', () => {
    const a = parseUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0');
    expect(parseUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0')).toBe(a);
    for (let i = 0; i < USER_AGENT_CACHE_SIZE + 100; i++) parseUserAgent(`agent-${i}`);
    expect(userAgentCacheSize()).toBe(USER_AGENT_CACHE_SIZE);
  });

  it('never throws on odd input', () => {
    expect(() => parseUserAgent('\u0000'.repeat(10_000))).not.toThrow();
    expect(() => parseUserAgent('')).not.toThrow();
  });
});
