import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { IncidentNotifier } from '../incidents/incident-notifier';
import { IncidentService } from '../incidents/incident-service';
import { startIncidentWorker } from '../incidents/incident-worker';
import { LocalityCache } from '../incidents/locality-cache';
import { EmailSender } from '../notify/email-sender';
import type { DeliveryResult } from '../notify/notification';
import { enqueueNotifications, type NotifyJob } from '../notify/notify-queue';
import { startNotifyWorker } from '../notify/notify-worker';
import { RedisNotifyLimiter } from '../notify/rate-limit';
import { WebhookSender } from '../notify/webhook-sender';
import { QUEUES } from '../queue/jobs';
import { EscalationScheduler, escalationListener, loadPolicyFiles, policyDirsOf, selectPolicy, startEscalationWorker, type EscalationPolicy } from '../escalation';
import type { Incident, TimelineAction } from '../incidents/incident';
import { rollupListener } from '../incidents/rollup';
import { defaultRulePaths, formatRuleErrors } from '../rules/load-rules';
import { PACKAGE_ROOT } from './version';
import { createRedis } from '../queue/redis';
import type { RuleRegistry } from '../rules/engine/rule-registry';
import { ALL_SCOPE } from '../store/scope';
import type { Container } from './container';

/** The notify queue, the notifier and the escalation timers every process that changes incidents uses. */
export interface IncidentWiring {
  readonly notifier: IncidentNotifier;
  /** Escalation policies of rules/escalation/ and CANH_RULES_DIR/escalation/ (loaded at start). */
  readonly policies: readonly EscalationPolicy[];
  /** An IncidentService whose changes notify (for the API: analysts' actions). */
  readonly service: IncidentService;
  /** The localities the service looks up (refreshed when a hit names an unknown one). */
  readonly localities: LocalityCache;
  close(): Promise<void>;
}

/**
 * Wires the notifier (contacts → `notify` queue), the escalation timers (scheduled when an incident
 * opens, cancelled when it is acknowledged or resolved) and an IncidentService using both.
 */
export async function wireIncidents(c: Container, log: Logger, registry: Pick<RuleRegistry, 'get'>): Promise<IncidentWiring> {
  const loaded = await loadPolicyFiles(await policyDirsOf(defaultRulePaths(PACKAGE_ROOT, c.config.rulesDir)));
  if (loaded.errors.length) log.warn(`escalation policy files have errors (those policies are not loaded):\n${formatRuleErrors(loaded.errors)}`);
  const policies = loaded.policies;
  const timers = new EscalationScheduler({ connection: c.redis, prefix: c.config.queuePrefix, clock: c.clock });
  const queue = new Queue<NotifyJob>(QUEUES.notify, { connection: c.redis, prefix: c.config.queuePrefix });
  queue.on('error', () => undefined);
  const notifier = new IncidentNotifier({
    contactsOf: (code) => c.directory.contactsOf(code),
    locality: (code) => c.directoryStore.getLocality(code, ALL_SCOPE),
    send: (list) => enqueueNotifications(queue, list),
    consoleUrl: c.config.consoleUrl,
    log: log.child({ role: 'notify' }),
  });
  const escalation = escalationListener({ control: timers, policies: () => policies, ruleLookup: (id) => registry.get(id), clock: c.clock });
  // Roll-up (docs/incidents.md): a new province parent goes through this same onChange (notified, escalation timers).
  const rollup = rollupListener({ store: c.incidents, clock: c.clock, onParentChange: (action, incident) => onChange(action, incident) });
  const onChange = async (action: TimelineAction, incident: Incident): Promise<void> => {
    const results = await Promise.allSettled([notifier.onChange(action, incident), escalation(action, incident), rollup(action, incident)]);
    for (const r of results) if (r.status === 'rejected') log.error({ incident: incident.id, action, err: String(r.reason) }, 'incident change listener failed');
  };
  // ack_due: when the policy's next level is due, counted from when the incident reached its level.
  const ackDueOf = (incident: Incident, since: number): number | null => {
    const policy = selectPolicy(policies, { escalation: registry.get(incident.ruleId)?.escalation, severity: incident.severity });
    const next = policy.levels[incident.escalationLevel];
    return next ? since + next.afterMs : null;
  };
  const localities = new LocalityCache(c.directory);
  await localities.refresh();
  const service = new IncidentService(c.incidents, c.clock, {
    ruleLookup: (id) => registry.get(id),
    localityLookup: (code) => localities.lookup(code),
    get centralCode() {
      return localities.centralCode;
    },
    onChange,
    ackDueOf,
  });
  return {
    notifier, service, policies, localities,
    async close() {
      await timers.close();
      await queue.close();
    },
  };
}

