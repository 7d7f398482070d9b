import { DeliveryError } from './delivery-error';
import { classifySmtpError, EmailSender } from './email-sender';

describe('classifySmtpError', () => {
  const smtp = (fields: Record<string, unknown>) => Object.assign(new Error('failed'), fields);

  it('treats 5xx replies and refused addresses as permanent (kind invalid)', () => {
    for (const e of [smtp({ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }), smtp({ code: 'EMESSAGE', responseCode: 554 }), smtp({ code: 'EENVELOPE' }), smtp({ code: 'EAUTH', responseCode: 535 })]) {
      const c = classifySmtpError(e);
      expect(c).toBeInstanceOf(DeliveryError);
      expect([c.permanent, c.kind, c.code]).toEqual([true, 'invalid', 'CANH_NOTIFY_REJECTED']);
    }
  });

  it('treats refused connections, timeouts and 4xx replies as transient (kind unavailable)', () => {
    for (const e of [smtp({ code: 'ECONNECTION' }), smtp({ code: 'ETIMEDOUT' }), smtp({ code: 'EMESSAGE', responseCode: 451, command: 'DATA' }), smtp({ code: 'EENVELOPE', responseCode: 421 }), new Error('socket hang up')]) {
      const c = classifySmtpError(e);
      expect([c.permanent, c.kind, c.code]).toEqual([false, 'unavailable', 'CANH_NOTIFY_UNAVAILABLE']);
    }
    expect(classifySmtpError(smtp({ code: 'EMESSAGE', responseCode: 451, command: 'DATA' })).message).toContain('(SMTP 451 after DATA)');
  });
});

describe('EmailSender', () => {
  it('refuses an address that is not one plain address, permanently, without connecting', async () => {
    const sender = new EmailSender({ smtpUrl: 'smtp://127.0.0.1:9' });
    const message = { subject: 's', text: 't', html: '<p>t</p>' };
    for (const to of ['not-an-address', 'a@b.vn, c@d.vn', 'a@b.vn\r\nBcc: x@y.vn', 'Name <a@b.vn>']) {
      await expect(sender.send(message, to)).rejects.toMatchObject({ permanent: true, kind: 'invalid' });
    }
    sender.close();
  });
});
