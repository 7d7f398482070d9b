import type { Source, SyslogSettings } from '../directory/types';
import { cidrContains, parseCidr } from './cidr';
import { SenderMatcher } from './sender-matcher';

const source = (id: string, syslog: SyslogSettings, enabled = true): Source => ({
  id, name: id, locality: `loc-${id}`, province: null, kind: 'access', format: 'syslog', enabled, keyPrefix: 'canh_x', createdAt: 0, syslog,
});
const LINE = '<190>Nov 23 09:00:01 claimed-host nginx: hello';
const id = (r: ReturnType<SenderMatcher['match']>) => (r.ok ? r.source.id : r.reason);

describe('SenderMatcher', () => {
  const m = new SenderMatcher([
    source('net', { senders: ['10.0.0.0/16'], token: null }),
    source('host', { senders: ['10.0.5.7'], token: null }),
    source('v6', { senders: ['2001:db8::/32'], token: null }),
    source('tok', { senders: [], token: 'tok_0123456789' }),
    source('tok-net', { senders: ['192.0.2.0/24'], token: 'tok_restricted' }),
    source('off', { senders: ['172.16.0.1'], token: null }, false),
    source('twin-a', { senders: ['198.51.100.0/24'], token: null }),
    source('twin-b', { senders: ['198.51.100.0/24'], token: null }),
  ]);

  it('picks the most specific sender entry; IPv4-mapped IPv6 addresses count as IPv4', () => {
    expect(id(m.match('10.0.9.9', LINE))).toBe('net');
    expect(id(m.match('10.0.5.7', LINE))).toBe('host');
    expect(id(m.match('::ffff:10.0.5.7', LINE))).toBe('host');
    expect(id(m.match('2001:db8:1::5', LINE))).toBe('v6');
  });

  it('matches a token carried as the tag or as an SD-PARAM token, from anywhere unless the source lists senders', () => {
    expect(id(m.match('203.0.113.1', '<13>Nov 23 09:00:01 h tok_0123456789: x'))).toBe('tok');
    expect(id(m.match('203.0.113.1', '<13>1 - h app - - [canh token="tok_0123456789"] x'))).toBe('tok');
    expect(id(m.match('192.0.2.4', '<13>Nov 23 09:00:01 h tok_restricted: x'))).toBe('tok-net');
    expect(id(m.match('203.0.113.1', '<13>Nov 23 09:00:01 h tok_restricted: x'))).toBe('unknown_sender');
  });

  it('never uses the host name a message claims, and drops unknown, disabled and ambiguous senders', () => {
    expect(id(m.match('203.0.113.1', '<13>Nov 23 09:00:01 10.0.5.7 app: x'))).toBe('unknown_sender');
    expect(id(m.match('172.16.0.1', LINE))).toBe('source_disabled');
    expect(id(m.match('198.51.100.3', LINE))).toBe('ambiguous_sender');
    expect(id(m.match('not an address', 'garbage'))).toBe('unknown_sender');
  });
});

describe('parseCidr', () => {
  it('reads addresses and ranges, clears host bits, refuses junk', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({ family: 4, network: 10n << 24n, prefix: 8 });
    expect(cidrContains(parseCidr('0.0.0.0/0')!, '8.8.8.8')).toBe(true);
    expect(cidrContains(parseCidr('2001:db8::1')!, '2001:0db8:0:0:0:0:0:1')).toBe(true);
    expect(cidrContains(parseCidr('::ffff:0:0/96')!, '1.2.3.4')).toBe(false);
    for (const bad of ['10.0.0.0/33', 'example.org', '10.0.0/8', '::1/129', '1.2.3.4/']) expect(parseCidr(bad)).toBeUndefined();
  });
});
