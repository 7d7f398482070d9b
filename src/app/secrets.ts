import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A secret from the environment, or else from `<dataDir>/<file>`, created (mode 0600) on first use.
 * Returns whether it was just generated, so start-up can say where it is.
 */
export function ensureSecret(dataDir: string, file: string, fromEnv: string | undefined): { value: string; generated: boolean; path: string } {
  const path = join(dataDir, file);
  if (fromEnv) return { value: fromEnv, generated: false, path };
  try {
    const value = readFileSync(path, 'utf8').trim();
    if (value.length >= 16) return { value, generated: false, path };
  } catch {
    // missing: generated below
  }
  mkdirSync(dataDir, { recursive: true });
  const value = randomBytes(24).toString('base64url');
  writeFileSync(path, value + '\n', { mode: 0o600 });
  return { value, generated: true, path };
}
