/**
 * The progress bar of long CLI commands (`canh rules test`): a pure renderer and a one-line drawer
 * for a terminal.
 */

/**
 * One line of progress, e.g. `[##########----------]  50%  500/1000 windows`. `width` is the
 * number of cells between the brackets; done is clamped to [0, total]. A total of 0 shows as full.
 */
export function renderBar(done: number, total: number, width: number): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const cells = Math.max(0, Math.floor(width));
  const filled = Math.floor(ratio * cells);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(cells - filled)}] ${percent}  ${done}/${total} windows`;
}

/** The part of a stream (process.stderr) the drawer uses. */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

/** Draws a bar in place on one line of a terminal; does nothing when the output is not a terminal. */
export interface ProgressLine {
  update(done: number, total: number): void;
  /** Erases the bar (if one was drawn), so the next output starts on a clean line. */
  clear(): void;
}

/** Cells between the brackets: 40, less on a narrow terminal (the text after the bar needs about 30). */
const barWidth = (columns: number | undefined) => Math.max(10, Math.min(40, (columns ?? 80) - 32));

/** A ProgressLine on `out` (by default stderr): `\r` + the bar on each update, erased by clear(). */
export function progressLine(out: ProgressOutput = process.stderr): ProgressLine {
  let drawn = false;
  return {
    update(done, total) {
      if (!out.isTTY) return;
      out.write(`\r${renderBar(done, total, barWidth(out.columns))}`);
      drawn = true;
    },
    clear() {
      if (!drawn) return;
      out.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
