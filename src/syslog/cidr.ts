import { isIPv4, isIPv6 } from 'node:net';

/** An address range: IPv4 or IPv6 network with its prefix length (a single address is /32 or /128). */
export interface Cidr {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

/** `192.0.2.10`, `10.0.0.0/24`, `2001:db8::/32` → Cidr; undefined when not one (host bits set are cleared). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addr = normalizeAddress(slash < 0 ? text : text.slice(0, slash));
  if (addr === undefined) return undefined;
  const bits = addr.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > bits) return undefined;
    prefix = Number(p);
  }
  return { family: addr.family, network: addr.value & mask(bits, prefix), prefix };
}

/** True when `address` (as from a socket, IPv4-mapped IPv6 included) lies in `cidr`. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const addr = normalizeAddress(address);
  if (addr === undefined || addr.family !== cidr.family) return false;
  return (addr.value & mask(cidr.family === 4 ? 32 : 128, cidr.prefix)) === cidr.network;
}

function mask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return prefix === 0 ? 0n : (all >> BigInt(bits - prefix)) << BigInt(bits - prefix);
}

/** An IP address as a number; `::ffff:a.b.c.d` counts as IPv4 (what a dual-stack socket reports). */
export function normalizeAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  const t = mapped ? mapped[1] : text;
  if (isIPv4(t)) return { family: 4, value: t.split('.').reduce((v, o) => (v << 8n) | BigInt(Number(o)), 0n) };
  if (!isIPv6(t) || t.includes('%')) return undefined;
  return { family: 6, value: ipv6Value(t) };
}

function ipv6Value(t: string): bigint {
  let text = t;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const tl = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - tl.length).fill('0'), ...tl];
  return groups.reduce((v, g) => (v << 16n) | BigInt(parseInt(g, 16)), 0n);
}