/**
 * The `incidents` role: the worker that turns hits into incidents (notifying the contacts of new
 * ones) and the `notify` worker that delivers notifications by email (when SMTP_URL is set) and
 * webhook, recording each delivery on the incident's timeline.
 */
export async function startIncidentsRole(c: Container, log: Logger, registry: Pick<RuleRegistry, 'get'>, wiring: IncidentWiring): Promise<{ stop(): Promise<void> }> {
  const ilog = log.child({ role: 'incidents' });
  const connection = createRedis(c.config.redisUrl, 'worker');
  connection.on('error', () => undefined);
  const hits = startIncidentWorker({
    connection, prefix: c.config.queuePrefix, service: wiring.service, localities: wiring.localities, lockMs: c.config.jobLockMs, log: ilog,
  });
  const escalationConnection = createRedis(c.config.redisUrl, 'worker');
  escalationConnection.on('error', () => undefined);
  const escalations = startEscalationWorker({
    connection: escalationConnection, prefix: c.config.queuePrefix, clock: c.clock, incidents: wiring.service,
    policies: () => wiring.policies, ruleLookup: (id) => registry.get(id),
    // Read at each escalation: on a fresh deployment the central locality is created after start.
    centralCode: () => wiring.localities.centralCode,
    onEscalated: (incident, _level, target) => wiring.notifier.notifyEscalated(incident, target),
    lockMs: c.config.jobLockMs,
    onFailed: (job, err) => ilog.warn({ timer: job?.id, err: err.message }, 'escalation failed'),
  });
  const email = c.config.smtpUrl ? new EmailSender({ smtpUrl: c.config.smtpUrl, from: c.config.mailFrom }) : undefined;
  if (!email) ilog.warn('SMTP_URL is not set: email notifications will fail (webhooks still go out)');
  const notifyConnection = createRedis(c.config.redisUrl, 'worker');
  notifyConnection.on('error', () => undefined);
  const notify = startNotifyWorker({
    connection: notifyConnection,
    prefix: c.config.queuePrefix,
    senders: { email, webhook: new WebhookSender() },
    limiter: new RedisNotifyLimiter({ redis: c.redis, prefix: c.config.queuePrefix, ...c.config.notifyRate }),
    lockMs: c.config.jobLockMs,
    onDelivered: (r) => recordDelivery(c, r),
    onFailed: (job, err) => ilog.warn({ notification: job?.id, err: err.message }, 'notification attempt failed'),
  });
  return {
    async stop() {
      await hits.close();
      await escalations.close();
      escalationConnection.disconnect();
      await notify.close();
      email?.close();
      connection.disconnect();
      notifyConnection.disconnect();
    },
  };
}

/** A `notified` timeline entry for a delivery (or a final failure). Notification ids start with the incident id. */
async function recordDelivery(c: Container, r: DeliveryResult): Promise<void> {
  const incidentId = r.notificationId.split('-')[0];
  const to: Record<string, string | number | boolean> = r.recipient.kind === 'email' ? { email: r.recipient.address } : { webhook: r.recipient.url };
  to.ok = r.ok;
  to.attempts = r.attempts;
  if (r.digest) to.digest = true;
  if (r.error) to.error = r.error;
  await c.incidents.appendTimeline([{
    incidentId, at: c.clock.now(), actor: 'system:notify', action: 'notified', from: null, to, note: r.messageId ?? null,
  }]);
}
