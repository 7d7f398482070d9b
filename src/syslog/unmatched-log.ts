import { maskPii } from '../ingest/redact';
import type { UnmatchedReason } from './sender-matcher';

/** The part of a logger the receiver uses (pino's signature). */
export interface WarnLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

const EXCERPT_CHARS = 80;
const SENDERS_TRACKED = 10_000;

/**
 * The warning about messages dropped because no source matches their sender: at most one line per
 * sender per `everyMs`, saying how many were dropped since the last one and quoting only the first
 * characters of the latest message (PII masked), never the message in full.
 */
export class UnmatchedLog {
  private readonly last = new Map<string, { at: number; dropped: number }>();

  constructor(private readonly logger: WarnLogger, private readonly now: () => number, private readonly everyMs = 60_000) {}

  dropped(sender: string, transport: 'udp' | 'tcp' | 'tls', reason: UnmatchedReason, line: string): void {
    const t = this.now();
    const seen = this.last.get(sender);
    if (seen && t - seen.at < this.everyMs) {
      seen.dropped++;
      return;
    }
    if (!seen && this.last.size >= SENDERS_TRACKED) this.last.clear();
    this.last.set(sender, { at: t, dropped: 0 });
    const excerpt = maskPii(line.slice(0, EXCERPT_CHARS)) + (line.length > EXCERPT_CHARS ? '…' : '');
    this.logger.warn({
      sender, transport, reason, dropped_since_last_warning: (seen?.dropped ?? 0) + 1, excerpt,
    }, 'syslog message dropped: no source matches this sender (set syslog.senders or syslog.token on a source of format syslog)');
  }
}
