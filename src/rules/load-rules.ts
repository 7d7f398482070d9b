import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { LineCounter, isSeq, parseAllDocuments } from 'yaml';
import { Rule } from './rule';
import { RuleError, parseRuleNode } from './schema';

export type { RuleError } from './schema';

/** Rules that loaded, and every problem found (a rule with a problem is left out; the others load). */
export interface LoadedRules {
  readonly rules: Rule[];
  readonly errors: RuleError[];
}

const RULE_FILE = /\.ya?ml$/i;

/** Rules of one file, duplicates not yet checked. */
function parseText(text: string, file: string): LoadedRules {
  const lineCounter = new LineCounter();
  const rules: Rule[] = [];
  const errors: RuleError[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter, prettyErrors: false })) {
    if (doc.errors.length > 0) {
      // A document that does not parse is skipped whole; the other documents still load.
      for (const e of doc.errors) {
        const error = { file, line: lineCounter.linePos(e.pos[0]).line, field: '', message: `YAML: ${firstLine(e.message)}` };
        if (!errors.some((o) => o.line === error.line && o.message === error.message)) errors.push(error);
      }
      continue;
    }
    const root = doc.contents;
    if (root === null || root === undefined || (root as { value?: unknown }).value === null) continue;
    const nodes = isSeq(root) ? root.items : [root];
    for (const node of nodes) {
      const rule = parseRuleNode(node, { file, lineCounter }, errors);
      if (rule) rules.push(rule);
    }
  }
  // Stable: errors on one line keep the order in which they were found.
  return { rules, errors: errors.sort((a, b) => a.line - b.line) };
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

/** Keeps the first rule of each id; every later one is an error naming both places. */
function rejectDuplicates(loaded: LoadedRules): LoadedRules {
  const seen = new Map<string, Rule>();
  const rules: Rule[] = [];
  const errors = [...loaded.errors];
  for (const rule of loaded.rules) {
    const first = seen.get(rule.id);
    if (first) {
      const { file, line } = rule.origin;
      errors.push({ file, line, field: 'id', message: `duplicate rule id '${rule.id}': already defined at ${first.origin.file}:${first.origin.line}` });
      continue;
    }
    seen.set(rule.id, rule);
    rules.push(rule);
  }
  return { rules, errors };
}

/**
 * Loads the rules of one YAML text: one rule (a mapping), a list of rules, or several documents
 * separated by `---`. Pure: `file` only names the source in rules' origins and in errors.
 */
export function loadRuleText(text: string, file: string): LoadedRules {
  return rejectDuplicates(parseText(text, file));
}

/** The .yaml/.yml files under a directory, recursively, in name order (rule files, Sigma files). */
export async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await yamlFilesUnder(path)));
    else if (entry.isFile() && RULE_FILE.test(entry.name)) files.push(path);
  }
  return files;
}

function ioMessage(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Loads rules from files and directories (directories: every .yaml/.yml file below, recursively,
 * except the `escalation/` and `monitors/` subdirectories of a given directory, which hold
 * escalation policies and monitors).
 * A file named directly is read whatever its extension. Duplicate ids across all files are errors;
 * the first definition (in the order given, then by name) is kept. Never throws for bad input: a
 * missing or unreadable path is an error with line 0.
 */
export async function loadRuleFiles(paths: readonly string[]): Promise<LoadedRules> {
  // `<dir>/escalation/` holds escalation policies (src/escalation), `<dir>/monitors/` monitors (src/monitors): not rules.
  const { items: rules, errors } = await loadYamlFiles(paths, (text, file) => {
    const r = parseText(text, file);
    return { items: r.rules, errors: r.errors };
  }, { skipSubdirs: ['escalation', 'monitors'] });
  return rejectDuplicates({ rules, errors });
}

/**
 * The shared loop of the YAML loaders (rules, escalation policies, monitors): expands `paths` into
 * files (a directory: every .yaml/.yml below it, in name order, minus `skipSubdirs` of it; a file:
 * itself), each once, parses each with `parse`, and gathers items and errors. Never throws for bad
 * input: an unreadable path is an error with line 0; a missing one too unless `missingOk`.
 */
export async function loadYamlFiles<T>(
  paths: readonly string[],
  parse: (text: string, file: string) => { readonly items: readonly T[]; readonly errors: readonly RuleError[] },
  options: { readonly skipSubdirs?: readonly string[]; readonly missingOk?: boolean } = {},
): Promise<{ items: T[]; errors: RuleError[] }> {
  const errors: RuleError[] = [];
  const files: string[] = [];
  for (const path of paths) {
    try {
      const skipped = (options.skipSubdirs ?? []).map((d) => join(resolve(path), d) + sep);
      const found = (await stat(path)).isDirectory() ? (await yamlFilesUnder(path)).filter((f) => !skipped.some((o) => resolve(f).startsWith(o))) : [path];
      for (const f of found) if (!files.some((g) => resolve(g) === resolve(f))) files.push(f);
    } catch (err) {
      if (!(options.missingOk && (err as { code?: string }).code === 'ENOENT')) errors.push({ file: path, line: 0, field: '', message: ioMessage(err) });
    }
  }
  const items: T[] = [];
  for (const file of files) {
    try {
      const loaded = parse(await readFile(file, 'utf8'), file);
      items.push(...loaded.items);
      errors.push(...loaded.errors);
    } catch (err) {
      errors.push({ file, line: 0, field: '', message: ioMessage(err) });
    }
  }
  return { items, errors };
}

/** One line per error: `file:line: field: message` (`file: message` for whole-file errors). */
export function formatRuleErrors(errors: readonly RuleError[]): string {
  return errors
    .map((e) => `${e.file}${e.line > 0 ? `:${e.line}` : ''}: ${e.field ? `${e.field}: ` : ''}${e.message}`)
    .join('\n');
}

/** The default rule paths of `canh rules validate`: the shipped `rules/` and CANH_RULES_DIR when set. */
export function defaultRulePaths(repoRoot: string, rulesDir?: string): string[] {
  const paths = [join(repoRoot, 'rules')];
  if (rulesDir && rulesDir.trim() !== '' && resolve(rulesDir) !== resolve(paths[0])) paths.push(rulesDir);
  return paths;
}
