import type { Locality, LocalityLevel } from './types';
import { localityProblems } from './validate';

/**
 * Locality CSV import, the pure half: text → rows → every problem of every row, or the localities
 * to create (docs/localities.md). No I/O: the caller passes the localities that already exist.
 */

/** One problem of one row. `field` is `row` when the row itself cannot be read. */
export interface LocalityRowProblem {
  /** 1-based line in the file (blank lines and the header count). */
  readonly line: number;
  /** The row's code as written ('' when the row has none or cannot be read). */
  readonly code: string;
  readonly field: 'row' | 'code' | 'name' | 'level' | 'parent_code';
  readonly message: string;
}

/** A row whose cells could be read (its fields may still be wrong). */
export interface CsvRow {
  readonly line: number;
  readonly code: string;
  readonly name: string;
  readonly level: string;
  /** '' when the row has no parent. */
  readonly parentCode: string;
}

/** What an import would create, in creation order (central, then provinces, then communes; file order within a level). */
export type PlannedLocality = Omit<Locality, 'createdAt'>;

export type ImportCheck =
  | { readonly ok: true; readonly localities: readonly PlannedLocality[] }
  | { readonly ok: false; readonly problems: readonly LocalityRowProblem[] };

const COLUMNS = ['code', 'name', 'level', 'parent_code'];
const LEVEL_ORDER: Record<LocalityLevel, number> = { central: 0, province: 1, commune: 2 };
/** Codes shown in a cycle message before it is cut (a long cycle would make every row's message long). */
const CYCLE_SHOWN = 8;

/** The problem as `line N: field: message`, the form of `details.problems`. */
export const problemText = (p: LocalityRowProblem): string => `line ${p.line}: ${p.field}: ${p.message}`;

/**
 * Checks a whole CSV against the localities that exist: malformed rows, bad fields, duplicate
 * codes (in the file and existing), unknown parents, parents of the wrong level and cycles. Every
 * problem is returned, ordered by line; linear in the number of rows.
 */
export function checkLocalityCsv(text: string, existing: ReadonlyMap<string, Pick<Locality, 'level'>>): ImportCheck {
  const { rows, problems } = parseLocalityCsv(text);
  const { byCode, lines } = indexCodes(rows);
  const cycles = findCycles(byCode);
  for (const row of rows) {
    const own = rowProblems(row);
    problems.push(...own, ...duplicateProblems(row, lines.get(row.code) ?? [], existing));
    if (!own.some((p) => p.field === 'level' || p.field === 'parent_code')) {
      // Cycles run through the first row of each code; a later duplicate has its own parent.
      const p = parentProblem(row, byCode, existing, byCode.get(row.code) === row ? cycles.get(row.code) : undefined);
      if (p) problems.push(p);
    }
  }
  if (problems.length) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  return { ok: true, localities: plan(rows) };
}

/** Reads the rows: BOM, CRLF, an optional header, quoted cells. Rows that cannot be read become problems. */
export function parseLocalityCsv(text: string): { rows: CsvRow[]; problems: LocalityRowProblem[] } {
  const rows: CsvRow[] = [];
  const problems: LocalityRowProblem[] = [];
  let first = true;
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    const line = i + 1;
    const split = splitCsvLine(raw);
    const wasFirst = first;
    first = false;
    if ('error' in split) return void problems.push({ line, code: '', field: 'row', message: split.error });
    const cells = split.cells;
    if (wasFirst && cells[0].toLowerCase() === 'code') {
      if (!isHeader(cells)) {
        problems.push({ line, code: '', field: 'row', message: `the header must be ${COLUMNS.join(',')} (found ${clip(raw)})` });
      }
      return;
    }
    if (cells.length < 3 || cells.length > 4) {
      return void problems.push({ line, code: cells[0], field: 'row', message: `expected 4 cells (${COLUMNS.join(',')}; parent_code may be left out), found ${cells.length}` });
    }
    rows.push({ line, code: cells[0], name: cells[1], level: cells[2], parentCode: cells[3] ?? '' });
  });
  return { rows, problems };
}

/** code,name,level[,parent_code] (`parent` is taken for parent_code), in any case. */
function isHeader(cells: readonly string[]): boolean {
  const names = cells.map((c) => c.toLowerCase());
  return (names.length === 3 || names.length === 4) && names[1] === 'name' && names[2] === 'level' && [undefined, 'parent', 'parent_code'].includes(names[3]);
}

/**
 * Splits one line into trimmed cells. A cell may be double-quoted (then it may hold commas and
 * doubled quotes); a quote left open at the end of the line is an error.
 */
export function splitCsvLine(line: string): { cells: string[] } | { error: string } {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    let cell = '';
    if (line[i] === '"') {
      const opened = i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return { error: `unterminated quote: the cell opened at column ${opened + 1} has no closing "` };
        cell += line.slice(i, q);
        i = q + 1;
        if (line[i] !== '"') break;
        cell += '"';
        i++;
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') return { error: `unexpected text after the closing quote at column ${i}: quote the whole cell` };
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      cell = line.slice(i, end);
      i = end;
    }
    cells.push(cell.trim());
    if (i >= line.length) return { cells };
    i++;
  }
}

