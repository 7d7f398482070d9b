/** What one check of one monitor found (before it becomes an `uptime.probe` event). */
export interface ProbeResult {
  readonly status: 'up' | 'down';
  /** Epoch ms the check started. */
  readonly startedAt: number;
  readonly durationUs: number;
  readonly statusCode?: number;
  /** Why the service is down (null when up). */
  readonly error?: string;
  /** Things to look at that do not make the service down: an untrusted or soon-expiring certificate. */
  readonly warnings: readonly string[];
  readonly tls?: {
    readonly notAfter: string;
    readonly notBefore: string;
    readonly subject: string | null;
    /** The verification error (e.g. DEPTH_ZERO_SELF_SIGNED_CERT), null when the chain is trusted. */
    readonly verificationError: string | null;
  };
}

/** Largest body a probe reads (for the keyword), bytes. */
export const MAX_PROBE_BODY_BYTES = 64 * 1024;
/** Most redirects an http probe follows. */
export const MAX_REDIRECTS = 5;

/** Microseconds since `hr` (process.hrtime.bigint()). */
export function microsSince(hr: bigint): number {
  return Number((process.hrtime.bigint() - hr) / 1000n);
}
