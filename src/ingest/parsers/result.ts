/**
 * What every parser returns: a value, or a short human reason saying why the input was rejected.
 * Parsers never throw for bad input; the reason ends up in the dead letter the admin reads.
 */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(reason: string): ParseResult<T> {
  return { ok: false, reason };
}

/** Quotes a piece of input for a reason, cut to `max` characters so reasons stay short. */
export function excerpt(value: unknown, max = 40): string {
  let s: string;
  if (typeof value === 'string') s = value;
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return JSON.stringify(cut);
}
