import { TcpFramer, type Frame } from './tcp-framer';

const text = (frames: Frame[]) => frames.map((f) => (f.kind === 'message' ? f.data.toString('utf8') : `OVERSIZE ${f.size}: ${f.head.toString('utf8')}`));

/** Feeds `stream` in pieces of `size` bytes and returns every frame, end of stream included. */
function cut(stream: Buffer, size: number, max = 100): string[] {
  const framer = new TcpFramer(max);
  const out: Frame[] = [];
  for (let i = 0; i < stream.length; i += size) out.push(...framer.push(stream.subarray(i, i + size)));
  out.push(...framer.end());
  return text(out);
}

describe('TcpFramer', () => {
  it('splits newline-framed messages, skipping blank lines, whatever the chunk sizes', () => {
    const stream = Buffer.from('<13>one\n\n<13>two\r\n<13>three');
    for (const size of [1, 2, 3, 7, 100]) expect(cut(stream, size)).toEqual(['<13>one', '<13>two\r', '<13>three']);
  });

  it('reads octet-counted frames split across chunks, LF inside a frame included, mixed with LF framing', () => {
    const a = '<34>1 - h app - - - line one\nline two';
    const b = '<13>Nov 23 09:00:01 h t: é'; // multi-byte: counted in bytes
    const stream = Buffer.from(`${Buffer.byteLength(a)} ${a}${Buffer.byteLength(b)} ${b}<13>after\n`);
    for (const size of [1, 2, 5, 13, 1000]) expect(cut(stream, size)).toEqual([a, b, '<13>after']);
  });

  it('keeps only the first bytes and the size of a frame over the cap, in both framings, and carries on', () => {
    const big = 'x'.repeat(250);
    const stream = Buffer.from(`250 ${big}<13>ok\n${big}\n<13>ok2\n`);
    for (const size of [1, 64, 1000]) {
      expect(cut(stream, size, 100)).toEqual([`OVERSIZE 250: ${big}`, '<13>ok', `OVERSIZE 250: ${big}`, '<13>ok2']);
    }
  });

  it('does not hold more than the cap for a frame that never ends', () => {
    const framer = new TcpFramer(1000);
    for (let i = 0; i < 100; i++) expect(framer.push(Buffer.alloc(10_000, 120))).toEqual([]);
    const [last] = framer.end();
    expect(last).toMatchObject({ kind: 'oversize', size: 1_000_000 });
    expect(last.kind === 'oversize' && last.head.length).toBe(1024);
  });

  it('treats digits not followed by a space, or more than 10 of them, as the start of a line', () => {
    expect(cut(Buffer.from('2026-11-23 was a day\n12345678901234 x\n'), 4)).toEqual(['2026-11-23 was a day', '12345678901234 x']);
  });
});
