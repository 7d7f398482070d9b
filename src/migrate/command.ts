import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config';
import { parseTime } from '../lib/time';
import { closeStores, openDuckDbStores } from './duckdb-source';
import { formatProgress, formatReport } from './format';
import { migrate } from './migrate';
import { openElasticsearchTarget } from './targets';
import type { MigrationProgress } from './types';

export const MIGRATE_USAGE = `Usage: canh migrate --to elasticsearch [--from-data-dir <dir>] [--since <time>] [--dry-run]
  Copies the embedded store (the DuckDB files of CANH_DATA_DIR, or <dir>) into Elasticsearch at
  ELASTICSEARCH_URL: localities, sources and their keys, contacts, users and tokens, incidents with
  their timelines, rule checkpoints and runs, audit entries, events and dead letters. Stop Canh first.
  --since T   copy events, dead letters and audit entries from T on (ISO 8601, epoch ms, now-30d)
  --dry-run   count what would be copied and check for conflicts; write nothing
  Run it again after an interruption: what is already there is skipped.`;

/** Progress on stderr: redrawn in place on a terminal, one line per kind and phase otherwise. */
function progressWriter(out: NodeJS.WriteStream = process.stderr): { update(p: MigrationProgress): void; clear(): void } {
  let last = '';
  return {
    update(p) {
      if (out.isTTY) {
        out.write(`\r\x1b[2K${formatProgress(p)}`);
      } else if (`${p.kind}:${p.phase}` !== last) {
        out.write(`${formatProgress(p)}\n`);
      }
      last = `${p.kind}:${p.phase}`;
    },
    clear() {
      if (out.isTTY) out.write('\r\x1b[2K');
    },
  };
}

/** `canh migrate`: 0 when everything was copied and verified (or a dry run), 1 otherwise, 2 for bad arguments. */
export async function migrateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args, options: { to: { type: 'string' }, 'from-data-dir': { type: 'string' }, since: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  });
  if (values.to !== 'elasticsearch') {
    console.error(`${values.to === undefined ? 'canh migrate needs --to' : `Unknown target ${values.to}`}: elasticsearch is the only one\n\n${MIGRATE_USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const since = values.since === undefined ? undefined : parseTime(values.since, '--since', Date.now());
  const dataDir = values['from-data-dir'] ?? config.dataDir;
  const from = await openDuckDbStores(dataDir, config.duckdbMemoryLimit);
  try {
    const target = await openElasticsearchTarget(config);
    const bar = progressWriter();
    try {
      console.error(`canh migrate: ${dataDir} → ${config.elasticsearchUrl ?? ''}${values['dry-run'] ? ' (dry run)' : ''}`);
      const report = await migrate(from, target.stores, { since, dryRun: values['dry-run'] ?? false }, (p) => bar.update(p));
      bar.clear();
      console.log(formatReport(report));
      if (report.outcome === 'copied' && report.kinds.every((k) => k.verified)) console.log('Next: set CANH_STORE=elasticsearch and start Canh (docs/scaling.md).');
      return report.outcome === 'refused' || (report.outcome === 'copied' && !report.kinds.every((k) => k.verified)) ? 1 : 0;
    } finally {
      bar.clear();
      await target.close();
    }
  } finally {
    await closeStores(from);
  }
}
