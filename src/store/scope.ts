/**
 * Scope: which localities a caller may see. Localities form a three-level tree (central ▸ province ▸
 * commune), so the subtree of a code is "organization.id = code OR canh.province = code", and the
 * subtree of central is everything. Stores apply the scope inside every query (never only in routes).
 */
export type Scope =
  | { readonly kind: 'all' }
  | { readonly kind: 'localities'; readonly codes: readonly string[] };

export const ALL_SCOPE: Scope = { kind: 'all' };

export function localityScope(codes: readonly string[]): Scope {
  return { kind: 'localities', codes };
}

/** True when an event/record of `locality` (with `province`) is inside the scope. */
export function inScope(scope: Scope, locality: string, province: string | null | undefined): boolean {
  if (scope.kind === 'all') return true;
  return scope.codes.includes(locality) || (province != null && scope.codes.includes(province));
}
