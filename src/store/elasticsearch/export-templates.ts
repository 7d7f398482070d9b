import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setupRequests } from './setup';

/**
 * The retention policy and index templates Canh installs at start-up, as files an operator can
 * review or install by hand (`PUT _ilm/policy/<name>`, `PUT _index_template/<name>` with the file
 * as body). deploy/elasticsearch/ holds them for the default retention; a test keeps them equal to
 * the code.
 */
export function templateFiles(retentionDays: number): Map<string, string> {
  const { policy, templates } = setupRequests(retentionDays);
  const files = new Map<string, string>();
  const { name: policyName, ...policyBody } = policy;
  files.set(`ilm-policy.${policyName}.json`, `${JSON.stringify(policyBody, null, 2)}\n`);
  for (const t of templates) {
    const { name, ...body } = t;
    files.set(`index-template.${name}.json`, `${JSON.stringify(body, null, 2)}\n`);
  }
  return files;
}

/** Writes templateFiles() into `dir`; answers the file names. */
export function writeTemplateFiles(dir: string, retentionDays: number): string[] {
  mkdirSync(dir, { recursive: true });
  const files = templateFiles(retentionDays);
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  return [...files.keys()];
}
