import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createContainer } from '../app/container';
import { ROLES, startRoles, type Role } from '../app/start';
import { VERSION } from '../app/version';
import { loadConfig } from '../config/load-config';
import { CONFIG_SCHEMA } from '../config/schema';
import { AppError } from '../errors';
import { checkRedis } from '../queue/redis';
import { ApiClient } from './api-client';
import { importFile } from './import-file';
import { progressLine } from './progress';

const USAGE = `canh ${VERSION}: SOC log analysis and alerting

Usage:
  canh start [--roles api,ingest,rules,incidents,probe,syslog]
                                          run the service (all roles by default)
  canh config                             list every environment variable
  canh localities add --code C --name N --level central|province|commune [--parent P]
  canh localities import <file.csv>       code,name,level,parent_code
  canh localities list
  canh sources add --name N --locality C --kind access|otp|probe [--format F]
  canh sources list
  canh users add <username> --role analyst|locality_admin|central_reviewer|admin --locality C [--name N]
                                          create a user; the password comes from CANH_NEW_PASSWORD,
                                          else it is asked on the terminal
  canh users list
  canh users disable <username>           refuse the user's logins and tokens at once
  canh import <file> --source <id>        backfill a log file through the pipeline
  canh rules validate [paths...]          check rule files (default: rules/ and CANH_RULES_DIR)
  canh rules test <file> --from T [--to T] [--locality C]
                                          dry run: the hits a rule would have raised (raises nothing;
                                          a progress bar on stderr when it is a terminal)
  canh rules import-sigma <file|dir>... [--out F] [--strict-case]
                                          convert SigmaHQ webserver rules to Canh rules
  canh migrate --to elasticsearch [--from-data-dir <dir>] [--since <time>] [--dry-run]
                                          copy the embedded store (CANH_DATA_DIR) into Elasticsearch
                                          (ELASTICSEARCH_URL); stop Canh first (docs/scaling.md)
  canh elasticsearch-templates <dir> [--retention-days N]
                                          write the retention policy and index templates Canh installs, as JSON files

Commands other than start, config and migrate talk to a running Canh: CANH_URL (default
http://127.0.0.1:$PORT) with CANH_ADMIN_TOKEN (default: the token in $CANH_DATA_DIR/admin-token).`;

type Handler = (args: string[]) => Promise<number>;

