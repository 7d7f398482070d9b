import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from '../support/test-service';
import { TestSmtp } from '../support/smtp-sink';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

const RULE = `
- id: otp-failures-mail
  title: Nhiều lần xác thực OTP thất bại
  severity: high
  category: intrusion-attempts
  dataset: otp.auth
  filter: 'event.action:otp-verify-failed'
  type: threshold
  condition: { count: 3 }
  group_by: [organization.id, user.id]
  window: 1m
  every: 1s
  delay: 0s
  suppress: 10m
  escalation: fast-test
`;

const POLICY = `
- name: fast-test
  levels:
    - after: 2s
      target: province
`;

describe('end to end: OTP failures over HTTP → rule → incident → email in an SMTP sink', () => {
  let svc: TestService;
  let smtp: TestSmtp;

  beforeAll(async () => {
    smtp = new TestSmtp();
    const smtpUrl = await smtp.start();
    const rulesDir = mkdtempSync(join(tmpdir(), 'canh-rules-'));
    writeFileSync(join(rulesDir, 'otp.yaml'), RULE);
    mkdirSync(join(rulesDir, 'escalation'));
    writeFileSync(join(rulesDir, 'escalation', 'fast.yaml'), POLICY);
    svc = await startTestService({
      CANH_RULES_DIR: rulesDir, SMTP_URL: smtpUrl, CANH_MAIL_FROM: 'Canh SOC <soc@canh.test>', CANH_CONSOLE_URL: 'https://soc.example.vn',
    }, ['api', 'ingest', 'rules', 'incidents']);
  });
  afterAll(async () => {
    await svc?.stop();
    await smtp?.stop();
  });

  it('emails the commune on duty, in Vietnamese, with log values escaped, and records the delivery', async () => {
    await svc.admin('/api/v1/localities', { body: { code: '79', name: 'TP. Hồ Chí Minh', level: 'province' } });
    await svc.admin('/api/v1/localities', { body: { code: '26734', name: 'Phường Bến Nghé', level: 'commune', parent_code: '79' } });
    const contacts = await svc.admin('/api/v1/localities/26734/contacts', { method: 'PUT', body: { contacts: [{ email: 'truc-ban@bennghe.example.vn', language: 'vi' }] } });
    expect(contacts.status).toBe(200);
    // The province's on-duty contact, for the escalation (next test).
    await svc.admin('/api/v1/localities/79/contacts', { method: 'PUT', body: { contacts: [{ email: 'soc@hcm.example.vn', language: 'en' }] } });
    const source = (await svc.admin('/api/v1/sources', { body: { name: 'otp-gateway', locality: '26734', kind: 'otp', format: 'json' } })).body;
    const user = '<script>alert(1)</script>';
    const lines = Array.from({ length: 4 }, () => JSON.stringify({
      timestamp: new Date().toISOString(), action: 'otp-verify-failed', user_id: user, service: 'dvc-portal', provider: 'viettel-sms',
      channel: 'sms', phone: '0912345678', code: '481516', reason: 'wrong-code', ip: '203.0.113.7',
    }));
    const res = await fetch(`${svc.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `ApiKey ${source.api_key}`, 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
    expect(res.status).toBe(202);

    const mail = await waitFor('the email in the SMTP sink', async () =>
      smtp.received.find((m) => !Array.isArray(m.to) && m.to?.text === 'truc-ban@bennghe.example.vn'), 40_000, 100);
    const [incident] = (await svc.admin('/api/v1/incidents?rule=otp-failures-mail')).body.incidents;
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('truc-ban@bennghe.example.vn');
    expect(mail.from?.value[0]).toMatchObject({ name: 'Canh SOC', address: 'soc@canh.test' });
    expect(mail.subject).toBe('[Canh][HIGH] Phường Bến Nghé: Nhiều lần xác thực OTP thất bại');
    expect(mail.text).toContain(`https://soc.example.vn/incidents/${incident.id}`);
    // The fast-test policy escalates 2 s after opening unless acknowledged.
    expect(Date.parse(incident.ack_due) - Date.parse(incident.first_seen)).toBeGreaterThan(0);
    expect(String(mail.html)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(String(mail.html)).not.toContain('<script>');
    // The OTP code of the log line never reaches anyone.
    expect(`${mail.text}${String(mail.html)}`).not.toContain('481516');

    const timeline = await waitFor('the delivery on the timeline', async () => {
      const t = (await svc.admin(`/api/v1/incidents/${incident.id}`)).body.timeline as any[];
      return t.some((e) => e.action === 'notified') ? t : undefined;
    }, 10_000, 100);
    expect(timeline.find((e) => e.action === 'notified')).toMatchObject({ actor: 'system:notify', to: { email: 'truc-ban@bennghe.example.vn', ok: true, attempts: 1 } });
    expect(smtp.received.filter((m) => m.subject?.startsWith('[Canh][HIGH] Phường Bến Nghé'))).toHaveLength(1);
  });

  it('escalates the unacknowledged incident to the province after the policy delay, and emails the province', async () => {
    const mail = await waitFor('the escalation email to the province', async () =>
      smtp.received.find((m) => !Array.isArray(m.to) && m.to?.text === 'soc@hcm.example.vn'), 20_000, 100);
    expect(mail.subject).toContain('escalated to level 1');
    const [incident] = (await svc.admin('/api/v1/incidents?rule=otp-failures-mail')).body.incidents;
    expect(incident.escalation_level).toBe(1);
    expect(incident.ack_due).toBeNull(); // no level after the province
    const timeline = (await svc.admin(`/api/v1/incidents/${incident.id}`)).body.timeline as any[];
    expect(timeline.filter((e) => e.action === 'escalated')).toEqual([expect.objectContaining({ actor: 'system:escalation', from: 0, to: 1 })]);
  });
});
