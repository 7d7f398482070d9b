import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The real Apache access log of ../shared/data (10,000 lines); fails loudly when it is missing. */
export function sampleAccessLogPath(): string {
  const path = join(__dirname, '..', '..', '..', 'shared', 'data', 'apache_access_elastic_examples.log');
  if (!existsSync(path)) throw new Error(`Sample data missing: ${path} (the shared/ folder beside the repository)`);
  return path;
}
