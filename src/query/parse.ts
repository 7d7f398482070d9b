import { errors } from '../errors';
import { DEFAULT_TEXT_FIELD, FieldType, fieldDef } from '../store/fields';
import { FilterNode, MATCH_ALL, Scalar } from './ast';
import { boundEpochMs, parseCidr, toNumber } from './predicate';

/**
 * The filter language (docs/query-language.md): Lucene-style `field:value` clauses with AND/OR/NOT,
 * parsed by hand (docs/adr/0002-filter-language-parser.md) into the AST of ast.ts. Values are
 * checked against the field catalog here, so a filter that parses also compiles.
 */

/** Longest accepted filter, in characters. */
export const MAX_FILTER_LENGTH = 10_000;
/** Deepest accepted nesting of parentheses and NOTs. */
export const MAX_FILTER_DEPTH = 64;

const FIELD_NAME = /^[A-Za-z_@][A-Za-z0-9_.@-]*$/;
const OPERATORS = ['AND', 'OR', 'NOT'] as const;
type Operator = (typeof OPERATORS)[number];
type Comparator = '>=' | '<=' | '>' | '<';
const RANGE_OF: Record<Comparator, 'gte' | 'lte' | 'gt' | 'lt'> = { '>=': 'gte', '<=': 'lte', '>': 'gt', '<': 'lt' };

/** One character of an unquoted word, remembering whether it was backslash-escaped. */
interface Char {
  readonly ch: string;
  readonly escaped: boolean;
}
interface Word {
  readonly chars: Char[];
  readonly start: number;
}
/** A value as written: an unquoted word (may hold wildcards) or a quoted string (always literal). */
interface Value {
  readonly text: string;
  readonly start: number;
  readonly chars?: Char[];
}
/** Inside `field:( ... )` values belong to that field and adjacent values are OR-ed. */
interface Group {
  readonly field: string;
}

const textOf = (chars: Char[]) => chars.map((c) => c.ch).join('');
const isWildcard = (c: Char) => !c.escaped && (c.ch === '*' || c.ch === '?');

function wildcardPattern(chars: Char[]): string {
  return chars.map((c) => (c.escaped && '*?\\'.includes(c.ch) ? `\\${c.ch}` : c.ch)).join('');
}

