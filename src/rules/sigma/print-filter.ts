import type { FilterNode, Scalar } from '../../query/ast';
import { fieldDef } from '../../store/fields';

/**
 * Prints a filter AST back to the filter language (docs/query-language.md) so that `parseFilter`
 * gives the same meaning back. The language cannot say everything the AST can: `regex` nodes and
 * case-insensitive wildcards on fields that are not `text` fields have no syntax, and printing them
 * throws UnprintableFilter (the Sigma converter turns that into a refusal or rewrites them first).
 */
export class UnprintableFilter extends Error {}

/** Characters printed as they are inside an unquoted value; everything else is backslash-escaped. */
const SAFE = /[\p{L}\p{N}/._~%=,;@#$'+-]/u;
const OPERATOR_WORD = /^(and|or|not|to)$/i;

/** A wildcard pattern (AST form: `\x` literal, `*`/`?` wildcards) as an unquoted value. */
function printPattern(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) {
      out += `\\${pattern[++i]}`;
    } else if (ch === '*' || ch === '?') {
      out += ch;
    } else {
      out += SAFE.test(ch) ? ch : `\\${ch}`;
    }
  }
  return OPERATOR_WORD.test(out) ? `\\${out}` : out;
}

/** A literal string as an unquoted value (no wildcards). */
function printLiteral(text: string): string {
  return printPattern(text.replace(/[\\*?]/g, (c) => `\\${c}`));
}

function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function printScalar(field: string, value: Scalar): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === '') throw new UnprintableFilter(`an empty value for ${field} cannot be written in the filter language`);
  const type = fieldDef(field).type;
  // ip and date values are checked by the parser as a whole, so quoting keeps `:` and `/` intact.
  return type === 'ip' || type === 'date' ? quoted(value) : printLiteral(value);
}

function wrap(node: FilterNode): string {
  const text = printFilter(node);
  return node.type === 'and' || node.type === 'or' ? `(${text})` : text;
}

export function printFilter(node: FilterNode): string {
  switch (node.type) {
    case 'match_all':
      return '*:*';
    case 'and':
    case 'or': {
      if (node.children.length === 0) return node.type === 'and' ? '*:*' : 'NOT *:*';
      return node.children.map(wrap).join(node.type === 'and' ? ' AND ' : ' OR ');
    }
    case 'not':
      return `NOT ${wrap(node.child)}`;
    case 'term':
      return `${node.field}:${printScalar(node.field, node.value)}`;
    case 'terms':
      if (node.values.length === 0) return 'NOT *:*';
      return node.values.length === 1
        ? `${node.field}:${printScalar(node.field, node.values[0])}`
        : `(${node.values.map((v) => `${node.field}:${printScalar(node.field, v)}`).join(' OR ')})`;
    case 'wildcard': {
      const type = fieldDef(node.field).type;
      if (node.caseInsensitive === true && type !== 'text') {
        throw new UnprintableFilter(`the filter language has no case-insensitive match for ${node.field} (a ${type} field)`);
      }
      if (type === 'long' || type === 'double') throw new UnprintableFilter(`wildcards do not apply to the number field ${node.field}`);
      if (node.pattern === '') throw new UnprintableFilter(`an empty value for ${node.field} cannot be written in the filter language`);
      if (node.pattern === '*') return `_exists_:${node.field}`;
      return `${node.field}:${printPattern(node.pattern)}`;
    }
    case 'regex':
      throw new UnprintableFilter(`the filter language has no regular expression syntax (regex on ${node.field})`);
    case 'range': {
      const parts = (['gte', 'gt', 'lte', 'lt'] as const)
        .filter((k) => node[k] !== undefined)
        .map((k) => `${node.field}:${{ gte: '>=', gt: '>', lte: '<=', lt: '<' }[k]}${printScalar(node.field, node[k] as Scalar)}`);
      if (parts.length === 0) return `_exists_:${node.field}`;
      return parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
    }
    case 'exists':
      return `_exists_:${node.field}`;
    case 'cidr':
      return `${node.field}:${quoted(node.cidr)}`;
    case 'text':
      if (node.value === '') throw new UnprintableFilter('an empty phrase cannot be written in the filter language');
      return quoted(node.value);
  }
}
