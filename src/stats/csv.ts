/** A table to export: a header row and rows of cells (null and undefined are empty cells). */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly (string | number | boolean | null | undefined)[])[];
}

/** First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection), tab and CR included. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: text that a spreadsheet would run as a formula (starting with = + - @, tab or CR)
 * gets a leading `'`; then, as RFC 4180, a cell holding a comma, a double quote, CR or LF is
 * quoted with its double quotes doubled. Numbers are written as they are (a negative number stays
 * a number: only text is prefixed).
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The table as CSV text: CRLF line ends (RFC 4180), header first, ending with a CRLF. */
export function renderCsv(table: CsvTable): string {
  return [table.header, ...table.rows].map((row) => row.map(csvCell).join(',') + '\r\n').join('');
}