/** The field problems of one row, with the value that was given. */
function rowProblems(row: CsvRow): LocalityRowProblem[] {
  const given = { code: row.code, name: row.name, level: row.level, parent_code: row.parentCode } as const;
  const out: LocalityRowProblem[] = [];
  for (const field of ['code', 'name', 'level'] as const) {
    if (given[field] === '') out.push({ line: row.line, code: row.code, field, message: `${field} is empty` });
  }
  for (const text of localityProblems(given)) {
    const sep = text.indexOf(': ');
    const field = text.slice(0, sep) as keyof typeof given;
    if (given[field] === '') continue;
    out.push({ line: row.line, code: row.code, field, message: `${field} ${clip(given[field])} is invalid: ${text.slice(sep + 2)}` });
  }
  return out;
}

/** The first row of every code of the file (a parent is looked up there), and every line of every code. */
function indexCodes(rows: readonly CsvRow[]): { byCode: Map<string, CsvRow>; lines: Map<string, number[]> } {
  const byCode = new Map<string, CsvRow>();
  const lines = new Map<string, number[]>();
  for (const row of rows) {
    if (!row.code) continue;
    if (!byCode.has(row.code)) byCode.set(row.code, row);
    const seen = lines.get(row.code);
    if (seen) seen.push(row.line);
    else lines.set(row.code, [row.line]);
  }
  return { byCode, lines };
}

/** Duplicates of the row's code: other lines of the file (`lines`: every line of the code), an existing locality. */
function duplicateProblems(row: CsvRow, lines: readonly number[], existing: ReadonlyMap<string, unknown>): LocalityRowProblem[] {
  if (!row.code) return [];
  const out: LocalityRowProblem[] = [];
  if (lines.length > 1) {
    const others = lines.filter((l) => l !== row.line).join(', ');
    out.push({ line: row.line, code: row.code, field: 'code', message: `duplicate code ${row.code}: also on line${lines.length > 2 ? 's' : ''} ${others}` });
  }
  if (existing.has(row.code)) out.push({ line: row.line, code: row.code, field: 'code', message: `code ${row.code} already exists` });
  return out;
}

/** The one parent_code problem of a row whose level and parent_code are well-formed, if any. */
function parentProblem(
  row: CsvRow, byCode: ReadonlyMap<string, CsvRow>, existing: ReadonlyMap<string, Pick<Locality, 'level'>>, cycle: string | undefined,
): LocalityRowProblem | null {
  const at = (message: string): LocalityRowProblem => ({ line: row.line, code: row.code, field: 'parent_code', message });
  const level = row.level as LocalityLevel;
  const parent = row.parentCode;
  if (level === 'central') return parent ? at(`a central locality has no parent (given ${parent})`) : null;
  if (!parent) return level === 'commune' ? at('a commune needs parent_code: the code of its province') : null;
  if (cycle) return at(`cycle: ${cycle}`);
  const inFile = byCode.get(parent);
  const parentLevel = inFile ? inFile.level : existing.get(parent)?.level;
  if (parentLevel === undefined) return at(`unknown parent_code ${parent}: neither in this file nor an existing locality`);
  const wanted = level === 'province' ? 'central' : 'province';
  if (parentLevel === wanted || !Object.hasOwn(LEVEL_ORDER, parentLevel)) return null;
  return level === 'province'
    ? at(`a province's parent must be the central locality, not the ${parentLevel} ${parent}`)
    : at(`a commune's parent must be a province, not the ${parentLevel} ${parent}`);
}

/**
 * The parent_code loops of the file, as `A → B → A` for each code on one (started from that code).
 * Each code is walked once (a code's parent is its first row's), so this is linear.
 */
function findCycles(byCode: ReadonlyMap<string, CsvRow>): Map<string, string> {
  const cycles = new Map<string, string>();
  const done = new Set<string>();
  for (const start of byCode.keys()) {
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let code: string | undefined = start;
    while (code !== undefined && !done.has(code) && !onPath.has(code)) {
      onPath.set(code, path.length);
      path.push(code);
      const parent: string | undefined = byCode.get(code)?.parentCode;
      code = parent && byCode.has(parent) ? parent : undefined;
    }
    if (code !== undefined && onPath.has(code)) {
      const loop = path.slice(onPath.get(code));
      loop.forEach((c, k) => cycles.set(c, cycleText(loop, k)));
    }
    for (const c of path) done.add(c);
  }
  return cycles;
}

/** `A → B → A` from the k-th code of the loop; long loops are cut, with their length. */
function cycleText(loop: readonly string[], k: number): string {
  const shown = Math.min(loop.length, CYCLE_SHOWN);
  const codes = Array.from({ length: shown }, (_, j) => loop[(k + j) % loop.length]);
  return loop.length > CYCLE_SHOWN ? `${codes.join(' → ')} → … → ${loop[k]} (${loop.length} codes)` : [...codes, loop[k]].join(' → ');
}

/** The localities of a file with no problems, parents before children. */
function plan(rows: readonly CsvRow[]): PlannedLocality[] {
  const planned = rows.map((row): PlannedLocality => {
    const level = row.level as LocalityLevel;
    const parentCode = row.parentCode || null;
    const provinceCode = level === 'central' ? null : level === 'province' ? row.code : parentCode;
    return { code: row.code, name: row.name, level, parentCode, provinceCode };
  });
  return planned.sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]);
}

/** A value as shown in a message: quoted, control characters escaped, cut at 40 characters. */
function clip(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
