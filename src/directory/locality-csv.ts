import { localityProblems, toLocalityInput, type LocalityInput } from './validate';

export interface CsvRow {
  /** 1-based line in the file. */
  readonly line: number;
  readonly value: LocalityInput;
  readonly error?: string;
}

/**
 * Parses `code,name,level,parent_code` rows (a header line is skipped when its first cell is
 * "code"). Double-quoted cells may contain commas and doubled quotes.
 */
export function parseLocalityCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (!raw.trim()) return;
    const cells = splitCsvLine(raw);
    if (i === 0 && cells[0]?.trim().toLowerCase() === 'code') return;
    const [code, name, level, parent] = cells.map((c) => c.trim());
    const record = { code, name, level, parent_code: parent ?? '' };
    const problems = cells.length < 3 ? ['expected code,name,level,parent_code'] : localityProblems(record);
    const value = toLocalityInput({ ...record, name: name ?? '' });
    rows.push(problems.length ? { line: i + 1, value, error: problems.join('; ') } : { line: i + 1, value });
  });
  return rows;
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') cells.push(cur), (cur = '');
    else cur += ch;
  }
  cells.push(cur);
  return cells;
}
