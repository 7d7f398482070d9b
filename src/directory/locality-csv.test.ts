import { checkLocalityCsv, problemText, splitCsvLine, type ImportCheck, type LocalityRowProblem } from './locality-csv';
import type { LocalityLevel } from './types';

const NONE = new Map<string, { level: LocalityLevel }>();
/** The tree that exists before the import in most cases: a central locality and one province. */
const TREE = new Map<string, { level: LocalityLevel }>([['VN', { level: 'central' }], ['01', { level: 'province' }], ['00004', { level: 'commune' }]]);

const rowsOf = (check: ImportCheck): readonly LocalityRowProblem[] => (check.ok ? [] : check.problems);
/** The problems as `details.problems` shows them. */
const problems = (text: string, existing = TREE) => rowsOf(checkLocalityCsv(text, existing)).map(problemText);
const planned = (text: string, existing = TREE) => {
  const check = checkLocalityCsv(text, existing);
  if (!check.ok) throw new Error(check.problems.map(problemText).join('\n'));
  return check.localities;
};

describe('splitCsvLine', () => {
  it('reads plain and quoted cells: commas and doubled quotes inside quotes, spaces around', () => {
    expect(splitCsvLine('a,b,,d')).toEqual({ cells: ['a', 'b', '', 'd'] });
    expect(splitCsvLine('01, "Hà Nội, thủ đô" ,province,')).toEqual({ cells: ['01', 'Hà Nội, thủ đô', 'province', ''] });
    expect(splitCsvLine('x,"Phường ""Ba Đình""",commune')).toEqual({ cells: ['x', 'Phường "Ba Đình"', 'commune'] });
    expect(splitCsvLine('"",""""')).toEqual({ cells: ['', '"'] });
  });

  it('refuses an unterminated quote and text after a closing quote', () => {
    expect(splitCsvLine('01,"Hà Nội,province')).toEqual({ error: 'unterminated quote: the cell opened at column 4 has no closing "' });
    expect(splitCsvLine('01,"Hà ""Nội""')).toEqual({ error: 'unterminated quote: the cell opened at column 4 has no closing "' });
    expect(splitCsvLine('01,"Hà" Nội,province')).toEqual({ error: 'unexpected text after the closing quote at column 8: quote the whole cell' });
  });
});

describe('checkLocalityCsv: a good file', () => {
  it('takes a BOM, CRLF line ends, a header, blank lines and quoted cells; plans parents first', () => {
    const csv = '\uFEFFcode,name,level,parent_code\r\n00007,"Phường ""Phúc Xá"", Ba Đình",commune,79\r\n\r\n79,TP Hồ Chí Minh,province,VN\r\n00010,Trúc Bạch,commune,01\r\n';
    expect(planned(csv)).toEqual([
      { code: '79', name: 'TP Hồ Chí Minh', level: 'province', parentCode: 'VN', provinceCode: '79' },
      { code: '00007', name: 'Phường "Phúc Xá", Ba Đình', level: 'commune', parentCode: '79', provinceCode: '79' },
      { code: '00010', name: 'Trúc Bạch', level: 'commune', parentCode: '01', provinceCode: '01' },
    ]);
  });

  it('builds a whole tree from nothing; a province may have no parent; parent_code may be left out', () => {
    expect(planned('00001,Phúc Xá,commune,02\n02,Hà Giang,province\nVN,Trung ương,central,\n01,Hà Nội,province,VN', NONE).map((l) => [l.code, l.parentCode, l.provinceCode])).toEqual([
      ['VN', null, null], ['02', null, '02'], ['01', 'VN', '01'], ['00001', '02', '02'],
    ]);
  });

  it('an empty file plans nothing', () => {
    expect(planned('')).toEqual([]);
    expect(planned('\uFEFFcode,name,level,parent_code\r\n')).toEqual([]);
  });
});

