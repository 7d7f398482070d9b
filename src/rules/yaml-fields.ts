import { LineCounter, YAMLMap, isMap, isScalar, isSeq } from 'yaml';
import { parseDuration } from '../lib/time';
import { MATCH_ALL, type FilterNode } from '../query/ast';
import { parseFilter } from '../query/parse';
import { closest, didYouMean } from './suggest';

/**
 * Reading YAML mappings for the rule schema: each getter reports a problem as a RuleError with the
 * file, the 1-based line and the dotted field, and returns undefined, so a rule's every problem is
 * reported in one pass.
 */

/** One problem found while loading rules. `line` is 1-based; 0 means the whole file. */
export interface RuleError {
  readonly file: string;
  readonly line: number;
  /** Dotted path of the offending key (`condition.ratio`, `condition.steps[1].filter`); '' for the file. */
  readonly field: string;
  readonly message: string;
}

/** Where the YAML being read comes from. */
export interface RuleSource {
  readonly file: string;
  readonly lineCounter: LineCounter;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

// ── reading YAML nodes ───────────────────────────────────────────────────────────────────────────
type Got = { readonly node: unknown; readonly line: number; readonly field: string };

/** What a YAML node is, for messages (`a mapping`, `"text"`, `nothing`...). */
export function describeNode(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null || node.value === undefined) return 'nothing';
    return typeof node.value === 'string' ? `"${node.value}"` : String(node.value);
  }
  return 'an unsupported value';
}

/** Formats ms as the largest whole unit, for messages. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE], ['s', SECOND]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Reads the keys of one YAML mapping; problems go to `errors`. */
export class Fields {
  private readonly pairs = new Map<string, { key: unknown; value: unknown }>();

