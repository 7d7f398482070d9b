import type { Source } from '../directory/types';
import { cidrContains, parseCidr, type Cidr } from './cidr';
import { parseSyslog } from './parse-message';

/** Why a message matched no source: nobody claims the sender, its source is disabled, or two sources claim it equally. */
export type UnmatchedReason = 'unknown_sender' | 'source_disabled' | 'ambiguous_sender';

export type MatchResult = { readonly ok: true; readonly source: Source } | { readonly ok: false; readonly reason: UnmatchedReason };

interface Entry {
  readonly source: Source;
  readonly ranges: readonly Cidr[];
}

const CACHE_LIMIT = 10_000;

/**
 * Which source a syslog message belongs to, from the sender's address (as the socket reports it)
 * and the token the message may carry (its tag / APP-NAME, or an SD-PARAM `token`). Never from the
 * host name the message claims. Built from DirectoryStore.listSyslogSources(); pure and synchronous.
 *
 * - A source with a token takes the messages carrying it, from its `senders` only when it lists some.
 * - Otherwise the source whose `senders` entry holding the address is the most specific (longest
 *   prefix) takes it; two sources with equally specific entries: ambiguous, dropped.
 */
export class SenderMatcher {
  private readonly byToken = new Map<string, Entry>();
  private readonly byAddress: Entry[] = [];
  private readonly cache = new Map<string, MatchResult>();

  constructor(sources: readonly Source[]) {
    for (const source of sources) {
      if (!source.syslog) continue;
      const ranges = source.syslog.senders.map(parseCidr).filter((c): c is Cidr => c !== undefined);
      const entry = { source, ranges };
      if (source.syslog.token) this.byToken.set(source.syslog.token, entry);
      else if (ranges.length) this.byAddress.push(entry);
    }
  }

  /** Sources that can match anything at all. */
  get size(): number {
    return this.byToken.size + this.byAddress.length;
  }

  /** The source of a message (one line, as queued) from `address`. */
  match(address: string, line: string): MatchResult {
    if (this.byToken.size > 0) {
      const byToken = this.matchToken(address, line);
      if (byToken) return byToken;
    }
    let result = this.cache.get(address);
    if (result === undefined) {
      result = this.matchAddress(address);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(address, result);
    }
    return result;
  }

  private matchToken(address: string, line: string): MatchResult | undefined {
    for (const token of messageTokens(line)) {
      const entry = this.byToken.get(token);
      if (!entry) continue;
      if (entry.ranges.length && !entry.ranges.some((r) => cidrContains(r, address))) continue;
      return entry.source.enabled ? { ok: true, source: entry.source } : { ok: false, reason: 'source_disabled' };
    }
    return undefined;
  }

  private matchAddress(address: string): MatchResult {
    let best: Entry[] = [];
    let bestPrefix = -1;
    for (const entry of this.byAddress) {
      for (const range of entry.ranges) {
        if (range.prefix < bestPrefix || !cidrContains(range, address)) continue;
        if (range.prefix > bestPrefix) {
          best = [entry];
          bestPrefix = range.prefix;
        } else if (!best.includes(entry)) best.push(entry);
      }
    }
    if (best.length === 0) return { ok: false, reason: 'unknown_sender' };
    if (best.length > 1) return { ok: false, reason: 'ambiguous_sender' };
    return best[0].source.enabled ? { ok: true, source: best[0].source } : { ok: false, reason: 'source_disabled' };
  }
}

/** The tokens a message may carry: its tag / APP-NAME and the values of SD-PARAMs named `token`. */
export function messageTokens(line: string): string[] {
  const parsed = parseSyslog(line.length > 4096 ? line.slice(0, 4096) : line, 0);
  if (!parsed.ok) return [];
  const out: string[] = [];
  if (parsed.value.appName) out.push(parsed.value.appName);
  const sd = parsed.value.structuredData;
  if (sd) for (const id of Object.keys(sd)) if (sd[id].token) out.push(sd[id].token);
  return out;
}
