import { writeFile } from 'node:fs/promises';
import { convertSigmaPaths } from './convert';

const USAGE = 'usage: canh rules import-sigma <file|dir>... [--out <file>] [--strict-case]';

/**
 * `canh rules import-sigma <file|dir>... [--out <file>] [--strict-case]`: converts Sigma rules to
 * Canh rules. The YAML goes to stdout (or to --out); refused rules, files that failed and notes go
 * to stderr. Exit 0 when at least one rule converted and no file failed to parse; 1 otherwise; 2 on
 * a usage error.
 */
export async function importSigmaCommand(
  args: string[],
  io: { stdout: (s: string) => void; stderr: (s: string) => void } = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  },
): Promise<number> {
  const paths: string[] = [];
  let out: string | undefined;
  let strictCase = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--out' || a === '-o') {
      out = args[++i];
      if (out === undefined) {
        io.stderr(`--out needs a file\n${USAGE}\n`);
        return 2;
      }
    } else if (a.startsWith('--out=')) out = a.slice('--out='.length);
    else if (a === '--strict-case') strictCase = true;
    else if (a === '--help' || a === '-h') {
      io.stdout(`${USAGE}\n`);
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      io.stderr(`unknown option ${a}\n${USAGE}\n`);
      return 2;
    } else paths.push(a);
  }
  if (paths.length === 0) {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  const result = await convertSigmaPaths(paths, { strictCase });
  for (const f of result.failed) io.stderr(`${f.file}: failed: ${f.reason}\n`);
  for (const r of result.refused) io.stderr(`${r.file}: refused "${r.title}": ${r.reason}\n`);
  for (const c of result.converted) for (const n of c.notes) io.stderr(`${c.file}: note for ${c.id}: ${n}\n`);
  if (out !== undefined) {
    await writeFile(out, result.rules, 'utf8');
    io.stderr(`wrote ${result.converted.length} rule(s) to ${out}\n`);
  } else io.stdout(result.rules);
  io.stderr(`${result.converted.length} converted, ${result.refused.length} refused, ${result.failed.length} failed\n`);
  return result.converted.length > 0 && result.failed.length === 0 ? 0 : 1;
}
