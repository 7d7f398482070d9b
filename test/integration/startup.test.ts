import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, spawnCanh } from '../support/canh-process';

describe('canh start: refusing to start, clearly', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'canh-start-'));

  it('exits non-zero and says where it looked when Redis is unreachable (never hangs)', async () => {
    const child = spawnCanh(['start'], { REDIS_URL: 'redis://127.0.0.1:1', CANH_DATA_DIR: dataDir(), PORT: '0' });
    const code = await exited(child);
    expect(code).toBe(1);
    expect(child.output()).toContain('Cannot reach Redis at redis://127.0.0.1:1');
    expect(child.output()).toContain('redis-server');
  });

  it('reports every configuration error at once', async () => {
    const child = spawnCanh(['start'], { PORT: 'http', CANH_STORE: 'mongodb', CANH_RETENTION_DAYS: '0', CANH_DATA_DIR: dataDir() });
    const code = await exited(child);
    expect(code).toBe(2);
    const out = child.output();
    expect(out).toContain('Invalid configuration');
    expect(out).toContain('PORT: expected an integer');
    expect(out).toContain('CANH_STORE: expected one of duckdb, elasticsearch, got "mongodb"');
    expect(out).toContain('CANH_RETENTION_DAYS: expected an integer from 1');
  });

  it('with CANH_STORE=elasticsearch and no cluster answering, exits non-zero naming the URL without its password', async () => {
    const child = spawnCanh(['start'], {
      CANH_STORE: 'elasticsearch', ELASTICSEARCH_URL: 'http://elastic:s3cret-pass@127.0.0.1:1', CANH_ADMIN_TOKEN: 'a-shared-admin-token-0123456789',
      CANH_PII_SALT: 'a-shared-salt-0123456789', CANH_DATA_DIR: dataDir(), PORT: '0',
    });
    const code = await exited(child);
    expect(code).not.toBe(0);
    const out = child.output();
    expect(out).toContain('Elasticsearch at http://127.0.0.1:1 cannot be set up');
    expect(out).not.toContain('s3cret-pass');
  }, 90_000);

  it('refuses an unknown role', async () => {
    const child = spawnCanh(['start', '--roles', 'api,bogus'], { CANH_DATA_DIR: dataDir() });
    expect(await exited(child)).toBe(2);
    expect(child.output()).toContain('Unknown role(s): bogus');
  });
});
