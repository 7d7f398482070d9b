import { hash } from 'node:crypto';

/**
 * Stable event ids, so that writing a batch twice (a retried job, a shipper re-sending) stores each
 * event once.
 *
 * - With a shipper document id (`_bulk` `_id`): base64url SHA-1 of (source id, doc id). The same
 *   document sent again in any batch gets the same id; two sources cannot collide.
 * - Otherwise: base64url SHA-1 of (source id, batch id, line). A retried batch gives the same ids;
 *   another batch or another line gives another id.
 *
 * Both are 27 characters of [A-Za-z0-9_-] (fixed length, nothing of the input revealed). The parts
 * are joined with NUL (which ids and line numbers do not contain) and the two kinds are prefixed
 * differently, so they never meet.
 */
export function eventId(input: { sourceId: string; batchId: string; line: number; docId?: string }): string {
  const data = input.docId !== undefined && input.docId.length > 0
    ? `d\u0000${input.sourceId}\u0000${input.docId}`
    : `l\u0000${input.sourceId}\u0000${input.batchId}\u0000${input.line}`;
  return hash('sha1', data, 'base64url');
}
