import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A random id with a readable prefix, e.g. `src_8f3k2m9q1x7d`. */
export function newId(prefix: string, length = 12): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] & 31];
  return `${prefix}_${out}`;
}

/**
 * A batch id that sorts by time: 12 hex digits of epoch ms, then 10 random hex digits.
 * Used as the BullMQ job id, so one batch is queued once.
 */
export function newBatchId(nowMs: number): string {
  return `b${nowMs.toString(16).padStart(12, '0')}${randomBytes(5).toString('hex')}`;
}

/** A source API key: shown once, stored only as its SHA-256 (keys are 256-bit random, so no slow hash is needed). */
export function newApiKey(): string {
  return `canh_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
