import { deletePath, readPath, type JsonObject } from './json-doc';
import { excerpt, fail, ok, type ParseResult } from './result';

/**
 * Reading typed fields out of JSON documents whose senders spell things differently. Each field has
 * a list of paths (ECS first, then short aliases); the first one present wins and every listed path
 * is removed from the document so that aliases do not linger in the stored event.
 */
export interface Picked {
  readonly path: string;
  readonly value: unknown;
}

/** The first present (not null/undefined) of `paths`; all of them are deleted from `doc`. */
export function take(doc: JsonObject, paths: readonly string[]): Picked | undefined {
  let found: Picked | undefined;
  for (const path of paths) {
    const value = readPath(doc, path);
    if (value === undefined) continue;
    if (found === undefined && value !== null) found = { path, value };
    deletePath(doc, path);
  }
  return found;
}

/** Like take() but leaves the document alone. */
export function peek(doc: JsonObject, paths: readonly string[]): Picked | undefined {
  for (const path of paths) {
    const value = readPath(doc, path);
    if (value !== undefined && value !== null) return { path, value };
  }
  return undefined;
}

/** A text value: strings (trimmed; `-` and empty → undefined) and numbers; anything else is an error. */
export function asText(p: Picked | undefined, what: string): ParseResult<string | undefined> {
  if (p === undefined) return ok(undefined);
  if (typeof p.value === 'number' || typeof p.value === 'boolean') return ok(String(p.value));
  if (typeof p.value !== 'string') return fail(`${what}: field "${p.path}" must be a string, got ${excerpt(p.value)}`);
  const s = p.value.trim();
  return ok(s === '' || s === '-' ? undefined : s);
}

/**
 * A number (or numeric string) in [min, max]; `-` and empty → undefined. `integer` refuses fractions.
 */
export function asNumber(
  p: Picked | undefined, what: string, opts: { min?: number; max?: number; integer?: boolean } = {},
): ParseResult<number | undefined> {
  if (p === undefined) return ok(undefined);
  let n: number;
  if (typeof p.value === 'number') n = p.value;
  else if (typeof p.value === 'string') {
    const s = p.value.trim();
    if (s === '' || s === '-') return ok(undefined);
    n = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN;
  } else n = NaN;
  const min = opts.min ?? 0;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isFinite(n) || n < min || n > max || (opts.integer === true && !Number.isInteger(n))) {
    const kind = opts.integer === true ? 'an integer' : 'a number';
    return fail(`${what}: field "${p.path}" must be ${kind} from ${min} to ${max}, got ${excerpt(p.value)}`);
  }
  return ok(n);
}
