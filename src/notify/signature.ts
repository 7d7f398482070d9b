import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The webhook signature: `sha256=` + hex HMAC-SHA256, keyed with the recipient's secret, over
 * `<timestamp>.<body>` (timestamp: the `x-canh-timestamp` header, Unix seconds; body: the raw
 * request body bytes as sent).
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a webhook receiver checks. */
export interface SignedRequest {
  readonly secret: string;
  /** The `x-canh-timestamp` header. */
  readonly timestamp: string;
  /** The raw body, exactly as received. */
  readonly body: string;
  /** The `x-canh-signature` header. */
  readonly signature: string;
  /** Epoch ms now; with `toleranceSec`, requests older or newer than that are refused (replays). */
  readonly now?: number;
  /** @defaultValue 300 */
  readonly toleranceSec?: number;
}

/** True when the signature matches (compared in constant time) and the timestamp is recent enough. */
export function verifyWebhookSignature(req: SignedRequest): boolean {
  if (req.now !== undefined) {
    const ts = Number(req.timestamp);
    if (!Number.isFinite(ts) || Math.abs(req.now / 1000 - ts) > (req.toleranceSec ?? 300)) return false;
  }
  const expected = Buffer.from(signWebhook(req.secret, req.timestamp, req.body));
  const given = Buffer.from(req.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
