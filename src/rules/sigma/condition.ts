/**
 * The Sigma condition grammar Canh converts: identifiers, `and`, `or`, `not`, parentheses,
 * `1 of <pattern>`, `any of <pattern>`, `all of <pattern>` (pattern: a name with `*` wildcards, or
 * `them`). Precedence: not > and > or. Anything else (aggregations after `|`, `near`) is refused.
 */
export type ConditionNode =
  | { readonly type: 'ref'; readonly name: string }
  | { readonly type: 'and' | 'or'; readonly children: readonly ConditionNode[] }
  | { readonly type: 'not'; readonly child: ConditionNode }
  | { readonly type: 'of'; readonly quantifier: 'one' | 'all'; readonly pattern: string };

export class ConditionError extends Error {}

const TOKEN = /\s*(\(|\)|[A-Za-z0-9_*.-]+|\S)/y;

export function parseCondition(text: string): ConditionNode {
  if (text.includes('|')) throw new ConditionError(`aggregation conditions ("${text.slice(text.indexOf('|')).trim()}") are not supported`);
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) tokens.push(m[1]);
  let pos = 0;
  const peek = () => tokens[pos]?.toLowerCase();
  const fail = (what: string): never => {
    throw new ConditionError(`${what} in condition "${text}"`);
  };

  const parseOr = (): ConditionNode => {
    const children = [parseAnd()];
    while (peek() === 'or') {
      pos++;
      children.push(parseAnd());
    }
    return children.length === 1 ? children[0] : { type: 'or', children };
  };
  const parseAnd = (): ConditionNode => {
    const children = [parseNot()];
    while (peek() === 'and') {
      pos++;
      children.push(parseNot());
    }
    return children.length === 1 ? children[0] : { type: 'and', children };
  };
  const parseNot = (): ConditionNode => {
    if (peek() === 'not') {
      pos++;
      return { type: 'not', child: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): ConditionNode => {
    const tok = tokens[pos];
    if (tok === undefined) return fail('expected a selection name at the end');
    const low = tok.toLowerCase();
    if (tok === '(') {
      pos++;
      const inner = parseOr();
      if (tokens[pos] !== ')') fail('expected ")"');
      pos++;
      return inner;
    }
    if (low === '1' || low === 'any' || low === 'all') {
      if (tokens[pos + 1]?.toLowerCase() !== 'of') fail(`expected "of" after "${tok}"`);
      const pattern = tokens[pos + 2];
      if (pattern === undefined || !/^[A-Za-z0-9_*.-]+$/.test(pattern)) fail(`expected a selection pattern or "them" after "${tok} of"`);
      pos += 3;
      return { type: 'of', quantifier: low === 'all' ? 'all' : 'one', pattern: pattern as string };
    }
    if (/^\d+$/.test(low)) fail(`"${tok} of" is not supported (only "1 of" and "all of")`);
    if (low === 'near') fail('"near" is not supported');
    if (['and', 'or', 'not', 'of', 'them'].includes(low) || !/^[A-Za-z0-9_.-][A-Za-z0-9_*.-]*$/.test(tok) || tok.includes('*')) {
      fail(`unexpected "${tok}"`);
    }
    pos++;
    return { type: 'ref', name: tok };
  };

  const node = parseOr();
  if (pos < tokens.length) fail(peek() === 'near' ? '"near" is not supported' : `unexpected "${tokens[pos]}"`);
  return node;
}

/** Selection names a pattern of `1 of` / `all of` covers (`them`: every name not starting with `_`). */
export function expandPattern(pattern: string, names: readonly string[]): string[] {
  if (pattern.toLowerCase() === 'them') return names.filter((n) => !n.startsWith('_'));
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
  return names.filter((n) => re.test(n));
}
