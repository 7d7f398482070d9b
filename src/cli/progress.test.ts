import { progressLine, renderBar, type ProgressOutput } from './progress';

describe('renderBar', () => {
  it('fills the share done and shows the percentage and counts', () => {
    expect(renderBar(500, 1000, 20)).toBe('[##########----------]  50%  500/1000 windows');
    expect(renderBar(0, 120, 10)).toBe('[----------]   0%  0/120 windows');
    expect(renderBar(120, 120, 10)).toBe('[##########] 100%  120/120 windows');
  });

  it('rounds down, so the bar is full only when everything is done', () => {
    expect(renderBar(999, 1000, 20)).toBe('[###################-]  99%  999/1000 windows');
  });

  it('clamps done beyond the total and shows an empty range as full', () => {
    expect(renderBar(7, 5, 5)).toBe('[#####] 100%  7/5 windows');
    expect(renderBar(0, 0, 4)).toBe('[####] 100%  0/0 windows');
  });
});

describe('progressLine', () => {
  const output = (isTTY: boolean, columns?: number) => {
    const written: string[] = [];
    const out: ProgressOutput = { isTTY, columns, write: (text) => written.push(text) > 0 };
    return { out, written };
  };

  it('redraws the bar in place on a terminal and erases it on clear', () => {
    const { out, written } = output(true, 72);
    const line = progressLine(out);
    line.update(1, 4);
    line.update(4, 4);
    line.clear();
    line.clear();
    expect(written).toEqual([`\r${renderBar(1, 4, 40)}`, `\r${renderBar(4, 4, 40)}`, '\r\x1b[2K']);
  });

  it('uses a narrower bar on a narrow terminal', () => {
    const { out, written } = output(true, 50);
    progressLine(out).update(1, 2);
    expect(written).toEqual([`\r${renderBar(1, 2, 18)}`]);
  });

  it('writes nothing when the output is not a terminal', () => {
    const { out, written } = output(false);
    const line = progressLine(out);
    line.update(1, 2);
    line.clear();
    expect(written).toEqual([]);
  });
});
