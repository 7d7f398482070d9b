import { COMMUNES, PROBE_LOCATIONS, TARGETS, USERS, localityName } from './demo-data';
import { DEMO_POLICY, DEMO_RULES } from './demo-rules';
import type { DemoTimings } from './timings';

export interface GuideInput {
  readonly url: string;
  readonly dataDir: string;
  readonly rulesDir: string;
  readonly prefix: string;
  readonly adminToken: string;
  readonly timings: DemoTimings;
  readonly email: boolean;
  readonly sample: boolean;
}

const s = (ms: number) => `${Math.round(ms / 1000)}s`;

/** What the demo prints on start: where to look, who to sign in as, and what happens when. */
export function guideText(g: GuideInput): string {
  const t = g.timings;
  const users = USERS.map((u) => `  ${u.username.padEnd(20)} ${u.password.padEnd(20)} ${u.role.padEnd(17)} ${localityName(u.locality)}`);
  const escalation = `province at about +${s(t.escalateAfterMs)}, central at +${s(2 * t.escalateAfterMs)}`;
  return [
    '',
    `Canh demo running at ${g.url}  (console and API; Ctrl-C stops it)`,
    `  ${COMMUNES.length} communes in 3 provinces, ${COMMUNES.length * 3} sources, ${COMMUNES.length} monitors; data in ${g.dataDir}, Redis prefix ${g.prefix}`,
    `  admin token: ${g.adminToken}`,
    '',
    'Users (demo passwords: this demo listens on 127.0.0.1 unless HOST says otherwise):',
    ...users,
    '',
    `Timeline (repeats every ${s(t.cycleMs)}; t = since the traffic started):`,
    `  t+0s    normal traffic: portal access logs${g.sample ? ' (the real sample log of ../shared/data replayed at today\'s time)' : ''}, OTP logins, probes from ${PROBE_LOCATIONS.builtIn} (built-in) and ${PROBE_LOCATIONS.simulated} (simulated Heartbeat)`,
    `  t+${s(t.scannerAtMs).padEnd(5)} scanner (sqlmap, Nikto: SQL injection, path traversal) on ${localityName(TARGETS.scanner)}; ${TARGETS.scannerAnalyst} acknowledges after ${s(t.ackAfterMs)} and resolves after ${s(t.resolveAfterMs)}`,
    `  t+${s(t.bruteForceAtMs).padEnd(5)} brute force on the login page of ${localityName(TARGETS.bruteForce)}: left unacknowledged, it escalates (${escalation})`,
    `  t+${s(t.otpWaveAtMs).padEnd(5)} OTP failure wave (SMS gateway viettel-sms) in ${localityName(TARGETS.otpWave)}: one incident per commune, rolled up into one for the province`,
    `  t+${s(t.outageAtMs).padEnd(5)} outage of the portal of ${localityName(TARGETS.outage)}, seen down from both probe locations; back at t+${s(t.outageAtMs + t.outageForMs)}, the incident resolves itself`,
    '',
    `Fast clock: the demo adds ${Object.values(DEMO_RULES).join(', ')} (copies of the shipped rules, every ${s(t.ruleEveryMs)}) and the escalation`,
    `policy ${DEMO_POLICY} (${escalation}), written to ${g.rulesDir}. The shipped rules run too, at their real pace (every 1m or more):`,
    'they open their own incidents for the same traffic a minute or two later.',
    g.email
      ? 'Notifications: webhooks to the demo\'s local receiver, and emails to truc-ban.<code>@canh-demo.test through SMTP_URL.'
      : 'Notifications: webhooks to the demo\'s local receiver only (SMTP_URL is not set: no email contacts).',
    '',
    'Try:',
    `  curl -s -H "Authorization: Bearer ${g.adminToken}" "${g.url}/api/v1/incidents?size=20"`,
    `  curl -s -H "Authorization: Bearer ${g.adminToken}" "${g.url}/api/v1/stats/incidents?by=locality&from=now-1h"`,
    '',
  ].join('\n');
}
