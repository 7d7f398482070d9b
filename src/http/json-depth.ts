/**
 * Nesting depth of a JSON text, found by one linear scan before anything parses it, so a body of
 * a million `[` costs one pass over its characters and no stack. Pure.
 *
 * Depth counts open containers: `1` and `"a"` are depth 0, `{"a":1}` is 1, `[[1]]` is 2. Brackets
 * inside strings (with their `\"` escapes) do not count. The scan does not validate the JSON: the
 * parser that runs afterwards does.
 */

/** Where a text first goes deeper than the limit. */
export interface TooDeep {
  /** 0-based character offset of the bracket that opens the level past the limit. */
  readonly position: number;
  /** The limit that was passed. */
  readonly maxDepth: number;
}

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const OPEN_BRACE = 123; // {
const OPEN_BRACKET = 91; // [
const CLOSE_BRACE = 125; // }
const CLOSE_BRACKET = 93; // ]

/** The first place `text` nests deeper than `maxDepth` containers, or null when it never does. */
export function findTooDeep(text: string, maxDepth: number): TooDeep | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return { position: i, maxDepth };
    } else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && depth > 0) {
      depth--;
    }
  }
  return null;
}
