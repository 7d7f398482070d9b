/**
 * A received syslog frame (a UDP datagram or a TCP frame) as the one text line the ingest pipeline
 * queues: UTF-8 decoded (invalid bytes become U+FFFD), trailing CR/LF/NUL dropped, and every other
 * control character but TAB written as `#ooo` (its octal code, as rsyslog does on receive), so a
 * multi-line message stays one line and nothing downstream sees a raw control character.
 */
export function frameToLine(frame: Buffer): string {
  let end = frame.length;
  while (end > 0 && (frame[end - 1] === 10 || frame[end - 1] === 13 || frame[end - 1] === 0)) end--;
  return escapeControls(frame.toString('utf8', 0, end));
}

// C0 controls but TAB, and DEL.
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f]/g;

export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => `#${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/**
 * Starts the line that stands for a frame over the size cap: the ingest worker turns it into a dead
 * letter with the reason (sizes) and the first bytes of the frame. A sender writing this prefix
 * itself only gets its own message dead-lettered.
 */
export const OVERSIZE_PREFIX = '#canh-oversize ';
/** Bytes of an oversized frame kept in its dead letter. */
export const OVERSIZE_KEPT_BYTES = 1024;

/** The line for a frame of `size` bytes over `cap`, keeping its first bytes (`head`). */
export function oversizeLine(size: number, cap: number, head: Buffer): string {
  return `${OVERSIZE_PREFIX}${size} ${cap} ${frameToLine(head.subarray(0, OVERSIZE_KEPT_BYTES))}`;
}

/** The reason of an oversize line, or undefined when `line` is not one. */
export function oversizeReason(line: string): string | undefined {
  if (!line.startsWith(OVERSIZE_PREFIX)) return undefined;
  const m = /^(\d{1,15}) (\d{1,15}) /.exec(line.slice(OVERSIZE_PREFIX.length, OVERSIZE_PREFIX.length + 40));
  if (!m) return 'syslog frame over the size cap';
  return `syslog frame of ${m[1]} bytes is over the ${m[2]}-byte cap (its first ${OVERSIZE_KEPT_BYTES} bytes kept)`;
}
