import type { Clock } from '../lib/clock';
import { systemClock } from '../lib/clock';
import { permanentFailure, transientFailure } from './delivery-error';
import { signWebhook } from './signature';

/** One webhook POST. */
export interface WebhookDelivery {
  readonly url: string;
  readonly secret?: string;
  /** The `x-canh-event` header: the notification event, or `notification_digest`. */
  readonly event: string;
  /** The `x-canh-delivery` header: the notification (or digest) id, the same on every retry. */
  readonly deliveryId: string;
  /** Serialized as JSON; the signature covers exactly the bytes sent. */
  readonly payload: unknown;
}

/** What a delivered webhook answered. */
export interface WebhookReceipt {
  readonly status: number;
  readonly deliveryId: string;
}

/** Sends webhook deliveries; the worker's port (WebhookSender in production, fakes in unit tests). */
export interface WebhookTransport {
  /** Resolves on a 2xx answer; throws DeliveryError (permanent or transient) otherwise. */
  send(delivery: WebhookDelivery): Promise<WebhookReceipt>;
}

export interface WebhookSenderOptions {
  /** @defaultValue 10000 */
  readonly timeoutMs?: number;
  /** @defaultValue systemClock */
  readonly clock?: Clock;
  /** @defaultValue `Canh-Webhook/1` */
  readonly userAgent?: string;
}

/**
 * Posts JSON with Node's fetch. Headers: `x-canh-event`, `x-canh-delivery`, `x-canh-timestamp`
 * (Unix seconds) and, when the recipient has a secret, `x-canh-signature: sha256=<hex>` (HMAC-SHA256
 * of `<timestamp>.<body>`). 2xx is delivered; 4xx except 408 and 429 is permanent; anything else
 * (5xx, 408, 429, network errors, the timeout) is transient.
 */
export class WebhookSender implements WebhookTransport {
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly userAgent: string;

  constructor(options: WebhookSenderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.clock = options.clock ?? systemClock;
    this.userAgent = options.userAgent ?? 'Canh-Webhook/1';
  }

  async send(delivery: WebhookDelivery): Promise<WebhookReceipt> {
    const url = checkUrl(delivery.url);
    const body = JSON.stringify(delivery.payload);
    const timestamp = String(Math.floor(this.clock.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': this.userAgent,
      'x-canh-event': delivery.event,
      'x-canh-delivery': delivery.deliveryId,
      'x-canh-timestamp': timestamp,
    };
    if (delivery.secret) headers['x-canh-signature'] = signWebhook(delivery.secret, timestamp, body);
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : describe(err);
      throw transientFailure(`Webhook ${url.origin} could not be reached: ${reason}`, { url: url.origin }, err);
    }
    await res.body?.cancel().catch(() => undefined);
    return classify(res.status, url, delivery.deliveryId);
  }
}

/** Parses the URL and refuses anything but http(s), permanently. */
function checkUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw permanentFailure(`Webhook URL "${raw}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw permanentFailure(`Webhook URL must be http or https, got "${url.protocol}"`, { url: raw });
  return url;
}

function classify(status: number, url: URL, deliveryId: string): WebhookReceipt {
  if (status >= 200 && status < 300) return { status, deliveryId };
  const message = `Webhook ${url.origin} answered HTTP ${status}`;
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) throw permanentFailure(message, { status });
  throw transientFailure(message, { status });
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
