import { excerpt, fail, ok, type ParseResult } from './result';

/** A JSON object as Canh handles it: plain, own keys only, no prototype-polluting keys. */
export type JsonObject = Record<string, unknown>;

/** Deepest nesting accepted in a JSON document. */
export const MAX_JSON_DEPTH = 32;
/** Most values (objects, arrays, scalars) accepted in one JSON document. */
export const MAX_JSON_NODES = 10_000;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN.has(key);
}

export function isPlainObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Names a JSON value's type for a reason: `an array`, `null`, `a string`. */
export function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * Copies a parsed JSON value into fresh plain objects and arrays, dropping `__proto__`,
 * `constructor` and `prototype` keys (at any depth and in any dotted segment), and refusing
 * documents nested deeper than MAX_JSON_DEPTH or larger than MAX_JSON_NODES. Non-JSON values
 * (functions, symbols, bigints, undefined, non-finite numbers) are dropped; NUL characters in
 * strings and keys become U+FFFD.
 */
export function sanitizeJson(value: unknown): ParseResult<unknown> {
  const budget = { nodes: 0 };
  const out = copy(value, 0, budget);
  if (out === TOO_DEEP) return fail(`JSON document is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (out === TOO_BIG) return fail(`JSON document has more than ${MAX_JSON_NODES} values`);
  return ok(out);
}

const TOO_DEEP = Symbol('too deep');
const TOO_BIG = Symbol('too big');
const DROP = Symbol('drop');

function copy(v: unknown, depth: number, budget: { nodes: number }): unknown {
  if (++budget.nodes > MAX_JSON_NODES) return TOO_BIG;
  if (typeof v === 'string') return safeString(v);
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : DROP;
  if (typeof v !== 'object') return DROP;
  if (depth >= MAX_JSON_DEPTH) return TOO_DEEP;
  if (Array.isArray(v)) {
    const arr: unknown[] = [];
    for (const item of v) {
      const c = copy(item, depth + 1, budget);
      if (c === TOO_DEEP || c === TOO_BIG) return c;
      if (c !== DROP) arr.push(c);
    }
    return arr;
  }
  const obj: JsonObject = {};
  for (const key of Object.keys(v)) {
    if (hasForbiddenSegment(key)) continue;
    const c = copy((v as JsonObject)[key], depth + 1, budget);
    if (c === TOO_DEEP || c === TOO_BIG) return c;
    if (c !== DROP) obj[safeString(key)] = c;
  }
  return obj;
}

/** NUL (a `\u0000` escape) becomes U+FFFD, as in raw lines (parse-batch.ts withoutNul). */
function safeString(s: string): string {
  return s.indexOf('\u0000') === -1 ? s : s.replace(/\u0000/g, '\uFFFD');
}

function hasForbiddenSegment(key: string): boolean {
  if (FORBIDDEN.has(key)) return true;
  if (key.indexOf('.') < 0) return false;
  return key.split('.').some((part) => FORBIDDEN.has(part));
}

/**
 * Turns dotted keys into nested objects, at every level: `{"http.response.status_code": 200}` →
 * `{http: {response: {status_code: 200}}}`. When a dotted key and a nested object both give a
 * value, the nested object and the dotted key are merged; for a scalar clash the later key wins.
 * Keys with an empty segment (`a..b`, `.a`) are dropped. Input must be sanitized.
 */
export function expandDotted(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(obj)) {
    const value = expandValue(obj[key]);
    if (key.indexOf('.') < 0) {
      if (key.length > 0) assign(out, key, value);
      continue;
    }
    const parts = key.split('.');
    if (parts.some((p) => p.length === 0)) continue;
    let cur = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = Object.prototype.hasOwnProperty.call(cur, parts[i]) ? cur[parts[i]] : undefined;
      if (!isPlainObject(next)) cur[parts[i]] = {};
      cur = cur[parts[i]] as JsonObject;
    }
    assign(cur, parts[parts.length - 1], value);
  }
  return out;
}

function expandValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(expandValue);
  return isPlainObject(v) ? expandDotted(v) : v;
}

function assign(target: JsonObject, key: string, value: unknown): void {
  const prev = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
  if (isPlainObject(prev) && isPlainObject(value)) {
    for (const k of Object.keys(value)) assign(prev, k, value[k]);
  } else {
    target[key] = value;
  }
}

/** Reads a nested field (`a.b.c`) of an expanded document, own keys only. */
export function readPath(doc: JsonObject, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Deletes a nested field (`a.b.c`) of an expanded document, and any object it leaves empty. */
export function deletePath(doc: JsonObject, path: string): void {
  const parts = path.split('.');
  const chain: JsonObject[] = [doc];
  for (let i = 0; i < parts.length - 1; i++) {
    const next = chain[i][parts[i]];
    if (!isPlainObject(next) || !Object.prototype.hasOwnProperty.call(chain[i], parts[i])) return;
    chain.push(next);
  }
  delete chain[parts.length - 1][parts[parts.length - 1]];
  for (let i = parts.length - 2; i >= 0; i--) {
    if (Object.keys(chain[i + 1]).length > 0) break;
    delete chain[i][parts[i]];
  }
}

/** Applies `fn` to every string value (not keys) of a sanitized JSON value, returning a copy. */
export function mapStrings(v: unknown, fn: (s: string) => string): unknown {
  if (typeof v === 'string') return fn(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, fn));
  if (!isPlainObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v)) out[k] = mapStrings(v[k], fn);
  return out;
}

/** Parses a JSON text into a sanitized value, with the parser's own message as the reason. */
export function parseJsonText(text: string): ParseResult<unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return fail(`invalid JSON: ${msg.length > 160 ? `${msg.slice(0, 160)}…` : msg}`);
  }
  return sanitizeJson(parsed);
}

/** Requires a JSON object. */
export function expectObject(v: unknown, what: string): ParseResult<JsonObject> {
  return isPlainObject(v) ? ok(v) : fail(`${what}: expected a JSON object, got ${describeJson(v)}${typeof v === 'string' || typeof v === 'number' ? ` ${excerpt(v)}` : ''}`);
}
