import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { templateFiles } from './export-templates';

const DIR = join(__dirname, '..', '..', '..', 'deploy', 'elasticsearch');

describe('deploy/elasticsearch: the exported templates', () => {
  it('are exactly what Canh installs at start-up with the default retention (regenerate: canh elasticsearch-templates deploy/elasticsearch)', () => {
    const expected = templateFiles(90);
    const present = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
    expect(present).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) expect(readFileSync(join(DIR, name), 'utf8')).toBe(text);
  });

  it('hold a 90-day delete phase and keyword/ip/date mappings for the events', () => {
    const files = templateFiles(90);
    const policy = JSON.parse([...files.entries()].find(([n]) => n.startsWith('ilm-policy'))![1]);
    expect(policy.policy.phases.delete.min_age).toBe('90d');
    const access = JSON.parse([...files.entries()].find(([n]) => n.includes('web.access') || n.includes('web-access'))![1]);
    const props = access.template.mappings.properties;
    expect(props.source.properties.ip.type).toBe('ip');
    expect(props['@timestamp'].type).toBe('date');
    expect(props.organization.properties.id.type).toBe('keyword');
  });
});
