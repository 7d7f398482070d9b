import { WebhookSender } from './webhook-sender';

describe('WebhookSender', () => {
  const delivery = (url: string) => ({ url, event: 'incident_opened', deliveryId: 'd1', payload: {} });

  it('refuses URLs that are not http(s), permanently', async () => {
    const sender = new WebhookSender();
    for (const url of ['file:///etc/passwd', 'ftp://example.vn/x', 'javascript:alert(1)', 'not a url']) {
      await expect(sender.send(delivery(url))).rejects.toMatchObject({ permanent: true, kind: 'invalid' });
    }
  });

  it('treats an unreachable server as transient', async () => {
    await expect(new WebhookSender({ timeoutMs: 2000 }).send(delivery('http://127.0.0.1:9/hook'))).rejects.toMatchObject({ permanent: false, kind: 'unavailable' });
  });
});
