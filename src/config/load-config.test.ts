import { AppError } from '../errors';
import { loadConfig } from './load-config';

describe('loadConfig', () => {
  it('gives the documented defaults on an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.dataDir).toBe('./data');
    expect(c.store).toBe('duckdb');
    expect(c.retentionDays).toBe(90);
    expect(c.adminToken).toBeUndefined();
  });

  it('reports every bad variable at once', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'http://x', CANH_STORE: 'mongo', CANH_RETENTION_DAYS: '-3', CANH_ADMIN_TOKEN: 'short' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    const problems = (caught as AppError).details?.problems as string[];
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['CANH_ADMIN_TOKEN', 'CANH_RETENTION_DAYS', 'CANH_STORE', 'PORT', 'REDIS_URL']);
    expect((caught as AppError).message).toContain('PORT: expected an integer from 0 to 65535, got "eighty"');
  });

  it('requires ELASTICSEARCH_URL with the elasticsearch store', () => {
    expect(() => loadConfig({ CANH_STORE: 'elasticsearch' })).toThrow(/ELASTICSEARCH_URL: required/);
    expect(() => loadConfig({ CANH_STORE: 'elasticsearch', ELASTICSEARCH_URL: 'http://127.0.0.1:9200' })).toThrow(/CANH_ADMIN_TOKEN: required[\s\S]*CANH_PII_SALT: required/);
    const shared = { CANH_ADMIN_TOKEN: 'a-shared-admin-token-0123456789', CANH_PII_SALT: 'a-shared-salt-0123456789' };
    expect(loadConfig({ CANH_STORE: 'elasticsearch', ELASTICSEARCH_URL: 'http://127.0.0.1:9200', ...shared }).elasticsearchUrl).toBe('http://127.0.0.1:9200');
  });
});
