import type { Locality, LocalityLevel } from './types';

/** A locality with its children, as GET /localities/tree answers it. */
export interface LocalityNode {
  readonly code: string;
  readonly name: string;
  readonly level: LocalityLevel;
  /** Communes below this node (0 for a commune). */
  readonly communes: number;
  /** Sorted by code. */
  readonly children: readonly LocalityNode[];
}

interface MutableNode {
  code: string;
  name: string;
  level: LocalityLevel;
  communes: number;
  children: MutableNode[];
}

const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/**
 * Nests the localities a caller may see: the roots are those whose parent is not among them (the
 * central locality for the whole tree, the caller's own locality for a scoped caller), every list
 * sorted by code. Linear after the sorts; no recursion (the input may come from any store).
 */
export function buildLocalityTree(localities: readonly Locality[]): LocalityNode[] {
  const nodes = new Map<string, MutableNode>();
  for (const l of localities) nodes.set(l.code, { code: l.code, name: l.name, level: l.level, communes: 0, children: [] });
  const roots: MutableNode[] = [];
  for (const l of localities) {
    const node = nodes.get(l.code)!;
    const parent = l.parentCode !== null && l.parentCode !== l.code ? nodes.get(l.parentCode) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  // Breadth-first from the roots, then counts from the deepest nodes up: a node is counted once,
  // and a (corrupt) loop of parents not reachable from a root is left out rather than walked forever.
  const order: MutableNode[] = [...roots];
  for (let i = 0; i < order.length; i++) for (const child of order[i].children) order.push(child);
  const parentOf = new Map<MutableNode, MutableNode>();
  for (const node of order) for (const child of node.children) parentOf.set(child, node);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    node.children.sort(byCode);
    const parent = parentOf.get(node);
    if (parent) parent.communes += node.communes + (node.level === 'commune' ? 1 : 0);
  }
  return roots.sort(byCode);
}

/** The codes of the localities whose parent is `code`, sorted. */
export function childCodes(code: string, localities: readonly Locality[]): string[] {
  return localities.filter((l) => l.parentCode === code && l.code !== code).map((l) => l.code).sort();
}
