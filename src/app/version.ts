import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Canh's version, from the nearest package.json (works from src/ and from dist/src/). */
function readVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    dir = dirname(dir);
  }
  return '0.0.0';
}

export const VERSION: string = readVersion();
