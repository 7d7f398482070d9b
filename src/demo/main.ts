import { parseArgs } from 'node:util';
import { DemoApi } from './demo-api';
import { RedisUnreachable, startDemo, type Demo } from './demo-runner';
import { DEFAULT_TIMINGS, FAST_TIMINGS } from './timings';

const USAGE = `npm run demo [-- --keep] [--port N] [--data-dir DIR] [--fast]

Starts Canh with sample localities, sources, users and monitors, and replays traffic with attacks,
an OTP failure wave and an outage (docs/demo.md). Needs Redis (REDIS_URL, default redis://127.0.0.1:6379).
  --keep          keep the data dir of the previous run (default: wiped at start)
  --port N        HTTP port (default: PORT, else 8080)
  --data-dir DIR  default ./demo-data
  --fast          the test's faster clock (everything within ~20 s)`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { keep: { type: 'boolean' }, port: { type: 'string' }, 'data-dir': { type: 'string' }, fast: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let demo: Demo;
  try {
    demo = await startDemo({
      dataDir: values['data-dir'], port: Number(values.port ?? process.env.PORT ?? 8080), keep: values.keep === true,
      timings: values.fast ? FAST_TIMINGS : DEFAULT_TIMINGS, env: process.env, prefix: process.env.CANH_QUEUE_PREFIX ?? 'canh-demo',
    });
  } catch (err) {
    if (err instanceof RedisUnreachable) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  console.log(demo.guide);
  const status = setInterval(() => void printStatus(demo), 10_000);
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearInterval(status);
      console.log('\nStopping the demo: finishing the jobs in hand...');
      demo.stop().then(resolve, (err) => {
        console.error(`Shutdown failed: ${String(err)}`);
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log(`Stopped. Data kept in ${demo.dataDir} (wiped at the next start unless --keep); Redis keys under ${demo.prefix}: deleted.`);
  return 0;
}

/** One line every 10 s: what a newcomer should see moving. */
async function printStatus(demo: Demo): Promise<void> {
  try {
    const api = new DemoApi(demo.url, demo.adminToken);
    const list = await api.request<{ incidents: { status: string; escalation_level: number }[] }>('GET', '/api/v1/incidents?size=500&from=now-1h');
    const by = (s: string) => list.incidents.filter((i) => i.status === s).length;
    const escalated = list.incidents.filter((i) => i.escalation_level > 0).length;
    const t = Math.round(demo.replay.elapsed() / 1000);
    console.log(`[t+${t}s] lines sent ${demo.replay.sent} · incidents: ${by('open')} open, ${by('acknowledged')} acknowledged, ${by('resolved')} resolved, ${escalated} escalated · webhooks received ${demo.local.webhookCount()}`);
  } catch (err) {
    console.log(`[status] ${String(err)}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
