import { csvCell, renderCsv } from './csv';

describe('csvCell', () => {
  it('prefixes text a spreadsheet would run as a formula with a quote', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('+1+cmd|/c calc')).toBe("'+1+cmd|/c calc");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tTAB')).toBe("'\tTAB");
  });

  it('leaves numbers, including negative ones, as numbers', () => {
    expect(csvCell(-3.5)).toBe('-3.5');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('quotes cells with commas, quotes or line breaks and doubles their quotes (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('line1\r\nline2')).toBe('"line1\r\nline2"');
    expect(csvCell('plain text')).toBe('plain text');
  });

  it('writes null and undefined as empty cells and booleans as words', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
  });
});

describe('renderCsv', () => {
  it('writes the header then the rows, each ending with CRLF', () => {
    const csv = renderCsv({ header: ['locality', 'count'], rows: [['00004', 3], ['=cmd', null], ['a "b", c', -1]] });
    expect(csv).toBe('locality,count\r\n00004,3\r\n\'=cmd,\r\n"a ""b"", c",-1\r\n');
  });

  it('writes only the header for no rows', () => {
    expect(renderCsv({ header: ['a', 'b'], rows: [] })).toBe('a,b\r\n');
  });
});
