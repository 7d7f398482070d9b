import { OVERSIZE_KEPT_BYTES } from './frame-line';

/** One syslog frame cut from a TCP stream: a message, or a frame over the size cap (its first bytes). */
export type Frame =
  | { readonly kind: 'message'; readonly data: Buffer }
  | { readonly kind: 'oversize'; readonly size: number; readonly head: Buffer };

type State =
  | { mode: 'start' }
  | { mode: 'octets'; remaining: number; size: number; parts: Buffer[]; over: boolean }
  | { mode: 'line'; size: number; parts: Buffer[]; over: boolean };

const MAX_COUNT_DIGITS = 10;

/**
 * Cuts a TCP byte stream into syslog frames (RFC 6587), deciding per frame: a frame starting with a
 * digit count and a space (`123 <34>1 ...`) is octet-counted, anything else ends at LF (a CR before
 * it is the sender's and is dropped later). Frames over `maxFrameBytes` are not kept: only their first
 * bytes and size, so one sender cannot make the receiver hold more than the cap per connection.
 */
export class TcpFramer {
  private state: State = { mode: 'start' };
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes: number) {}

  /** Frames completed by `chunk` (any split of the stream gives the same frames). */
  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0) {
      const used = this.step(data, out);
      if (used < 0) {
        this.pending = Buffer.from(data); // a count prefix not yet complete
        break;
      }
      data = data.subarray(used);
    }
    return out;
  }

  /** The stream ended: a last line without LF is still a frame; a cut octet-counted frame is one too. */
  end(): Frame[] {
    const out: Frame[] = [];
    const s = this.state;
    if (this.pending.length) out.push(...this.lineOrOversize(this.pending.length, [this.pending], false));
    else if (s.mode === 'line' || s.mode === 'octets') out.push(...this.lineOrOversize(s.size, s.parts, s.over));
    this.state = { mode: 'start' };
    this.pending = Buffer.alloc(0);
    return out.filter((f) => f.kind === 'oversize' || f.data.length > 0);
  }

  /** Consumes bytes from the start of `data`; returns how many, or -1 to wait for more. */
  private step(data: Buffer, out: Frame[]): number {
    const s = this.state;
    if (s.mode === 'start') return this.begin(data);
    if (s.mode === 'octets') {
      const take = Math.min(s.remaining, data.length);
      this.keep(s, data.subarray(0, take));
      s.remaining -= take;
      if (s.remaining === 0) {
        out.push(...this.lineOrOversize(s.size, s.parts, s.over));
        this.state = { mode: 'start' };
      }
      return take;
    }
    const lf = data.indexOf(10);
    const piece = lf < 0 ? data : data.subarray(0, lf);
    s.size += piece.length;
    this.keep(s, piece);
    if (lf < 0) return data.length;
    out.push(...this.lineOrOversize(s.size, s.parts, s.over));
    this.state = { mode: 'start' };
    return lf + 1;
  }

  private begin(data: Buffer): number {
    let i = 0;
    while (i < data.length && (data[i] === 10 || data[i] === 13)) i++; // blank lines between frames
    if (i > 0) return i;
    if (data[0] >= 0x31 && data[0] <= 0x39) {
      let j = 1;
      while (j < data.length && j <= MAX_COUNT_DIGITS && data[j] >= 0x30 && data[j] <= 0x39) j++;
      if (j === data.length && j <= MAX_COUNT_DIGITS) return -1;
      if (data[j] === 32 && j <= MAX_COUNT_DIGITS) {
        const size = Number(data.toString('latin1', 0, j));
        this.state = { mode: 'octets', remaining: size, size, parts: [], over: size > this.maxFrameBytes };
        return j + 1;
      }
    }
    this.state = { mode: 'line', size: 0, parts: [], over: false };
    return 0;
  }

  /** Keeps bytes of the current frame: all of them up to the cap, then only the head. */
  private keep(s: { parts: Buffer[]; over: boolean; size: number }, piece: Buffer): void {
    if (piece.length === 0) return;
    const held = s.parts.reduce((n, p) => n + p.length, 0);
    if (!s.over && held + piece.length > this.maxFrameBytes) s.over = true;
    const limit = s.over ? OVERSIZE_KEPT_BYTES : this.maxFrameBytes;
    if (held < limit) s.parts.push(Buffer.from(piece.subarray(0, limit - held)));
    if (s.over && held + piece.length > OVERSIZE_KEPT_BYTES && s.parts.length > 0) {
      const head = Buffer.concat(s.parts).subarray(0, OVERSIZE_KEPT_BYTES);
      s.parts.length = 0;
      s.parts.push(head);
    }
  }

  private lineOrOversize(size: number, parts: Buffer[], over: boolean): Frame[] {
    const data = Buffer.concat(parts);
    if (over || size > this.maxFrameBytes) return [{ kind: 'oversize', size, head: data.subarray(0, OVERSIZE_KEPT_BYTES) }];
    return [{ kind: 'message', data }];
  }
}
