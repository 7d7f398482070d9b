import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the demo runs beside Canh, on one local HTTP server:
 * - `/portal/<commune>/`: the communes' public-service portals that the monitors probe; `down(code)`
 *   makes one answer 503 (the outage episode), `up(code)` brings it back;
 * - `/hooks/<locality>`: the webhook contacts of every locality, counting what Canh sends them
 *   (notifications are visible without an SMTP server).
 */
export class LocalServices {
  private readonly broken = new Set<string>();
  private server: Server | null = null;
  /** Webhook notifications received, by locality code. */
  readonly webhooks = new Map<string, number>();
  baseUrl = '';

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const url = req.url ?? '/';
      const portal = /^\/portal\/([A-Za-z0-9_-]+)\/?$/.exec(url);
      if (portal && req.method !== 'POST') {
        const down = this.broken.has(portal[1]);
        res.writeHead(down ? 503 : 200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
        res.end(down ? '<h1>503 Service Unavailable</h1>' : '<h1>Cổng dịch vụ công</h1>');
        return;
      }
      const hook = /^\/hooks\/([A-Za-z0-9_-]+)$/.exec(url);
      if (hook && req.method === 'POST') {
        req.resume();
        req.on('end', () => {
          this.webhooks.set(hook[1], (this.webhooks.get(hook[1]) ?? 0) + 1);
          res.writeHead(204).end();
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  portalUrl(code: string): string {
    return `${this.baseUrl}/portal/${code}/`;
  }

  hookUrl(code: string): string {
    return `${this.baseUrl}/hooks/${code}`;
  }

  down(code: string): void {
    this.broken.add(code);
  }

  up(code: string): void {
    this.broken.delete(code);
  }

  isDown(code: string): boolean {
    return this.broken.has(code);
  }

  webhookCount(): number {
    let n = 0;
    for (const v of this.webhooks.values()) n += v;
    return n;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
