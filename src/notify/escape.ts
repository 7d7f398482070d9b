const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes `& < > " '` so untrusted text (log values, titles) is shown, never interpreted, in HTML. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * One line of text: CR, LF and other control characters (and the Unicode line separators) become
 * spaces, so an untrusted value cannot start a new header or a new line of a message; cut to `max`
 * characters.
 */
export function oneLine(value: string, max = 500): string {
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A group value or other scalar as one line of text (null shown as `-`). */
export function showValue(value: string | number | null | undefined, max = 500): string {
  return value === null || value === undefined ? '-' : oneLine(String(value), max);
}
