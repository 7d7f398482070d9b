import type { MigrationProgress, MigrationReport } from './types';

/** One progress line, e.g. `events: copying 5000/21000`. */
export function formatProgress(p: MigrationProgress): string {
  return `${p.kind}: ${p.phase} ${p.done}${p.total === null ? '' : `/${p.total}`}`;
}

/** The report of a migration as a table (one row per kind) followed by the conflicts and a verdict. */
export function formatReport(report: MigrationReport): string {
  const dry = report.outcome === 'dry_run';
  const head = ['kind', 'source', 'already there', dry ? 'to copy' : 'copied', 'on target', 'check'];
  const rows = report.kinds.map((k) => [
    k.kind, String(k.source), String(k.present), String(k.copied), String(k.target),
    report.outcome === 'copied' ? (k.verified ? 'ok' : 'MISSING') : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line)];
  if (report.outcome === 'refused') {
    out.push('', `Refused: the target holds other data under ${report.conflicts.length} id(s) of the source; nothing was written:`);
    for (const c of report.conflicts) out.push(`  ${c.kind} ${c.id}: ${c.reason}`);
  } else if (dry) {
    out.push('', 'Dry run: nothing was written.');
  } else {
    const bad = report.kinds.filter((k) => !k.verified);
    out.push('', bad.length === 0
      ? 'Every kind was verified on the target.'
      : `Not verified: ${bad.map((k) => `${k.kind} (${k.target} of ${k.source} found)`).join(', ')}; run canh migrate again.`);
  }
  return out.join('\n');
}
