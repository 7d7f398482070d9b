import UAParser from 'ua-parser-js';

/** What Canh keeps of a parsed user agent (ECS `user_agent.*`). */
export interface UserAgentInfo {
  readonly name?: string;
  readonly version?: string;
  readonly osName?: string;
  readonly osVersion?: string;
  readonly deviceName?: string;
}

/** Distinct user agents kept parsed; real logs have few, and parsing is the slowest step of ingest. */
export const USER_AGENT_CACHE_SIZE = 5000;
/** User agents longer than this are parsed on their first 500 characters and not cached. */
const MAX_CACHED_LENGTH = 1000;

const cache = new Map<string, UserAgentInfo>();
const parser = new UAParser();

/**
 * Parses a User-Agent header with ua-parser-js, through a bounded LRU cache (the least recently used
 * entry is evicted when USER_AGENT_CACHE_SIZE is reached). Never throws; unknown agents give `{}`.
 */
export function parseUserAgent(ua: string): UserAgentInfo {
  const hit = cache.get(ua);
  if (hit !== undefined) {
    // Re-insert so that Map order is least-recently-used first.
    cache.delete(ua);
    cache.set(ua, hit);
    return hit;
  }
  const info = parseUncached(ua);
  if (ua.length <= MAX_CACHED_LENGTH) {
    if (cache.size >= USER_AGENT_CACHE_SIZE) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(ua, info);
  }
  return info;
}

function parseUncached(ua: string): UserAgentInfo {
  try {
    const r = parser.setUA(ua.slice(0, 500)).getResult();
    const model = r.device.model;
    return Object.freeze({
      name: r.browser.name || undefined,
      version: r.browser.version || undefined,
      osName: r.os.name || undefined,
      osVersion: r.os.version || undefined,
      deviceName: model || undefined,
    });
  } catch {
    return Object.freeze({});
  }
}

/** Number of cached user agents (for tests and metrics). */
export function userAgentCacheSize(): number {
  return cache.size;
}
