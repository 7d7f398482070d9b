/**
 * The filter AST. The filter language (parse.ts) and Sigma rules both produce it; it compiles to SQL
 * for DuckDB (compile-sql.ts), to an in-memory predicate (predicate.ts) and to Elasticsearch DSL.
 *
 * Semantics, the same in every compiler:
 * - `term`: the field equals the value. Keyword fields compare exactly (case-sensitive); numeric
 *   fields compare as numbers; `text` fields (event.original, error.message) match when they contain
 *   the value, case-insensitively.
 * - `wildcard`: `*` matches any run of characters, `?` one character; whole-value match; `\` makes
 *   the next character literal (`\*` is a star). Dates match as ISO 8601 UTC text with milliseconds.
 * - `regex`: whole-value match, case-sensitive, the subset RE2 and JavaScript share.
 * - `range`: bounds compare as numbers for numeric fields, as instants for dates, as addresses for
 *   ip fields when every bound is an address of one family, as text otherwise.
 * - `exists`: the field has a non-null value (a list needs a non-null element).
 * - `cidr`: an IPv4 or IPv6 address field lies in the block; `term` on an ip field with an address
 *   value compares addresses (`2001:DB8::1` = `2001:db8:0::1`).
 * - A list value (ECS arrays) matches when any element does.
 * - `text`: a bare word or phrase, contained case-insensitively in event.original.
 * - A missing field never matches term/wildcard/range, so `NOT field:x` matches events without it.
 */
export type Scalar = string | number | boolean;

export type FilterNode =
  | { readonly type: 'match_all' }
  | { readonly type: 'and'; readonly children: readonly FilterNode[] }
  | { readonly type: 'or'; readonly children: readonly FilterNode[] }
  | { readonly type: 'not'; readonly child: FilterNode }
  | { readonly type: 'term'; readonly field: string; readonly value: Scalar }
  | { readonly type: 'terms'; readonly field: string; readonly values: readonly Scalar[] }
  | { readonly type: 'wildcard'; readonly field: string; readonly pattern: string; readonly caseInsensitive?: boolean }
  | { readonly type: 'regex'; readonly field: string; readonly pattern: string }
  | {
      readonly type: 'range';
      readonly field: string;
      readonly gte?: Scalar;
      readonly gt?: Scalar;
      readonly lte?: Scalar;
      readonly lt?: Scalar;
    }
  | { readonly type: 'exists'; readonly field: string }
  | { readonly type: 'cidr'; readonly field: string; readonly cidr: string }
  | { readonly type: 'text'; readonly value: string };

export const MATCH_ALL: FilterNode = { type: 'match_all' };
