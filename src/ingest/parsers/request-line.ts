/** Pieces of an HTTP request line (`GET /path?q=1 HTTP/1.1`) and of a URL, as ECS names them. */
export interface RequestParts {
  /** Upper-case method; absent when the request line is not `METHOD URL [PROTO]`. */
  readonly method?: string;
  /** The URL as sent, or the whole raw request line when it could not be split. */
  readonly url: string;
  /** `1.1` for `HTTP/1.1`. */
  readonly version?: string;
}

export interface UrlParts {
  readonly scheme?: string;
  readonly domain?: string;
  readonly port?: number;
  readonly path?: string;
  /** Without the `?`; an empty string when the URL ends in a bare `?`. */
  readonly query?: string;
  readonly fragment?: string;
}

/** True for an HTTP method token: 1–20 upper-case letters, `-` or `_` (GET, PROPFIND, M-SEARCH). */
export function isMethodToken(s: string): boolean {
  if (s.length === 0 || s.length > 20) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || c === 45 || c === 95)) return false;
  }
  return true;
}

/**
 * Splits `METHOD URL PROTO`. The URL may itself contain spaces (some clients do not encode them), so
 * the method is taken before the first space and the protocol after the last. Anything else (`-`,
 * TLS handshakes sent to a plain HTTP port, garbage) keeps the raw text as the URL and no method.
 */
export function splitRequestLine(request: string): RequestParts {
  const first = request.indexOf(' ');
  if (first <= 0) return { url: request };
  const method = request.slice(0, first);
  if (!isMethodToken(method)) return { url: request };
  const last = request.lastIndexOf(' ');
  if (last > first && request.startsWith('HTTP/', last + 1)) {
    const url = request.slice(first + 1, last);
    if (url.length === 0) return { url: request };
    return { method, url, version: request.slice(last + 6) || undefined };
  }
  const url = request.slice(first + 1);
  return url.length === 0 ? { url: request } : { method, url };
}

const ABSOLUTE = /^([a-zA-Z][a-zA-Z0-9+.-]{0,15}):\/\/([^/?#]*)/;

/** Splits an origin-form (`/a?b`) or absolute-form (`http://h:8080/a?b`) URL. */
export function splitUrl(url: string): UrlParts {
  let rest = url;
  let scheme: string | undefined;
  let domain: string | undefined;
  let port: number | undefined;
  if (url.charCodeAt(0) !== 47) {
    const m = ABSOLUTE.exec(url);
    if (m !== null) {
      scheme = m[1].toLowerCase();
      const host = hostPort(m[2]);
      domain = host.domain;
      port = host.port;
      rest = url.slice(m[0].length);
    } else if (url === '*' || url.indexOf('/') < 0) {
      return {}; // OPTIONS *, CONNECT host:port, or garbage: only url.original
    }
  }
  let fragment: string | undefined;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const path = rest.length > 0 ? rest : undefined;
  return { scheme, domain, port, path, query, fragment };
}

function hostPort(authority: string): { domain?: string; port?: number } {
  const at = authority.lastIndexOf('@'); // never keep credentials
  const hp = at >= 0 ? authority.slice(at + 1) : authority;
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(hp);
  if (m === null) return {};
  const domain = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  const port = m[2] === undefined ? undefined : Number(m[2]);
  return { domain: domain || undefined, port: port !== undefined && port <= 65535 ? port : undefined };
}

/**
 * Undoes the escaping Apache and nginx apply inside quoted log fields: `\"`, `\\` and `\xHH`
 * (nginx writes `"` as `\x22` and non-ASCII bytes as `\xHH`; runs of bytes are decoded as UTF-8).
 */
export function unescapeLogField(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  let out = '';
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length > 0) {
      out += Buffer.from(bytes).toString('utf8');
      bytes = [];
    }
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      const n = s[i + 1];
      if (n === 'x' && i + 3 < s.length) {
        const hex = s.slice(i + 2, i + 4);
        if (/^[0-9a-fA-F]{2}$/.test(hex)) {
          bytes.push(parseInt(hex, 16));
          i += 3;
          continue;
        }
      }
      flush();
      const simple = n === '"' || n === '\\' ? n : n === 'n' ? '\n' : n === 't' ? '\t' : undefined;
      if (simple !== undefined) {
        out += simple;
        i++;
        continue;
      }
      out += c;
      continue;
    }
    flush();
    out += c;
  }
  flush();
  return out;
}