describe('checkLocalityCsv: malformed rows', () => {
  it('reports every malformed row with its line, field and the value given', () => {
    const csv = [
      'code,name,level,parent_code', // 1
      '00001,Phúc Xá', // 2: too few cells
      '00002,Trúc Bạch,commune,01,extra', // 3: too many
      ',Vĩnh Phúc,commune,01', // 4: empty code
      '00005,,commune,01', // 5: empty name
      '00006,Ngọc Hà,ward,01', // 6: bad level
      '00 7,Giảng Võ,commune,01', // 7: code pattern
      '00008,"Ba Đình,commune,01', // 8: unterminated quote
      '00009,Kim Mã,commune,0/1', // 9: parent_code pattern
      '00010,Liễu Giai,,01', // 10: empty level
      '00011,Cống Vị,commune,01', // 11: good
    ].join('\n');
    expect(problems(csv)).toEqual([
      'line 2: row: expected 4 cells (code,name,level,parent_code; parent_code may be left out), found 2',
      'line 3: row: expected 4 cells (code,name,level,parent_code; parent_code may be left out), found 5',
      'line 4: code: code is empty',
      'line 5: name: name is empty',
      'line 6: level: level "ward" is invalid: one of central, province, commune',
      'line 7: code: code "00 7" is invalid: 1-32 letters, digits, "-" or "_" (an official code such as 01 or 00004)',
      'line 8: row: unterminated quote: the cell opened at column 7 has no closing "',
      'line 9: parent_code: parent_code "0/1" is invalid: a locality code',
      'line 10: level: level is empty',
    ]);
  });

  it('gives each problem as {line, code, field, message}', () => {
    expect(rowsOf(checkLocalityCsv('01,Hà Nội,province,VN\n00002,Trúc Bạch,bad,01\n"x', TREE))).toEqual([
      { line: 2, code: '00002', field: 'level', message: 'level "bad" is invalid: one of central, province, commune' },
      { line: 3, code: '', field: 'row', message: 'unterminated quote: the cell opened at column 1 has no closing "' },
      { line: 1, code: '01', field: 'code', message: 'code 01 already exists' },
    ].sort((a, b) => a.line - b.line));
  });

  it('refuses a header that names other columns, and cuts long values in messages', () => {
    expect(problems('code,level,name,parent_code\n00001,Phúc Xá,commune,01')).toEqual([
      'line 1: row: the header must be code,name,level,parent_code (found "code,level,name,parent_code")',
    ]);
    expect(problems(`${'x'.repeat(50)},Phúc Xá,commune,01`)).toEqual([
      `line 1: code: code "${'x'.repeat(40)}…" is invalid: 1-32 letters, digits, "-" or "_" (an official code such as 01 or 00004)`,
    ]);
  });
});

describe('checkLocalityCsv: duplicates and parents', () => {
  it('names every line of a code given twice or more, and codes that already exist', () => {
    const csv = '00001,Phúc Xá,commune,01\n00002,Trúc Bạch,commune,01\n00001,Phúc Xá 2,commune,01\n00004,Ba Đình,commune,01\n00001,again,commune,01';
    expect(problems(csv)).toEqual([
      'line 1: code: duplicate code 00001: also on lines 3, 5',
      'line 3: code: duplicate code 00001: also on lines 1, 5',
      'line 4: code: code 00004 already exists',
      'line 5: code: duplicate code 00001: also on lines 1, 3',
    ]);
    expect(problems('02,A,province,VN\n02,B,province,VN')).toEqual(['line 1: code: duplicate code 02: also on line 2', 'line 2: code: duplicate code 02: also on line 1']);
  });

  it('reports a parent that is neither in the file nor existing', () => {
    expect(problems('02,Hà Giang,province,VN\n00001,Phúc Xá,commune,03\n00002,Trúc Bạch,commune,02\n04,Cao Bằng,province,XX')).toEqual([
      'line 2: parent_code: unknown parent_code 03: neither in this file nor an existing locality',
      'line 4: parent_code: unknown parent_code XX: neither in this file nor an existing locality',
    ]);
  });

  it('reports parents of the wrong level, from the file or existing', () => {
    const csv = [
      'VN2,Trung ương 2,central,VN', // 1: a central locality has no parent
      '00001,Phúc Xá,commune,', // 2: a commune needs a parent
      '00002,Trúc Bạch,commune,00004', // 3: commune under an existing commune
      '00003,Ngọc Hà,commune,VN', // 4: commune under central
      '02,Hà Giang,province,01', // 5: province under an existing province
      '03,Cao Bằng,province,00002', // 6: province under a commune of the file
      '00005,Kim Mã,commune,03', // 7: fine (03 is a province of the file, itself wrong)
    ].join('\n');
    expect(problems(csv)).toEqual([
      'line 1: parent_code: a central locality has no parent (given VN)',
      'line 2: parent_code: a commune needs parent_code: the code of its province',
      'line 3: parent_code: a commune\'s parent must be a province, not the commune 00004',
      'line 4: parent_code: a commune\'s parent must be a province, not the central VN',
      'line 5: parent_code: a province\'s parent must be the central locality, not the province 01',
      'line 6: parent_code: a province\'s parent must be the central locality, not the commune 00002',
    ]);
  });

  it('does not add a parent problem to a row whose level is already wrong, nor judge a child by a parent of unknown level', () => {
    expect(problems('02,Hà Giang,state,VN\n00001,Phúc Xá,commune,02')).toEqual(['line 1: level: level "state" is invalid: one of central, province, commune']);
  });
});

