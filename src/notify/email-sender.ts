import { createTransport, type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { permanentFailure, transientFailure, type DeliveryError } from './delivery-error';
import type { RenderedMessage } from './notification';

/** What the SMTP server answered to a delivered message. */
export interface EmailReceipt {
  /** The Message-ID header of the message. */
  readonly messageId: string;
  /** The server's last reply, e.g. `250 OK: queued`. */
  readonly response: string;
}

/** Sends rendered emails; the worker's port (EmailSender in production, fakes in unit tests). */
export interface EmailTransport {
  /** Resolves once the server accepted the message; throws DeliveryError (permanent or transient) otherwise. */
  send(message: RenderedMessage, to: string): Promise<EmailReceipt>;
}

export interface EmailSenderOptions {
  /** `smtp://user:pass@host:587` or `smtps://…:465` (the SMTP_URL setting). */
  readonly smtpUrl: string;
  /** @defaultValue `Canh <canh@localhost>` */
  readonly from?: string;
  /** Pooled connections kept open to the server. @defaultValue 2 */
  readonly maxConnections?: number;
  /** Connection, greeting and socket inactivity timeouts. @defaultValue 10000 */
  readonly timeoutMs?: number;
}

/** A single plain address: no display name, no list, no whitespace or control characters. */
const ADDRESS = /^[^\s@<>(),;:"\\]+@[^\s@<>(),;:"\\]+$/;

/**
 * Sends email over SMTP with nodemailer's pooled transport. Failures are classified: an SMTP 5xx
 * reply or an invalid address is permanent; refused connections, timeouts and 4xx replies are
 * transient (see DeliveryError).
 */
export class EmailSender implements EmailTransport {
  private readonly transport: Transporter<SMTPPool.SentMessageInfo>;
  private readonly from: string;

  constructor(options: EmailSenderOptions) {
    const timeout = options.timeoutMs ?? 10_000;
    this.from = options.from ?? 'Canh <canh@localhost>';
    this.transport = createTransport({
      url: options.smtpUrl,
      pool: true,
      maxConnections: options.maxConnections ?? 2,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 3,
    });
  }

  async send(message: RenderedMessage, to: string): Promise<EmailReceipt> {
    if (!ADDRESS.test(to)) throw permanentFailure(`Invalid email address "${to.replace(/[\r\n]/g, ' ')}": expected one plain address such as name@example.vn`);
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      return { messageId: info.messageId, response: String(info.response ?? '') };
    } catch (err) {
      throw classifySmtpError(err);
    }
  }

  /** Closes the pooled connections. */
  close(): void {
    this.transport.close();
  }
}

/** The shape nodemailer gives its errors. */
interface SmtpErrorFields {
  readonly message?: string;
  readonly code?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly command?: string;
}

/** Permanent: an SMTP 5xx reply, or an envelope/message error without a reply (an address nodemailer refused). Transient: everything else. */
export function classifySmtpError(err: unknown): DeliveryError {
  const e = (err ?? {}) as SmtpErrorFields;
  const reply = e.responseCode ? ` (SMTP ${e.responseCode}${e.command ? ` after ${e.command}` : ''})` : e.code ? ` (${e.code})` : '';
  const message = `Email could not be sent: ${e.message ?? String(err)}${reply}`;
  const details = { smtpCode: e.responseCode, code: e.code, command: e.command };
  if (e.responseCode !== undefined && e.responseCode >= 500) return permanentFailure(message, details, err);
  if (e.responseCode === undefined && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE')) return permanentFailure(message, details, err);
  return transientFailure(message, details, err);
}