const commands: Record<string, Handler> = {
  start,
  'elasticsearch-templates': async (args) => {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'retention-days': { type: 'string' } } });
    const dir = positionals[0];
    if (!dir) {
      console.error('usage: canh elasticsearch-templates <dir> [--retention-days N]');
      return 2;
    }
    const days = values['retention-days'] === undefined ? loadConfig(process.env).retentionDays : Number(values['retention-days']);
    const { writeTemplateFiles } = await import('../store/elasticsearch/export-templates');
    for (const f of writeTemplateFiles(dir, days)) console.log(join(dir, f));
    return 0;
  },
  config: async () => {
    for (const f of Object.values(CONFIG_SCHEMA)) console.log(`${f.env.padEnd(24)} ${('default' in f ? f.default : '(unset)').padEnd(24)} ${f.description}`);
    return 0;
  },
  localities: async ([sub, ...rest]) => {
    const api = new ApiClient();
    if (sub === 'add') {
      const { values } = parseArgs({ args: rest, options: { code: { type: 'string' }, name: { type: 'string' }, level: { type: 'string' }, parent: { type: 'string' } } });
      const l = await api.request<{ code: string; province_code: string | null }>('POST', '/api/v1/localities', { code: values.code, name: values.name, level: values.level, parent_code: values.parent ?? null });
      console.log(`created locality ${l.code}`);
      return 0;
    }
    if (sub === 'import' && rest[0]) {
      const r = await api.request<{ created: number }>('POST', '/api/v1/localities/import', readFileSync(rest[0], 'utf8'), 'text/csv');
      console.log(`imported ${r.created} localities`);
      return 0;
    }
    if (sub === 'list') {
      const r = await api.request<{ localities: { code: string; name: string; level: string; parent_code: string | null }[] }>('GET', '/api/v1/localities');
      for (const l of r.localities) console.log(`${l.code.padEnd(10)} ${l.level.padEnd(9)} ${(l.parent_code ?? '-').padEnd(10)} ${l.name}`);
      return 0;
    }
    return usage();
  },
  sources: async ([sub, ...rest]) => {
    const api = new ApiClient();
    if (sub === 'add') {
      const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, locality: { type: 'string' }, kind: { type: 'string' }, format: { type: 'string' } } });
      const s = await api.request<{ id: string; api_key: string }>('POST', '/api/v1/sources', { name: values.name, locality: values.locality, kind: values.kind, ...(values.format ? { format: values.format } : {}) });
      console.log(`source id: ${s.id}\napi key:   ${s.api_key}\n(the key is shown only now; store it in your shipper's configuration)`);
      return 0;
    }
    if (sub === 'list') {
      const r = await api.request<{ sources: { id: string; name: string; locality: string; kind: string; format: string; enabled: boolean }[] }>('GET', '/api/v1/sources');
      for (const s of r.sources) console.log(`${s.id}  ${s.locality.padEnd(8)} ${s.kind.padEnd(7)} ${s.format.padEnd(16)} ${s.enabled ? 'enabled ' : 'disabled'} ${s.name}`);
      return 0;
    }
    return usage();
  },
  users: async ([sub, ...rest]) => {
    const api = new ApiClient();
    type UserAnswer = { id: string; username: string; display_name: string; role: string; locality: string; disabled: boolean };
    if (sub === 'add') {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { role: { type: 'string' }, locality: { type: 'string' }, name: { type: 'string' } } });
      if (!positionals[0] || !values.role || !values.locality) return usage();
      const password = process.env.CANH_NEW_PASSWORD ?? (await askPassword(`Password for ${positionals[0]} (at least 12 characters): `));
      if (!password) {
        console.error('No password: set CANH_NEW_PASSWORD or run on a terminal to be asked');
        return 2;
      }
      const u = await api.request<UserAnswer>('POST', '/api/v1/users', { username: positionals[0], password, role: values.role, locality: values.locality, ...(values.name ? { display_name: values.name } : {}) });
      console.log(`created user ${u.username} (${u.id}): ${u.role} of ${u.locality}`);
      return 0;
    }
    if (sub === 'list') {
      const r = await api.request<{ users: UserAnswer[] }>('GET', '/api/v1/users');
      for (const u of r.users) console.log(`${u.username.padEnd(24)} ${u.role.padEnd(17)} ${u.locality.padEnd(8)} ${u.disabled ? 'disabled' : 'enabled '} ${u.display_name}`);
      return 0;
    }
    if (sub === 'disable' && rest[0]) {
      const r = await api.request<{ users: UserAnswer[] }>('GET', '/api/v1/users');
      const user = r.users.find((u) => u.username === rest[0]);
      if (!user) {
        console.error(`No user ${rest[0]}`);
        return 1;
      }
      await api.request<UserAnswer>('POST', `/api/v1/users/${encodeURIComponent(user.id)}/disable`);
      console.log(`disabled user ${user.username}: their logins and tokens are refused from now on`);
      return 0;
    }
    return usage();
  },
  rules: async ([sub, ...paths]) => {
    if (sub === 'test') return testRule(paths);
    if (sub === 'import-sigma') return (await import('../rules/sigma/command')).importSigmaCommand(paths);
    if (sub !== 'validate') return usage();
    const { loadRuleFiles, defaultRulePaths, formatRuleErrors } = await import('../rules/load-rules');
    const { PACKAGE_ROOT } = await import('../app/version');
    const { loadPolicyFiles, policyDirsOf } = await import('../escalation');
    const targets = paths.length ? paths : defaultRulePaths(PACKAGE_ROOT, process.env.CANH_RULES_DIR);
    const loaded = await loadRuleFiles(targets);
    // Escalation policies live in the escalation/ folder of a rules directory: checked too.
    const policies = await loadPolicyFiles(await policyDirsOf(targets));
    const errors = [...loaded.errors, ...policies.errors];
    if (errors.length) console.error(formatRuleErrors(errors));
    console.log(`${loaded.rules.length} rules and ${policies.policies.length} escalation policies valid, ${errors.length} errors`);
    return errors.length ? 1 : 0;
  },
  migrate: async (args) => (await import('../migrate/command')).migrateCommand(args),
  import: async (args) => {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { source: { type: 'string' } } });
    if (!positionals[0] || !values.source) return usage();
    const s = await importFile(new ApiClient(), positionals[0], values.source);
    console.log(`sent ${s.sent} lines: ${s.stored} stored, ${s.deadLettered} dead letters, ${s.seconds.toFixed(1)} s, ${s.eventsPerSecond} events/s`);
    return s.sent === s.stored + s.deadLettered ? 0 : 1;
  },
};

