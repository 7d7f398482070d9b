/**
 * An access-log entry as read from a line or a JSON document, before it becomes an ECS document.
 * Every field is optional except where a format requires it; normalize.ts maps it to ECS.
 */
export interface AccessRecord {
  /** Epoch ms; undefined when the input had no timestamp (the batch's receive time is used). */
  timestamp?: number;
  /** Client address as logged: an IP, or a host name when the server resolves names. */
  client?: string;
  user?: string;
  /** Raw request line (`GET /a HTTP/1.1`), when the input had one. */
  request?: string;
  method?: string;
  url?: string;
  /** HTTP version without `HTTP/` (`1.1`). */
  version?: string;
  status?: number;
  bytes?: number;
  referrer?: string;
  userAgent?: string;
  /** X-Forwarded-For header value (comma-separated addresses). */
  forwardedFor?: string;
  /** Request duration in nanoseconds. */
  durationNs?: number;
}
