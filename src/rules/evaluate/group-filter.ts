import { MATCH_ALL, type FilterNode } from '../../query/ast';
import { toNumber } from '../../query/predicate';
import { FIELDS, getField } from '../../store/fields';

/** Group values keyed by field name, as aggregates return them (null: the event lacks the field). */
export type GroupValues = Readonly<Record<string, string | number | null>>;

/** AND of the nodes, flattening nested ANDs and dropping match_all; no node left gives match_all. */
export function andFilter(nodes: readonly FilterNode[]): FilterNode {
  const flat = nodes
    .flatMap((n) => (n.type === 'and' ? n.children : [n]))
    .filter((n) => n.type !== 'match_all');
  if (flat.length === 0) return MATCH_ALL;
  return flat.length === 1 ? flat[0] : { type: 'and', children: flat };
}

/** OR of the nodes; no node gives match_all. */
export function orFilter(nodes: readonly FilterNode[]): FilterNode {
  if (nodes.length === 0) return MATCH_ALL;
  return nodes.length === 1 ? nodes[0] : { type: 'or', children: nodes };
}

/** One node per group field: `term` for a value, `NOT exists` for null. */
export function groupTermNodes(group: GroupValues): FilterNode[] {
  return Object.entries(group).map(([field, value]): FilterNode =>
    value === null ? { type: 'not', child: { type: 'exists', field } } : { type: 'term', field, value });
}

/** A value as a quoted string of the filter language (backslash and double quote escaped). */
export function quoteValue(value: string | number): string {
  return `"${String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The group's terms in the filter language: `field:"value"` or `NOT _exists_:field`. */
export function groupTermTexts(group: GroupValues): string[] {
  return Object.entries(group).map(([field, value]) => (value === null ? `NOT _exists_:${field}` : `${field}:${quoteValue(value)}`));
}

/**
 * The evidence filter of a hit: each non-empty filter text in parentheses, then the group's terms,
 * joined by AND, e.g. `(http.response.status_code:*) AND organization.id:"00004"`. Nothing at all
 * gives `*`.
 */
export function evidenceQuery(filterTexts: readonly string[], group: GroupValues): string {
  const parts = [...filterTexts.filter((t) => t.trim() !== '').map((t) => `(${t.trim()})`), ...groupTermTexts(group)];
  return parts.length === 0 ? '*' : parts.join(' AND ');
}

/** Stable key of a group's values in field order (for joining aggregates). */
export function groupKey(fields: readonly string[], group: GroupValues): string {
  return JSON.stringify(fields.map((f) => group[f] ?? null));
}

/** organization.id of the group when it is grouped by it, else null. */
export function groupLocality(group: GroupValues): string | null {
  const v = group['organization.id'];
  return v === undefined || v === null ? null : String(v);
}

/**
 * A field of an event document as a store groups it: numeric catalog fields as numbers, other
 * scalars as text, lists and objects as JSON text, missing as null.
 */
export function documentGroupValue(doc: Record<string, unknown>, field: string): string | number | null {
  const v = getField(doc, field);
  if (v === undefined || v === null) return null;
  const type = FIELDS[field]?.type;
  if (type === 'long' || type === 'double') return toNumber(v) ?? null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
