import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LineCounter, isSeq, parseAllDocuments } from 'yaml';
import { loadYamlFiles } from '../rules/load-rules';
import type { RuleError } from '../rules/yaml-fields';
import { parsePolicyNode, type EscalationPolicy } from './policy';

export type PolicyError = RuleError;

/** Policies that loaded, and every problem found (a policy with a problem is left out; the others load). */
export interface LoadedPolicies {
  readonly policies: EscalationPolicy[];
  readonly errors: PolicyError[];
}

/** The escalation policy directory of a rules directory: `<rules>/escalation`. */
export const POLICY_SUBDIR = 'escalation';

function parseText(text: string, file: string): LoadedPolicies {
  const lineCounter = new LineCounter();
  const policies: EscalationPolicy[] = [];
  const errors: PolicyError[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter, prettyErrors: false })) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const error = { file, line: lineCounter.linePos(e.pos[0]).line, field: '', message: `YAML: ${e.message.split('\n')[0]}` };
        if (!errors.some((o) => o.line === error.line && o.message === error.message)) errors.push(error);
      }
      continue;
    }
    const root = doc.contents;
    if (root === null || root === undefined || (root as { value?: unknown }).value === null) continue;
    const nodes = isSeq(root) ? root.items : [root];
    nodes.forEach((node, i) => {
      const policy = parsePolicyNode(node, { file, lineCounter }, errors, isSeq(root) ? i : undefined);
      if (policy) policies.push(policy);
    });
  }
  return { policies, errors: errors.sort((a, b) => a.line - b.line) };
}

/** Keeps the first policy of each name; every later one is an error naming both places. */
function rejectDuplicates(loaded: LoadedPolicies): LoadedPolicies {
  const seen = new Map<string, EscalationPolicy>();
  const policies: EscalationPolicy[] = [];
  const errors = [...loaded.errors];
  for (const p of loaded.policies) {
    const first = seen.get(p.name);
    if (first) {
      errors.push({ file: p.origin.file, line: p.origin.line, field: 'name', message: `duplicate policy name '${p.name}': already defined at ${first.origin.file}:${first.origin.line}` });
      continue;
    }
    seen.set(p.name, p);
    policies.push(p);
  }
  return { policies, errors };
}

/**
 * The policies of one YAML text: a list of policies, one policy (a mapping), or several documents.
 * Pure: `file` only names the source in origins and errors.
 */
export function loadPolicyText(text: string, file: string): LoadedPolicies {
  return rejectDuplicates(parseText(text, file));
}

/**
 * Loads policies from files and directories (every .yaml/.yml file below a directory, in name
 * order). Names are unique across all files (the first, in load order, is kept). Never throws for
 * bad input: a bad file is reported and the other files still load; a missing path is an error
 * with line 0.
 */
export async function loadPolicyFiles(paths: readonly string[]): Promise<LoadedPolicies> {
  const { items: policies, errors } = await loadYamlFiles(paths, (text, file) => {
    const r = parseText(text, file);
    return { items: r.policies, errors: r.errors };
  });
  return rejectDuplicates({ policies, errors });
}

/**
 * The policy directories of rule directories: `<dir>/escalation` of each that has one (a rules
 * directory without it simply has no policies).
 */
export async function policyDirsOf(ruleDirs: readonly string[]): Promise<string[]> {
  const dirs: string[] = [];
  for (const dir of ruleDirs) {
    const candidate = join(dir, POLICY_SUBDIR);
    try {
      if ((await stat(candidate)).isDirectory() && !dirs.some((d) => resolve(d) === resolve(candidate))) dirs.push(candidate);
    } catch {
      // no policies there
    }
  }
  return dirs;
}
