import { field, lineContext, event, reason } from '../../../test/fixtures/ingest/context';
import { processLine, type LineResult } from '../process-line';

const probe = (doc: unknown): LineResult => processLine(JSON.stringify(doc), doc, lineContext('probe', 'json'));

describe('probe + json', () => {
  it('maps the short shape', () => {
    const e = event(probe({
      timestamp: '2026-11-23T08:00:00+07:00', monitor_id: 'dvc-hn', name: 'Cổng DVC Hà Nội', type: 'HTTP', status: 'down',
      duration_ms: 3000.4, url: 'https://dichvucong.hanoi.gov.vn/', status_code: 503, error: 'HTTP 503', observer: 'probe-hcm-1',
    }));
    expect(e['@timestamp']).toBe('2026-11-23T01:00:00.000Z');
    expect(field(e, 'event.kind')).toBe('state');
    expect(field(e, 'event.dataset')).toBe('uptime.probe');
    expect(field(e, 'event.outcome')).toBe('failure');
    expect(field(e, 'monitor')).toEqual({ id: 'dvc-hn', name: 'Cổng DVC Hà Nội', type: 'http', status: 'down', duration: { us: 3000400 } });
    expect(field(e, 'event.duration')).toBe(3_000_400_000);
    expect(field(e, 'url.full')).toBe('https://dichvucong.hanoi.gov.vn/');
    expect(field(e, 'http.response.status_code')).toBe(503);
    expect(field(e, 'error.message')).toBe('HTTP 503');
    expect(field(e, 'observer.name')).toBe('probe-hcm-1');
  });

  it('accepts Heartbeat documents as they are', () => {
    const e = event(probe({
      '@timestamp': '2026-11-23T01:00:00.000Z', monitor: { id: 'auto-http-0X1', name: 'portal', type: 'http', status: 'up', duration: { us: 81234 } },
      url: { full: 'https://portal.example.vn/', domain: 'portal.example.vn' }, summary: { up: 1, down: 0 }, observer: { hostname: 'hb-1', geo: { name: 'hanoi' } },
      http: { response: { status_code: 200 }, rtt: { total: { us: 80000 } } },
    }));
    expect(field(e, 'monitor.status')).toBe('up');
    expect(field(e, 'monitor.duration.us')).toBe(81234);
    expect(field(e, 'url.domain')).toBe('portal.example.vn');
    expect(field(e, 'observer.name')).toBe('hb-1');
    expect(field(e, 'observer.geo.name')).toBe('hanoi');
    expect(field(e, 'http.rtt.total.us')).toBe(80000);
    expect(field(e, 'event.outcome')).toBe('success');
  });

  it('uses summary.up/down when monitor.status is absent', () => {
    expect(field(event(probe({ monitor: { id: 'm' }, summary: { up: 0, down: 1 } })), 'monitor.status')).toBe('down');
  });

  it('dead-letters results without a valid status or monitor', () => {
    expect(reason(probe({ monitor_id: 'm' }))).toBe('probe: missing "status" (or monitor.status); expected "up" or "down"');
    expect(reason(probe({ monitor_id: 'm', status: 'degraded' }))).toBe('probe: invalid status "degraded" in "status"; expected "up" or "down"');
    expect(reason(probe({ status: 'up' }))).toBe('probe: missing "monitor_id" (or monitor.id, name, url) to identify the monitor');
    expect(reason(probe({ monitor_id: 'm', status: 'up', duration_ms: 'slow' }))).toBe('probe: field "duration_ms" must be a number from 0 to 9007199254740991, got "slow"');
    expect(reason(probe('up'))).toBe('probe: expected a JSON object, got a string');
  });
});
