/**
 * How Elasticsearch shippers present a Canh source key. A key travels in the `Authorization` header
 * in one of three forms, all accepted on every ingest route:
 *
 * - `ApiKey <key>`: the key itself (curl, Fluent Bit `http_api_key`, Vector `request.headers`).
 * - `ApiKey base64(<id>:<key>)`: what Filebeat and Logstash send for `api_key: "<id>:<key>"`; the id
 *   is ignored, so any id works (`canh:<key>` reads well).
 * - `Basic base64(<user>:<key>)`: the key as the password (Vector `auth.strategy: basic`, Fluent Bit
 *   `HTTP_User`/`HTTP_Passwd`, rsyslog `uid`/`pwd`, Logstash `user`/`password`); the user is ignored.
 *   When the password is empty the user part is taken instead (`curl -u <key>:`).
 *
 * Scheme names are case-insensitive (RFC 9110). Pure: no I/O.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/** The source key carried by an `Authorization` header value, or null when there is none. */
export function extractApiKey(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const value = authorization.trim();
  const space = value.search(/\s/);
  if (space <= 0) return null;
  const scheme = value.slice(0, space).toLowerCase();
  const token = value.slice(space + 1).trim();
  if (token === '') return null;
  if (scheme === 'apikey') return fromApiKeyToken(token);
  if (scheme === 'basic') return fromBasicToken(token);
  return null;
}

/** `ApiKey` carries either the key or base64(id:key). */
function fromApiKeyToken(token: string): string | null {
  const decoded = decodeBase64Text(token);
  if (decoded === null) return token;
  const colon = decoded.indexOf(':');
  if (colon === -1) return token;
  const key = decoded.slice(colon + 1);
  return key === '' ? null : key;
}

/** `Basic` carries base64(user:password); the key is the password (or the user when no password). */
function fromBasicToken(token: string): string | null {
  const decoded = decodeBase64Text(token);
  if (decoded === null) return null;
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  const password = colon === -1 ? '' : decoded.slice(colon + 1);
  if (password !== '') return password;
  return user === '' ? null : user;
}

/**
 * Decodes standard base64 (what every shipper sends) into printable UTF-8 text; null when the token is
 * not base64 or decodes to bytes that are not text. Canh keys (`canh_…`) contain `_`, which standard
 * base64 never does, so a raw key is never mistaken for an encoded pair.
 */
function decodeBase64Text(token: string): string | null {
  if (!BASE64.test(token)) return null;
  const bytes = Buffer.from(token, 'base64');
  const text = bytes.toString('utf8');
  if (text.length === 0 || !Buffer.from(text, 'utf8').equals(bytes)) return null;
  if (/[\u0000-\u001f\u007f]/.test(text)) return null;
  return text;
}
