/**
 * The filter AST. The filter language (parse.ts) and Sigma rules both produce it; it compiles to SQL
 * for DuckDB (compile-sql.ts), to an in-memory predicate (predicate.ts) and to Elasticsearch DSL.
 *
 * Semantics, the same in every compiler:
 * - `term`: the field equals the value. Keyword fields compare exactly (case-sensitive); numeric
 *   fields compare as numbers; `text` fields (event.original, error.message) match when they contain
 *   the value, case-insensitively.
 * - `wildcard`: `*` matches any run of characters, `?` one character; whole-value match.
 * - `range`: bounds compare as numbers for numeric fields, as instants for dates, as text otherwise.
 * - `exists`: the field has a non-null value.
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