  constructor(
    private readonly src: RuleSource,
    private readonly errors: RuleError[],
    map: YAMLMap,
    private readonly path: string,
    readonly line: number,
  ) {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      this.pairs.set(key, { key: pair.key, value: pair.value });
    }
  }

  lineOf(node: unknown, fallback = this.line): number {
    const range = (node as { range?: readonly number[] } | null)?.range;
    return range ? this.src.lineCounter.linePos(range[0]).line : fallback;
  }

  field(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  fail(line: number, field: string, message: string): undefined {
    this.errors.push({ file: this.src.file, line, field, message });
    return undefined;
  }

  /** Rejects keys outside `allowed`, suggesting the closest; `hint` may explain a known mistake. */
  checkKeys(allowed: readonly string[], hint: (key: string) => string | undefined = () => undefined): void {
    for (const [key, { key: node }] of this.pairs) {
      if (allowed.includes(key)) continue;
      const suggestion = didYouMean(key, allowed);
      const extra = suggestion || hint(key) || (allowed.length ? `; expected one of: ${allowed.join(', ')}` : '');
      this.fail(this.lineOf(node), this.field(key), `unknown key '${key}'${extra}`);
    }
  }

  /** The value of `key`, or undefined when absent or null (`key:` with nothing after it). */
  get(key: string): Got | undefined {
    const pair = this.pairs.get(key);
    if (!pair) return undefined;
    if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) return undefined;
    return { node: pair.value, line: this.lineOf(pair.value, this.lineOf(pair.key)), field: this.field(key) };
  }

  has(key: string): boolean {
    return this.pairs.has(key);
  }

  required(key: string, what = ''): Got | undefined {
    const got = this.get(key);
    if (got) return got;
    const pair = this.pairs.get(key);
    const message = pair ? `'${key}' must not be empty` : `missing required key '${key}'`;
    return this.fail(pair ? this.lineOf(pair.key) : this.line, this.field(key), message + what);
  }

  scalar<T>(got: Got, kind: string, test: (v: unknown) => v is T): T | undefined {
    if (isScalar(got.node) && test(got.node.value)) return got.node.value;
    return this.fail(got.line, got.field, `expected ${kind}, got ${describeNode(got.node)}`);
  }

  str(key: string, opts: { required?: boolean; def?: string; pattern?: RegExp; rule?: string; max?: number }): string | undefined {
    const got = opts.required ? this.required(key) : this.get(key);
    if (!got) return opts.def;
    const v = this.scalar(got, 'a string', (x): x is string => typeof x === 'string');
    if (v === undefined) return undefined;
    if (opts.pattern && !opts.pattern.test(v)) return this.fail(got.line, got.field, `invalid value "${v}": ${opts.rule}`);
    if (opts.max !== undefined && v.length > opts.max) return this.fail(got.line, got.field, `longer than ${opts.max} characters`);
    if (opts.required && v.trim() === '') return this.fail(got.line, got.field, `'${key}' must not be empty`);
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[], def?: T): T | undefined {
    const got = def === undefined ? this.required(key) : this.get(key);
    if (!got) return def;
    const v = this.scalar(got, `one of ${values.join(', ')}`, (x): x is string => typeof x === 'string');
    if (v === undefined) return undefined;
    if ((values as readonly string[]).includes(v)) return v as T;
    const suggestion = didYouMean(v, values) || `; expected one of: ${values.join(', ')}`;
    return this.fail(got.line, got.field, `unknown value '${v}'${suggestion}`);
  }

  num(key: string, opts: { required?: boolean; def?: number; integer?: boolean; min?: number; above?: number; max?: number }): number | undefined {
    const got = opts.required ? this.required(key) : this.get(key);
    if (!got) return opts.def;
    const kind = opts.integer ? 'an integer' : 'a number';
    const v = this.scalar(got, kind, (x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (v === undefined) return undefined;
    if (opts.integer && !Number.isInteger(v)) return this.fail(got.line, got.field, `expected an integer, got ${v}`);
    if (opts.min !== undefined && v < opts.min) return this.fail(got.line, got.field, `must be at least ${opts.min}, got ${v}`);
    if (opts.above !== undefined && v <= opts.above) return this.fail(got.line, got.field, `must be greater than ${opts.above}, got ${v}`);
    if (opts.max !== undefined && v > opts.max) return this.fail(got.line, got.field, `must be at most ${opts.max}, got ${v}`);
    return v;
  }

  bool(key: string, def: boolean): boolean | undefined {
    const got = this.get(key);
    if (!got) return def;
    return this.scalar(got, 'true or false', (x): x is boolean => typeof x === 'boolean');
  }

  duration(key: string, opts: { required?: boolean; def?: number; min: number; max: number }): number | undefined {
    const got = opts.required ? this.required(key) : this.get(key);
    if (!got) return opts.def;
    const text = isScalar(got.node) && (typeof got.node.value === 'string' || typeof got.node.value === 'number') ? String(got.node.value) : undefined;
    let ms: number | undefined;
    try {
      ms = text === undefined ? undefined : parseDuration(text, got.field);
    } catch {
      ms = undefined;
    }
    if (ms === undefined) return this.fail(got.line, got.field, `expected a duration such as 30s, 5m, 1h or 7d, got ${describeNode(got.node)}`);
    if (ms < opts.min) return this.fail(got.line, got.field, `must be at least ${formatDuration(opts.min)}, got ${text}`);
    if (ms > opts.max) return this.fail(got.line, got.field, `must be at most ${formatDuration(opts.max)}, got ${text}`);
    return ms;
  }

  /** A list of strings; a single string is accepted as a list of one. */
  list(key: string, opts: { required?: boolean; def?: readonly string[]; min: number; max: number; pattern: RegExp; rule: string }): string[] | undefined {
    const got = opts.required ? this.required(key) : this.get(key);
    if (!got) return opts.def === undefined ? undefined : [...opts.def];
    const items = isSeq(got.node) ? got.node.items : isScalar(got.node) ? [got.node] : undefined;
    if (!items) return this.fail(got.line, got.field, `expected a list of strings, got ${describeNode(got.node)}`);
    if (items.length < opts.min || items.length > opts.max) {
      const bounds = opts.min === opts.max ? `${opts.min}` : `${opts.min} to ${opts.max}`;
      return this.fail(got.line, got.field, `expected ${bounds} items, got ${items.length}`);
    }
    const out: string[] = [];
    let ok = true;
    items.forEach((item, i) => {
      const at = { node: item, line: this.lineOf(item, got.line), field: isSeq(got.node) ? `${got.field}[${i}]` : got.field };
      const v = this.scalar(at, 'a string', (x): x is string => typeof x === 'string');
      if (v === undefined) ok = false;
      else if (!opts.pattern.test(v)) ok = !!this.fail(at.line, at.field, `invalid value "${v}": ${opts.rule}`);
      else if (out.includes(v)) ok = !!this.fail(at.line, at.field, `"${v}" is listed twice`);
      else out.push(v);
    });
    return ok ? out : undefined;
  }

  /** A filter in the query language; errors name the line of the value and the position in it. */
  filter(key: string, opts: { required?: boolean }): { node: FilterNode; text: string } | undefined {
    const got = opts.required ? this.required(key) : this.get(key);
    if (!got) return opts.required ? undefined : { node: MATCH_ALL, text: '' };
    const text = this.scalar(got, 'a filter (a string)', (x): x is string => typeof x === 'string');
    if (text === undefined) return undefined;
    if (opts.required && text.trim() === '') return this.fail(got.line, got.field, `'${key}' must not be empty`);
    try {
      return { node: parseFilter(text), text };
    } catch (err) {
      const position = (err as { details?: { position?: unknown } }).details?.position;
      let line = got.line;
      // In a literal block (`|`) the content starts on the next line and keeps its line breaks.
      if (isScalar(got.node) && got.node.type === 'BLOCK_LITERAL' && typeof position === 'number') {
        const before = text.slice(0, Math.min(position, text.replace(/\n+$/, '').length));
        line += 1 + (before.match(/\n/g)?.length ?? 0);
      }
      return this.fail(line, got.field, `invalid filter: ${(err as Error).message}`);
    }
  }

  /**
   * Auto-resolve: `false` (off, null) or a mapping `{ after: N }` with N an integer in [min, max];
   * absent (or empty): `def`. Returns undefined after reporting a problem.
   */
  autoResolve(key: string, opts: { def: number | null; min: number; max: number }): number | null | undefined {
    const got = this.get(key);
    if (!got) return opts.def;
    const expected = `false or a mapping such as { after: 3 } (clear evaluations before the incident resolves itself)`;
    if (isScalar(got.node) && got.node.value === false) return null;
    if (!isMap(got.node)) return this.fail(got.line, got.field, `expected ${expected}, got ${describeNode(got.node)}`);
    const m = this.map(got);
    if (!m) return undefined;
    m.checkKeys(['after']);
    const after = m.num('after', { required: true, integer: true, min: opts.min, max: opts.max });
    return after;
  }

  /** A mapping with no keys at `path` (its keys take their defaults). */
  empty(path: string): Fields {
    return new Fields(this.src, this.errors, new YAMLMap(), path, this.line);
  }

  /** A nested mapping. */
  map(got: Got): Fields | undefined {
    if (!isMap(got.node)) return this.fail(got.line, got.field, `expected a mapping, got ${describeNode(got.node)}`);
    return new Fields(this.src, this.errors, got.node, got.field, got.line);
  }
}


