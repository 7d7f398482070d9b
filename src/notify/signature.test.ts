import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from './signature';

describe('webhook signature', () => {
  const secret = 'whsec-0123456789';
  const body = JSON.stringify({ id: 'inc_1-incident_opened-0', title: 'Tỷ lệ OTP thất bại cao' });
  const timestamp = '1795399200';

  it('is sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    expect(signWebhook(secret, timestamp, body)).toBe(`sha256=${expected}`);
  });

  it('verifies what was signed, and nothing else', () => {
    const signature = signWebhook(secret, timestamp, body);
    expect(verifyWebhookSignature({ secret, timestamp, body, signature })).toBe(true);
    expect(verifyWebhookSignature({ secret: 'other-secret', timestamp, body, signature })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp: '1795399201', body, signature })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp, body: body.replace('cao', 'thấp'), signature })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp, body, signature: 'sha256=00' })).toBe(false);
  });

  it('refuses a timestamp outside the tolerance when now is given', () => {
    const signature = signWebhook(secret, timestamp, body);
    const now = Number(timestamp) * 1000;
    expect(verifyWebhookSignature({ secret, timestamp, body, signature, now: now + 299_000 })).toBe(true);
    expect(verifyWebhookSignature({ secret, timestamp, body, signature, now: now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature({ secret, timestamp, body, signature, now: now + 20_000, toleranceSec: 10 })).toBe(false);
  });
});
