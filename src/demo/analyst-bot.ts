import type { DemoApi } from './demo-api';
import { DEMO_RULES } from './demo-rules';
import { TARGETS, USERS } from './demo-data';
import type { DemoTimings } from './timings';

interface IncidentAnswer {
  id: string; rule_id: string; status: string; first_seen: string; version: number;
}

/** The scanner's incidents: the commune's analyst blocks the address and closes them. */
const HANDLED_RULES: ReadonlySet<string> = new Set([DEMO_RULES['web-scanner-user-agent'], DEMO_RULES['web-sqli-attempt'], DEMO_RULES['web-path-traversal']]);

/**
 * A simulated analyst at the scanner's commune: signs in like a person would, acknowledges the
 * scanner's incidents `ackAfterMs` after they opened (with a comment) and resolves them
 * `resolveAfterMs` after, so the response-time and SLA statistics have samples. Every other
 * incident (the brute force, the OTP wave, the outage) is left alone: it escalates.
 */
export class AnalystBot {
  private token: string | null = null;

  constructor(private readonly api: DemoApi, private readonly t: DemoTimings, private readonly now: () => number = Date.now) {}

  async step(): Promise<void> {
    const user = USERS.find((u) => u.username === TARGETS.scannerAnalyst);
    if (!user) return;
    this.token ??= await this.api.login(user.username, user.password);
    const list = await this.api.request<{ incidents: IncidentAnswer[] }>('GET', `/api/v1/incidents?status=open,acknowledged&locality=${TARGETS.scanner}&size=100`, undefined, this.token);
    for (const i of list.incidents) {
      if (!HANDLED_RULES.has(i.rule_id)) continue;
      const age = this.now() - Date.parse(i.first_seen);
      const path = `/api/v1/incidents/${encodeURIComponent(i.id)}`;
      if (i.status === 'open' && age >= this.t.ackAfterMs) {
        await this.api.request('POST', `${path}/ack`, { version: i.version }, this.token);
        await this.api.request('POST', `${path}/comment`, { text: 'Đã chặn địa chỉ 103.145.13.77 trên tường lửa; đang kiểm tra nhật ký ứng dụng.' }, this.token);
      } else if (i.status === 'acknowledged' && age >= this.t.resolveAfterMs) {
        await this.api.request('POST', `${path}/resolve`, { version: i.version, resolution: 'true_positive', note: 'Máy quét lỗ hổng (sqlmap, Nikto); không có truy vấn nào thành công.' }, this.token);
      }
    }
  }
}
