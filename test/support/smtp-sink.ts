import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A local SMTP server that parses what it receives; `answer` decides, per message, to accept it or reply with an error code. */
export class TestSmtp {
  readonly received: ParsedMail[] = [];
  /** Subjects of every DATA the server saw, accepted or not. */
  readonly attempts: string[] = [];
  answer: (subject: string, seen: number) => number | null = () => null;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, _session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void simpleParser(Buffer.concat(chunks)).then((mail) => {
          const subject = mail.subject ?? '';
          this.attempts.push(subject);
          const code = this.answer(subject, this.attempts.filter((s) => s === subject).length);
          if (code !== null) return callback(Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code }));
          this.received.push(mail);
          callback();
        }, callback);
      });
    },
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

