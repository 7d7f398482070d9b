import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { createContainer } from '../app/container';
import { ROLES, startRoles, type Running } from '../app/start';
import { PACKAGE_ROOT } from '../app/version';
import { loadConfig } from '../config/load-config';
import { checkRedis, deleteKeysUnder } from '../queue/redis';
import { AnalystBot } from './analyst-bot';
import { DemoApi } from './demo-api';
import { PROBE_LOCATIONS } from './demo-data';
import { writeDemoRules } from './demo-rules';
import { guideText } from './guide';
import { LocalServices } from './local-services';
import { seed, type Seeded } from './seed';
import { DEFAULT_TIMINGS, type DemoTimings } from './timings';
import { loadSampleRequests } from './traffic/lines';
import { Replay } from './traffic/replay';

export interface DemoOptions {
  /** Wiped at start unless `keep`. @defaultValue ./demo-data */
  readonly dataDir?: string;
  /** 0: any free port. @defaultValue 8080 */
  readonly port?: number;
  /** @defaultValue 127.0.0.1 (the demo's passwords are public) */
  readonly host?: string;
  /** @defaultValue redis://127.0.0.1:6379 */
  readonly redisUrl?: string;
  /** Every Redis key of the demo is under it; deleted at start and at stop. @defaultValue canh-demo */
  readonly prefix?: string;
  /** Keep the data dir of a previous run (its incidents, users and source keys). @defaultValue false */
  readonly keep?: boolean;
  /** @defaultValue DEFAULT_TIMINGS */
  readonly timings?: DemoTimings;
  /** SMTP_URL, CANH_LOG_LEVEL and other settings of Canh (the demo sets its own data dir, port, prefix, rules dir). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The real access log replayed as normal traffic. @defaultValue ../shared/data/apache_access_elastic_examples.log of the package */
  readonly sampleFile?: string;
  readonly log?: Logger;
}

export interface Demo {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly adminToken: string;
  readonly dataDir: string;
  readonly prefix: string;
  readonly seeded: Seeded;
  readonly local: LocalServices;
  readonly replay: Replay;
  /** The text printed on start. */
  readonly guide: string;
  /** Stops the traffic, then Canh (finishing the jobs in hand), then deletes the demo's Redis keys. */
  stop(): Promise<void>;
}

/** Thrown when Redis does not answer: the message is canh start's. */
export class RedisUnreachable extends Error {}

/**
 * Starts Canh with every role in this process on a fresh data dir, seeds it through its API and
 * replays traffic (src/demo/traffic), with a simulated analyst at the scanner's commune.
 */
export async function startDemo(o: DemoOptions = {}): Promise<Demo> {
  const env = o.env ?? {};
  const timings = o.timings ?? DEFAULT_TIMINGS;
  const dataDir = resolve(o.dataDir ?? './demo-data');
  const redisUrl = o.redisUrl ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = o.prefix ?? 'canh-demo';
  const log = o.log ?? pino({ level: env.CANH_LOG_LEVEL ?? 'warn', base: { service: 'canh-demo' } }, pino.destination(2));
  const problem = await checkRedis(redisUrl);
  if (problem) throw new RedisUnreachable(problem);
  if (!o.keep) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  await deleteKeysUnder(redisUrl, prefix);
  const rulesDir = join(dataDir, 'demo-rules');
  writeDemoRules(rulesDir, PACKAGE_ROOT, timings);
  const config = loadConfig({
    ...env, PORT: String(o.port ?? 8080), HOST: o.host ?? env.HOST ?? '127.0.0.1', REDIS_URL: redisUrl, CANH_DATA_DIR: dataDir,
    CANH_QUEUE_PREFIX: prefix, CANH_RULES_DIR: rulesDir, CANH_PROBE_LOCATION: PROBE_LOCATIONS.builtIn, CANH_STORE: 'duckdb',
    CANH_LOG_LEVEL: env.CANH_LOG_LEVEL ?? 'warn',
  });
  const container = await createContainer(config);
  let running: Running;
  try {
    running = await startRoles(container, ROLES, log);
  } catch (err) {
    await container.close();
    throw err;
  }
  const local = new LocalServices();
  const stopCanh = async () => {
    await running.stop();
    await local.stop();
    await deleteKeysUnder(redisUrl, prefix);
  };
  try {
    await local.start();
    const port = Number(new URL(running.address ?? '').port);
    const url = `http://127.0.0.1:${port}`;
    const api = new DemoApi(url, container.adminToken);
    const seeded = await seed(api, local, dataDir, timings, config.smtpUrl !== undefined);
    const sampleFile = o.sampleFile ?? join(PACKAGE_ROOT, '..', 'shared', 'data', 'apache_access_elastic_examples.log');
    const sample = loadSampleRequests(sampleFile);
    let warned = false;
    const onError = (err: unknown) => {
      if (!warned) log.warn({ err: String(err) }, 'demo traffic: a send failed (the demo goes on; further failures are logged at debug)');
      else log.debug({ err: String(err) }, 'demo traffic: a send failed');
      warned = true;
    };
    const replay = new Replay({ api, local, seeded, timings, sample, onError });
    const bot = new AnalystBot(api, timings);
    replay.start();
    let botRun: Promise<void> | null = null;
    const botTimer = setInterval(() => {
      botRun ??= bot.step().catch((err) => log.debug({ err: String(err) }, 'demo analyst: an action failed (retried)')).finally(() => (botRun = null));
    }, Math.min(timings.tickMs, 2000));
    const guide = guideText({ url, dataDir, rulesDir, prefix, adminToken: container.adminToken, timings, email: config.smtpUrl !== undefined, sample: sample !== null });
    return {
      url, adminToken: container.adminToken, dataDir, prefix, seeded, local, replay, guide,
      async stop() {
        clearInterval(botTimer);
        await replay.stop();
        await botRun;
        await stopCanh();
      },
    };
  } catch (err) {
    await stopCanh().catch(() => undefined);
    throw err;
  }
}