/** Merges nested and/or of the same kind and `OR`s of plain terms on one field into `terms`. */
function combine(kind: 'and' | 'or', nodes: FilterNode[]): FilterNode {
  let flat = nodes.flatMap((n) => (n.type === kind ? n.children : [n]));
  if (kind === 'or' && flat.some((n) => n.type === 'match_all')) return MATCH_ALL;
  if (kind === 'and' && flat.length > 1) flat = flat.filter((n) => n.type !== 'match_all');
  if (flat.length === 0) return MATCH_ALL;
  if (flat.length === 1) return flat[0];
  if (kind === 'or' && flat.every((n) => n.type === 'term' && n.field === (flat[0] as { field: string }).field)) {
    const terms = flat as Extract<FilterNode, { type: 'term' }>[];
    return { type: 'terms', field: terms[0].field, values: terms.map((t) => t.value) };
  }
  return { type: kind, children: flat };
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly src: string) {}

  parse(): FilterNode {
    this.skipWs();
    if (this.eof()) return MATCH_ALL;
    const node = this.parseOr();
    this.skipWs();
    if (!this.eof()) throw this.fail('Unexpected ")": there is no "(" to close');
    return node;
  }

  // ── structure ────────────────────────────────────────────────────────────────────────────────
  private parseOr(group?: Group): FilterNode {
    const children = [this.parseAnd(group)];
    for (;;) {
      this.skipWs();
      if (this.eof() || this.peek() === ')') break;
      if (this.takeOperator('OR')) this.expectClauseAfter('OR');
      else if (!group) break;
      children.push(this.parseAnd(group));
    }
    return combine('or', children);
  }

  private parseAnd(group?: Group): FilterNode {
    const children = [this.parseUnary(group)];
    for (;;) {
      this.skipWs();
      if (this.eof() || this.peek() === ')' || this.atOperator('OR')) break;
      if (this.takeOperator('AND')) this.expectClauseAfter('AND');
      else if (group) break; // adjacent values in a group are OR-ed by parseOr
      children.push(this.parseUnary(group));
    }
    return combine('and', children);
  }

  private parseUnary(group?: Group): FilterNode {
    this.skipWs();
    const start = this.pos;
    const c = this.peek();
    let negate = false;
    if (this.takeOperator('NOT')) {
      this.expectClauseAfter('NOT');
      negate = true;
    } else if (c === '-' || c === '!' || c === '+') {
      this.pos++;
      if (this.eof() || /\s/.test(this.peek())) throw this.fail(`Expected a clause right after "${c}" (no space)`);
      negate = c !== '+';
    }
    if (this.pos === start) return this.parsePrimary(group);
    this.enter(start);
    const child = this.parseUnary(group);
    this.depth--;
    return negate ? { type: 'not', child } : child;
  }

  private parsePrimary(group?: Group): FilterNode {
    const c = this.peek();
    if (c === '(') return this.parseParens(group);
    for (const op of OPERATORS) if (this.atOperator(op)) throw this.fail(`Expected a clause before ${op}`);
    if (c === ')') throw this.fail('Unexpected ")": expected a clause');
    if (group) return this.parseFieldValue(group.field);
    if (c === '"') {
      const v = this.readQuoted();
      if (v.text === '') throw this.fail('Empty phrase: expected text between the quotes', v.start);
      return { type: 'text', value: v.text };
    }
    if (c === ':' || c === '<' || c === '>') throw this.fail(`Expected a field name before "${c}"`);
    return this.parseClause();
  }

  private parseParens(group?: Group): FilterNode {
    const open = this.pos;
    this.enter(open);
    this.pos++;
    this.skipWs();
    if (this.peek() === ')') throw this.fail('Empty parentheses: expected a clause inside "()"');
    const node = this.parseOr(group);
    this.skipWs();
    if (this.peek() !== ')') throw this.fail(`Expected ")" to close the "(" opened at position ${open}`);
    this.pos++;
    this.depth--;
    return node;
  }

  /** `field:value`, `field:>=v`, `field >= v`, `_exists_:field`, or a bare word (text search). */
  private parseClause(): FilterNode {
    const word = this.readWord(true);
    const afterWord = this.pos;
    this.skipWs();
    const comparator = this.peekComparator();
    if (this.peek() === ':' || comparator) {
      const field = this.fieldName(word, true);
      if (comparator && field === '*') throw this.fail('Expected a field name before the comparison ("*" is only allowed in "*:*")', word.start);
      if (comparator) return this.parseComparison(field);
      this.pos++;
      this.skipWs();
      if (field === '_exists_') return this.parseExists();
      if (field === '*') {
        const all = !this.eof() && this.readWord(false);
        if (all && all.chars.length === 1 && isWildcard(all.chars[0]) && all.chars[0].ch === '*') return MATCH_ALL;
        throw this.fail('Expected a field name before ":" ("*" is only allowed in "*:*")', word.start);
      }
      if (this.eof() || this.peek() === ')') throw this.fail(`Expected a value after "${field}:"`);
      for (const op of OPERATORS) if (this.atOperator(op)) throw this.fail(`Expected a value after "${field}:", found ${op}`);
      if (this.peek() === '(') return this.parseParens({ field });
      return this.parseFieldValue(field);
    }
    this.pos = afterWord;
    if (word.chars.length === 1 && isWildcard(word.chars[0]) && word.chars[0].ch === '*') return MATCH_ALL;
    if (word.chars.some(isWildcard)) {
      return { type: 'wildcard', field: DEFAULT_TEXT_FIELD, pattern: `*${wildcardPattern(word.chars)}*`, caseInsensitive: true };
    }
    return { type: 'text', value: textOf(word.chars) };
  }

  private parseExists(): FilterNode {
    if (this.eof() || /[()"]/.test(this.peek())) throw this.fail('Expected a field name after "_exists_:"');
    return { type: 'exists', field: this.fieldName(this.readWord(false)) };
  }

  private fieldName(word: Word, allowStar = false): string {
    const name = textOf(word.chars);
    if (allowStar && name === '*' && !word.chars[0].escaped) return name;
    if (name === '') throw this.fail('Expected a field name', word.start);
    if (word.chars.some((c) => c.escaped) || !FIELD_NAME.test(name)) {
      throw this.fail(`Invalid field name "${name}": a field name starts with a letter, _ or @ and contains letters, digits, _ . @ -`, word.start);
    }
    return name;
  }

  // ── values ───────────────────────────────────────────────────────────────────────────────────
  private parseFieldValue(field: string): FilterNode {
    const c = this.peek();
    if (c === '[' || c === '{') return this.parseRange(field);
    if (this.peekComparator()) return this.parseComparison(field);
    const value = c === '"' ? this.readQuoted() : this.wordValue(this.readWord(false));
    return this.valueNode(field, value);
  }

  private valueNode(field: string, value: Value): FilterNode {
    const type = fieldDef(field).type;
    const chars = value.chars;
    if (chars && chars.length === 1 && isWildcard(chars[0]) && chars[0].ch === '*') return { type: 'exists', field };
    if (chars?.some(isWildcard)) {
      if (type === 'long' || type === 'double') {
        throw this.fail(`${field} expects a number, got "${value.text}" (wildcards do not apply to numbers; use a range such as [500 TO 599])`, value.start);
      }
      return { type: 'wildcard', field, pattern: wildcardPattern(chars) };
    }
    if (value.text === '') throw this.fail(`Empty value for ${field}: expected something between the quotes`, value.start);
    if (type === 'ip' && value.text.includes('/')) {
      if (!parseCidr(value.text)) throw this.fail(`${field} expects a CIDR block such as 10.0.0.0/8, got "${value.text}"`, value.start);
      return { type: 'cidr', field, cidr: value.text };
    }
    if (type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value.text) && boundEpochMs(value.text) !== undefined) {
      const next = new Date((boundEpochMs(value.text) as number) + 86_400_000).toISOString().slice(0, 10);
      return { type: 'range', field, gte: value.text, lt: next };
    }
    return { type: 'term', field, value: this.scalar(field, type, value) };
  }

  /** Converts a value to what the field's type needs, or fails naming the value's position. */
  private scalar(field: string, type: FieldType, value: Value): Scalar {
    const { text, start } = value;
    switch (type) {
      case 'long':
      case 'double': {
        const n = toNumber(text);
        if (n === undefined) throw this.fail(`${field} expects a number, got "${text}"`, start);
        return n;
      }
      case 'date':
        if (boundEpochMs(text) === undefined) {
          throw this.fail(`${field} expects a date (ISO 8601 such as 2024-05-01T10:00:00Z, or epoch milliseconds), got "${text}"`, start);
        }
        return /^-?\d+$/.test(text) ? Number(text) : text;
      case 'ip':
        if (!parseCidr(text)) throw this.fail(`${field} expects an IP address, got "${text}"`, start);
        return text;
      case 'boolean':
        if (!/^(true|false)$/i.test(text)) throw this.fail(`${field} expects true or false, got "${text}"`, start);
        return text.toLowerCase() === 'true';
      default:
        return text;
    }
  }

  private parseComparison(field: string): FilterNode {
    const op = this.peekComparator() as Comparator;
    this.pos += op.length;
    this.skipWs();
    if (this.eof() || /[()]/.test(this.peek())) throw this.fail(`Expected a value after "${op}"`);
    const value = this.peek() === '"' ? this.readQuoted() : this.wordValue(this.readWord(false));
    return { type: 'range', field, [RANGE_OF[op]]: this.bound(field, value) };
  }

  private parseRange(field: string): FilterNode {
    const open = this.pos;
    const inclusiveLow = this.src[this.pos++] === '[';
    const low = this.readBound();
    if (!this.takeOperator('TO')) throw this.fail('Expected TO between the two bounds of a range');
    const high = this.readBound();
    this.skipWs();
    const close = this.peek();
    if (close !== ']' && close !== '}') throw this.fail(`Expected "]" or "}" to close the range opened at position ${open}`);
    this.pos++;
    if (!low && !high) return { type: 'exists', field };
    const node: { -readonly [K in 'gte' | 'gt' | 'lte' | 'lt']?: Scalar } = {};
    if (low) node[inclusiveLow ? 'gte' : 'gt'] = this.bound(field, low);
    if (high) node[close === ']' ? 'lte' : 'lt'] = this.bound(field, high);
    return { type: 'range', field, ...node };
  }

  /** One range bound, or undefined for `*`. */
  private readBound(): Value | undefined {
    this.skipWs();
    const start = this.pos;
    if (this.peek() === '"') return this.readQuoted();
    let text = '';
    while (!this.eof() && !/[\s\]}]/.test(this.peek())) {
      if (this.peek() === '\\') {
        if (this.pos + 1 >= this.src.length) throw this.fail('Expected a character after "\\" (write \\\\ for a backslash)');
        this.pos++;
      }
      text += this.src[this.pos++];
    }
    if (text === '') throw this.fail('Expected a range bound (a value or *)', start);
    return text === '*' && this.src[start] === '*' ? undefined : { text, start };
  }

  private bound(field: string, value: Value): Scalar {
    const type = fieldDef(field).type;
    if (type === 'ip' && (!parseCidr(value.text) || value.text.includes('/'))) throw this.fail(`${field} expects an IP address, got "${value.text}"`, value.start);
    return this.scalar(field, type === 'ip' || type === 'boolean' ? 'keyword' : type, value);
  }

  // ── characters ───────────────────────────────────────────────────────────────────────────────
  /** An unquoted word up to whitespace, ( ) or "; in field position also up to : < >. */
  private readWord(fieldPosition: boolean): Word {
    const start = this.pos;
    const chars: Char[] = [];
    const stop = fieldPosition ? /[\s()":<>]/ : /[\s()"]/;
    while (!this.eof() && !stop.test(this.peek())) {
      if (this.peek() === '\\') {
        if (this.pos + 1 >= this.src.length) throw this.fail('Expected a character after "\\" (write \\\\ for a backslash)');
        chars.push({ ch: this.src[this.pos + 1], escaped: true });
        this.pos += 2;
      } else chars.push({ ch: this.src[this.pos++], escaped: false });
    }
    if (chars.length === 0) throw this.fail(fieldPosition ? 'Expected a clause' : 'Expected a value', start);
    return { chars, start };
  }

  private wordValue(word: Word): Value {
    return { text: textOf(word.chars), start: word.start, chars: word.chars };
  }

  private readQuoted(): Value {
    const start = this.pos++;
    let text = '';
    while (!this.eof() && this.peek() !== '"') {
      if (this.peek() === '\\' && this.pos + 1 < this.src.length) this.pos++;
      text += this.src[this.pos++];
    }
    if (this.eof()) throw this.fail('Unterminated quoted string: expected a closing "', start);
    this.pos++;
    return { text, start };
  }

  private atOperator(op: Operator | 'TO'): boolean {
    const symbol = op === 'AND' ? '&&' : op === 'OR' ? '||' : undefined;
    if (symbol && this.src.startsWith(symbol, this.pos)) return true;
    const word = this.src.slice(this.pos, this.pos + op.length);
    const after = this.src[this.pos + op.length];
    return word.toUpperCase() === op && (after === undefined || /[\s()"[\]{}]/.test(after));
  }

  private takeOperator(op: Operator | 'TO'): boolean {
    this.skipWs();
    if (!this.atOperator(op)) return false;
    this.pos += this.src.startsWith('&&', this.pos) || this.src.startsWith('||', this.pos) ? 2 : op.length;
    return true;
  }

  private expectClauseAfter(op: string): void {
    this.skipWs();
    const dangling = this.eof() || this.peek() === ')' || this.atOperator('AND') || this.atOperator('OR');
    if (dangling) throw this.fail(`Expected a clause after ${op}`);
  }

  private peekComparator(): Comparator | undefined {
    return (['>=', '<=', '>', '<'] as const).find((op) => this.src.startsWith(op, this.pos));
  }

  private enter(at: number): void {
    if (++this.depth > MAX_FILTER_DEPTH) throw this.fail(`The filter nests deeper than ${MAX_FILTER_DEPTH} levels`, at);
  }

  private skipWs(): void {
    while (!this.eof() && /\s/.test(this.peek())) this.pos++;
  }

  private peek(): string {
    return this.src[this.pos] ?? '';
  }

  private eof(): boolean {
    return this.pos >= this.src.length;
  }

  private fail(message: string, position = this.pos) {
    return errors.invalidQuery(message, position);
  }
}

/**
 * Parses a filter. Empty or blank text matches everything. Throws AppError CANH_QUERY_INVALID with
 * `details.position` (0-based offset in UTF-16 code units) naming what was expected there.
 */
export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) {
    throw errors.invalidQuery(`The filter is longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH);
  }
  return new Parser(text).parse();
}
