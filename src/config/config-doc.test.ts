import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SCHEMA } from './schema';

describe('docs/configuration.md', () => {
  it('lists every variable of the schema with its default', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
    for (const field of Object.values(CONFIG_SCHEMA)) {
      const dflt = 'default' in field ? `\`${field.default}\`` : '(unset)';
      expect(doc).toContain(`| \`${field.env}\` | ${dflt} |`);
    }
  });
});