async function testRule(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { from: { type: 'string' }, to: { type: 'string' }, locality: { type: 'string' } } });
  if (!positionals[0] || !values.from) return usage();
  const body = { rule: readFileSync(positionals[0], 'utf8'), from: values.from, ...(values.to ? { to: values.to } : {}), ...(values.locality ? { locality: values.locality } : {}) };
  type Answer = { rule_id: string; windows: number; hits: { window_to: string; group: Record<string, unknown>; observed: number; condition: string; evidence_query: string }[] };
  /** The lines of the answer asked as application/x-ndjson: progress lines, then a result or an error. */
  type Line = { progress?: { done: number; total: number }; result?: Answer; error?: { code: string; message: string } };
  const bar = progressLine(process.stderr);
  let answer: Answer | undefined;
  let failure: Line['error'];
  try {
    await new ApiClient().requestLines<Line>('POST', '/api/v1/rules/test', body, (line) => {
      if (line.progress) bar.update(line.progress.done, line.progress.total);
      answer = line.result ?? answer;
      failure = line.error ?? failure;
    });
  } finally {
    bar.clear();
  }
  if (failure || !answer) {
    console.error(failure ? `${failure.code}: ${failure.message}` : 'The dry run ended without a result');
    return 1;
  }
  for (const h of answer.hits) console.log(`${h.window_to}  ${JSON.stringify(h.group)}  ${h.condition}\n    evidence: ${h.evidence_query}`);
  console.log(`${answer.rule_id}: ${answer.hits.length} hits over ${answer.windows} evaluations (dry run: nothing raised)`);
  return 0;
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { roles: { type: 'string' } } });
  const roles = (values.roles ?? ROLES.join(',')).split(',').map((r) => r.trim());
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) {
    console.error(`Unknown role(s): ${unknown.join(', ')}. Roles: ${ROLES.join(', ')}`);
    return 2;
  }
  const config = loadConfig();
  const log = pino({ level: config.logLevel, base: { service: 'canh' } });
  const redisProblem = await checkRedis(config.redisUrl);
  if (redisProblem) {
    console.error(redisProblem);
    return 1;
  }
  const container = await createContainer(config);
  for (const notice of container.notices) log.warn(notice);
  const running = await startRoles(container, roles as Role[], log);
  log.info({ roles, address: running.address, dataDir: container.dataDir }, `canh ${VERSION} started`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down: finishing the jobs in hand');
      running.stop().then(resolve, (err) => {
        log.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('stopped');
  return 0;
}

/** Reads a password from the terminal without echoing it; '' when stdin is not a terminal. */
async function askPassword(prompt: string): Promise<string> {
  const { stdin, stderr } = process;
  if (!stdin.isTTY) return '';
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const done = (result: string | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (result === null) reject(new Error('Cancelled'));
      else resolve(result);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(value);
        if (ch === '\u0003') return done(null);
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

function usage(): Promise<number> {
  console.error(USAGE);
  return Promise.resolve(2);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version') {
    console.log(VERSION);
    return 0;
  }
  const handler = commands[command];
  if (!handler) return usage();
  return handler(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof AppError || err instanceof Error ? err.message : String(err));
    process.exit(err instanceof AppError && err.kind === 'invalid' ? 2 : 1);
  },
);
