import { Document, LineCounter, isSeq, parseAllDocuments } from 'yaml';
import { errors as appErrors } from '../errors';
import { formatRuleErrors, loadYamlFiles } from '../rules/load-rules';
import type { RuleError } from '../rules/yaml-fields';
import type { Monitor } from './monitor';
import { parseMonitorNode } from './schema';

/** Monitors that loaded, and every problem found (a monitor with a problem is left out). */
export interface LoadedMonitors {
  readonly monitors: Monitor[];
  readonly errors: RuleError[];
}

function parseText(text: string, file: string): LoadedMonitors {
  const lineCounter = new LineCounter();
  const monitors: Monitor[] = [];
  const errors: RuleError[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter, prettyErrors: false })) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) errors.push({ file, line: lineCounter.linePos(e.pos[0]).line, field: '', message: `YAML: ${e.message.split('\n')[0]}` });
      continue;
    }
    const root = doc.contents;
    if (root === null || root === undefined || (root as { value?: unknown }).value === null) continue;
    for (const node of isSeq(root) ? root.items : [root]) {
      const m = parseMonitorNode(node, { file, lineCounter }, errors);
      if (m) monitors.push(m);
    }
  }
  return { monitors, errors: errors.sort((a, b) => a.line - b.line) };
}

/** Keeps the first monitor of each id; a later one is an error naming both places. */
function rejectDuplicates(loaded: LoadedMonitors): LoadedMonitors {
  const seen = new Map<string, Monitor>();
  const errors = [...loaded.errors];
  const monitors: Monitor[] = [];
  for (const m of loaded.monitors) {
    const first = seen.get(m.id);
    if (first) {
      const at = m.origin.kind === 'yaml' ? m.origin : { file: '', line: 0 };
      const was = first.origin.kind === 'yaml' ? `${first.origin.file}:${first.origin.line}` : 'the API';
      errors.push({ file: at.file, line: at.line, field: 'id', message: `duplicate monitor id '${m.id}': already defined at ${was}` });
      continue;
    }
    seen.set(m.id, m);
    monitors.push(m);
  }
  return { monitors, errors };
}

/** Monitors of one YAML text (one mapping, a list, or several documents). Pure. */
export function loadMonitorText(text: string, file: string): LoadedMonitors {
  return rejectDuplicates(parseText(text, file));
}

/**
 * Monitors of files and directories (every .yaml/.yml below a directory). A missing directory is
 * no monitor at all, not an error: `rules/monitors/` is optional. Never throws for bad input.
 */
export async function loadMonitorFiles(paths: readonly string[]): Promise<LoadedMonitors> {
  const { items: monitors, errors } = await loadYamlFiles(paths, (text, file) => {
    const r = parseText(text, file);
    return { items: r.monitors, errors: r.errors };
  }, { missingOk: true });
  return rejectDuplicates({ monitors, errors });
}

/**
 * An API body (JSON, the YAML keys) → a Monitor, with the same checks as a file. Throws `invalid`
 * naming every bad field (`details.problems`).
 */
export function parseMonitorInput(input: unknown): Monitor {
  const doc = new Document(input);
  const problems: RuleError[] = [];
  const monitor = parseMonitorNode(doc.contents, { file: 'request body', lineCounter: new LineCounter() }, problems, 'api');
  if (!monitor || problems.length > 0) {
    const list = problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message));
    throw appErrors.invalidRequest(`Invalid monitor: ${list.join('; ')}`, { problems: list });
  }
  return monitor;
}

export { formatRuleErrors as formatMonitorErrors };
