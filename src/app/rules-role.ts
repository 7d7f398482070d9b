import { Queue, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import { QUEUES, type RuleJob } from '../queue/jobs';
import { createRedis } from '../queue/redis';
import { createWorker } from '../queue/worker-factory';
import { BatchingEventStore } from '../rules/engine/batching-store';
import { BullMqHitSink } from '../rules/engine/hit-queue';
import { RuleRegistry } from '../rules/engine/rule-registry';
import { RuleRunner } from '../rules/engine/rule-runner';
import { syncRuleSchedulers } from '../rules/engine/rule-scheduler';
import { evaluateRule } from '../rules/evaluate';
import { defaultRulePaths, formatRuleErrors } from '../rules/load-rules';
import type { Container } from './container';
import { PACKAGE_ROOT } from './version';

export interface RulesRole {
  readonly registry: RuleRegistry;
  readonly worker: Worker;
  stop(): Promise<void>;
}

/**
 * The `rules` role: loads the rule files (shipped rules/ and CANH_RULES_DIR), keeps one job
 * scheduler per enabled rule in sync with them (also when files change), and runs the rule jobs.
 */
export async function startRulesRole(c: Container, log: Logger, paths = defaultRulePaths(PACKAGE_ROOT, c.config.rulesDir)): Promise<RulesRole> {
  const rlog = log.child({ role: 'rules' });
  const prefix = c.config.queuePrefix;
  const queue = new Queue<RuleJob>(QUEUES.rules, { connection: c.redis, prefix });
  queue.on('error', () => undefined);
  const hits = new BullMqHitSink(c.redis, prefix);
  // Rules evaluated side by side share their passes over the events (batching-store.ts).
  const runner = new RuleRunner(new BatchingEventStore(c.events), c.ruleState, hits, c.clock, evaluateRule);
  const registry = new RuleRegistry(paths);
  registry.on('change', (rules, problems) => {
    if (problems.length) rlog.warn({ errors: problems.length }, `rule files have errors (those rules are not loaded):\n${formatRuleErrors(problems)}`);
    syncRuleSchedulers(queue, rules).then(
      (r) => rlog.info({ rules: rules.length, ...r }, 'rule schedulers synced'),
      (err) => rlog.error({ err }, 'rule schedulers could not be synced'),
    );
  });
  registry.on('error', (err) => rlog.error({ err }, 'rule reload failed'));
  await registry.load();
  registry.watch();
  const connection = createRedis(c.config.redisUrl, 'worker');
  connection.on('error', () => undefined);
  const worker = createWorker<RuleJob, unknown>(QUEUES.rules, async ({ ruleId }) => {
    const rule = registry.get(ruleId);
    // A scheduler of a rule removed a moment ago may still fire once: nothing to do.
    return rule ? runner.run(rule) : { skipped: `rule ${ruleId} is not loaded` };
  }, { connection, prefix, concurrency: c.config.ruleConcurrency, lockMs: c.config.jobLockMs, onFailed: (job, err) => rlog.warn({ ruleId: job?.data?.ruleId, err: err.message }, 'rule run failed') });
  return {
    registry,
    worker,
    async stop() {
      registry.close();
      await worker.close();
      await hits.close();
      await queue.close();
      connection.disconnect();
    },
  };
}