describe('checkLocalityCsv: cycles', () => {
  it('reports a two-row loop on both rows, each from its own code', () => {
    expect(problems('code,name,level,parent_code\nA,a,commune,B\nB,b,province,A\n00001,Phúc Xá,commune,01')).toEqual([
      'line 2: parent_code: cycle: A → B → A',
      'line 3: parent_code: cycle: B → A → B',
    ]);
  });

  it('reports a row naming itself, a three-row loop, and leaves rows hanging off a loop to the other checks', () => {
    const csv = 'S,s,province,S\nP,p,commune,Q\nQ,q,commune,R\nR,r,commune,P\nC,c,commune,P\nD,d,commune,C';
    expect(problems(csv, NONE)).toEqual([
      'line 1: parent_code: cycle: S → S',
      'line 2: parent_code: cycle: P → Q → R → P',
      'line 3: parent_code: cycle: Q → R → P → Q',
      'line 4: parent_code: cycle: R → P → Q → R',
      "line 5: parent_code: a commune's parent must be a province, not the commune P",
      "line 6: parent_code: a commune's parent must be a province, not the commune C",
    ]);
  });

  it('follows the first row of a duplicated code, and ends on a long loop with a short message', () => {
    expect(problems('A,a,province,B\nB,b,province,A\nA,a2,province,VN')).toEqual([
      'line 1: code: duplicate code A: also on line 3',
      'line 1: parent_code: cycle: A → B → A',
      'line 2: parent_code: cycle: B → A → B',
      'line 3: code: duplicate code A: also on line 1',
    ]);
    const n = 1000;
    const loop = Array.from({ length: n }, (_, i) => `C${i},c,commune,C${(i + 1) % n}`).join('\n');
    const found = problems(loop, NONE);
    expect(found).toHaveLength(n);
    expect(found[0]).toBe('line 1: parent_code: cycle: C0 → C1 → C2 → C3 → C4 → C5 → C6 → C7 → … → C0 (1000 codes)');
    expect(found[999]).toBe('line 1000: parent_code: cycle: C999 → C0 → C1 → C2 → C3 → C4 → C5 → C6 → … → C999 (1000 codes)');
  });
});

describe('checkLocalityCsv: a country', () => {
  const country = (communes: number) => {
    const lines = ['code,name,level,parent_code', 'VN,Trung ương,central,'];
    for (let p = 1; p <= 63; p++) lines.push(`P${p},"Tỉnh ${p}, Việt Nam",province,VN`);
    for (let c = 1; c <= communes; c++) lines.push(`${String(c).padStart(5, '0')},Xã ${c},commune,P${(c % 63) + 1}`);
    return lines;
  };

  it('plans 20,000 communes under 63 provinces', () => {
    const plan = planned(country(20_000).join('\r\n'), NONE);
    expect(plan).toHaveLength(1 + 63 + 20_000);
    expect(plan[0]).toMatchObject({ code: 'VN', level: 'central' });
    expect(plan[64]).toEqual({ code: '00001', name: 'Xã 1', level: 'commune', parentCode: 'P2', provinceCode: 'P2' });
    expect(plan[plan.length - 1]).toMatchObject({ code: '20000', provinceCode: `P${(20_000 % 63) + 1}` });
  });

  it('finds the few bad rows among 20,000 with their lines (commune n is on line 65 + n)', () => {
    const lines = country(20_000);
    lines[10_000] = lines[10_000].replace(/,P\d+$/, ',P99'); // line 10001
    lines[15_000] = lines[200]; // line 15001 repeats line 201 (commune 00136)
    lines.push('00100,Xã lặp,commune,P1'); // line 20066 repeats the code of line 165
    expect(problems(lines.join('\n'), NONE)).toEqual([
      'line 165: code: duplicate code 00100: also on line 20066',
      'line 201: code: duplicate code 00136: also on line 15001',
      'line 10001: parent_code: unknown parent_code P99: neither in this file nor an existing locality',
      'line 15001: code: duplicate code 00136: also on line 201',
      'line 20066: code: duplicate code 00100: also on line 165',
    ]);
  });

  it('reports a loop of 20,000 rows on every row without walking it more than once', () => {
    const n = 20_000;
    const found = problems(Array.from({ length: n }, (_, i) => `C${i},c,province,C${(i + 1) % n}`).join('\n'), NONE);
    expect(found).toHaveLength(n);
    expect(found[n - 1]).toBe(`line ${n}: parent_code: cycle: C${n - 1} → C0 → C1 → C2 → C3 → C4 → C5 → C6 → … → C${n - 1} (${n} codes)`);
  });
});
