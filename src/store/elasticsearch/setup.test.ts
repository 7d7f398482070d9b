import { fakeElasticsearch } from './fake-connection';
import { allIndexTemplates, RETENTION_POLICY } from './mappings';
import { installTemplates, KNOWN_DATASETS, setupRequests, uninstallPrefix } from './setup';

const ok = { status: 200, body: { acknowledged: true } };

describe('installTemplates', () => {
  it('puts the retention policy first, then every template of mappings.ts', async () => {
    const es = fakeElasticsearch(() => ok);
    await installTemplates(es.client, 30);
    const puts = es.requests.map((r) => `${r.method} ${r.path}`);
    const templates = allIndexTemplates(KNOWN_DATASETS);
    expect(puts).toEqual([`PUT /_ilm/policy/${RETENTION_POLICY}`, ...templates.map((t) => `PUT /_index_template/${encodeURIComponent(t.name)}`)]);
    expect(es.requests[0].body).toEqual({ policy: setupRequests(30).policy.policy });
    expect(JSON.stringify(es.requests[0].body)).toContain('"min_age":"30d"');
    const { name, ...body } = templates[0];
    expect(es.requests[1].body).toEqual(body);
    expect(name).toBe('canh-events-web.access');
  });

  it('is idempotent: running it twice sends the same requests', async () => {
    const es = fakeElasticsearch(() => ok);
    await installTemplates(es.client, 7);
    const once = [...es.requests];
    await installTemplates(es.client, 7);
    expect(es.requests.slice(once.length)).toEqual(once);
  });

  it('prefixes template names, index patterns and the ILM policy the templates name', () => {
    const { policy, templates } = setupRequests(7, { indexPrefix: 'run1-', datasets: ['web.access'] });
    expect(policy.name).toBe('run1-canh-retention');
    expect(templates.map((t) => [t.name, t.index_patterns])).toContainEqual(['run1-canh-events-web.access', ['run1-canh-events-web.access-*']]);
    expect(templates.map((t) => t.name)).toContain('run1-canh-batches');
    for (const t of templates) {
      const lifecycle = t.template?.settings?.lifecycle;
      if (lifecycle) expect(lifecycle.name).toBe('run1-canh-retention');
    }
  });

  it('refuses a bad retention as invalid before sending anything, and an unreachable node as unavailable', async () => {
    const es = fakeElasticsearch(() => ok);
    await expect(installTemplates(es.client, 0)).rejects.toMatchObject({ kind: 'invalid' });
    expect(es.requests).toEqual([]);
    const down = fakeElasticsearch(() => ({ status: 503, body: { error: { type: 'master_not_discovered_exception', reason: 'no master' }, status: 503 } }));
    await expect(installTemplates(down.client, 30)).rejects.toMatchObject({ kind: 'unavailable' });
  });
});

describe('uninstallPrefix', () => {
  it('deletes the listed indices by name, then the templates and the policy of the prefix', async () => {
    const es = fakeElasticsearch((r) => {
      if (r.method === 'GET' && r.path.startsWith('/run1-canh-')) return { status: 200, body: { 'run1-canh-batches': {}, 'run1-canh-events-web.access-2026.01.10': {} } };
      if (r.method === 'GET') return { status: 200, body: { index_templates: [{ name: 'run1-canh-batches', index_template: {} }] } };
      return ok;
    });
    await uninstallPrefix(es.client, 'run1-');
    expect(es.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`)).toEqual([
      'GET /run1-canh-*', 'DELETE /run1-canh-batches,run1-canh-events-web.access-2026.01.10',
      'GET /_index_template/run1-canh-*', 'DELETE /_index_template/run1-canh-batches', 'DELETE /_ilm/policy/run1-canh-retention',
    ]);
    await expect(uninstallPrefix(es.client, '')).rejects.toThrow('non-empty prefix');
  });
});
