import { renderDigest, renderNotification, renderSubject, windowLength } from './render';
import { sampleNotification, T0 } from './test-support';
import { escapeHtml, oneLine } from './escape';
import { showTime } from './time-format';

const XSS = '<script>alert(1)</script>';

describe('renderNotification', () => {
  it('renders a new incident in Vietnamese with diacritics, the subject format and the link', () => {
    const m = renderNotification(sampleNotification(), 'vi');
    expect(m.subject).toBe('[Canh][HIGH] Xã Phú Mỹ: Tỷ lệ OTP thất bại cao');
    for (const body of [m.text, m.html]) {
      expect(body).toContain('Sự cố mới');
      expect(body).toContain('Mức độ');
      expect(body).toContain('Cao (high)');
      expect(body).toContain('Thành phố Hồ Chí Minh (79)');
      expect(body).toContain('http://canh.local:3000/incidents/inc_01abc');
      expect(body).toContain('2026-11-23 09:00:00 (UTC+7, Asia/Ho_Chi_Minh)');
      expect(body).toContain('2026-11-23T02:00:00Z');
    }
    expect(m.text).toContain('source.ip: 203.0.113.7');
    expect(m.html).toContain('<a href="http://canh.local:3000/incidents/inc_01abc">');
    expect(m.html).toContain('<html lang="vi">');
  });

  it('renders every event in both languages', () => {
    const cases: [Parameters<typeof sampleNotification>[0], string, string, string][] = [
      [{ event: 'incident_escalated', incident: { escalationLevel: 2 } }, 'đã được chuyển lên cấp 2', 'Incident escalated to level 2', '(escalated to level 2)'],
      [{ event: 'incident_resolved' }, 'Sự cố đã được giải quyết', 'Incident resolved', '(resolved)'],
      [{ event: 'incident_auto_resolved' }, 'đã được tự động giải quyết', 'Incident auto-resolved', '(auto-resolved)'],
      [{ event: 'incident_opened' }, 'Sự cố mới', 'New incident', 'thất bại cao'],
    ];
    for (const [over, vi, en, enSubject] of cases) {
      const n = sampleNotification(over);
      expect(renderNotification(n, 'vi').text).toContain(vi);
      const e = renderNotification(n, 'en');
      expect(e.text).toContain(en);
      expect(e.text).toContain('Severity: High (high)');
      expect(e.subject.startsWith('[Canh][HIGH] Xã Phú Mỹ: Tỷ lệ OTP thất bại cao')).toBe(true);
      expect(e.subject.endsWith(enSubject)).toBe(true);
    }
    expect(renderSubject(sampleNotification({ event: 'incident_escalated', incident: { escalationLevel: 1 } }), 'vi')).toBe(
      '[Canh][HIGH] Xã Phú Mỹ: Tỷ lệ OTP thất bại cao (đã được chuyển lên cấp 1)',
    );
  });

  it('escapes every value from log lines in HTML', () => {
    const n = sampleNotification({
      incident: {
        title: `Title ${XSS}`,
        group: { 'url.path': XSS, [`x${XSS}`]: 'v' },
        condition: `count > 1 ${XSS}`,
        evidenceQuery: `url.path:"${XSS}"`,
        locality: { code: '1"2', name: `Xã <b>A</b> & 'B'` },
      },
    });
    const m = renderNotification(n, 'en');
    expect(m.html).not.toContain('<script>');
    expect(m.html).not.toContain('<b>A</b>');
    expect(m.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(m.html).toContain('Xã &lt;b&gt;A&lt;/b&gt; &amp; &#39;B&#39;');
    expect(m.text).toContain(XSS);
  });

  it('keeps the subject on one line when the title holds CR/LF, and a group value cannot add a line to the text', () => {
    const n = sampleNotification({ incident: { title: 'Bad\r\nBcc: victim@example.com\r\n\r\nbody', group: { 'user_agent.original': 'a\nLink: http://evil' } } });
    const m = renderNotification(n, 'vi');
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.subject).toBe('[Canh][HIGH] Xã Phú Mỹ: Bad Bcc: victim@example.com body');
    expect(m.text.split('\n').some((l) => l.startsWith('Link:'))).toBe(false);
    expect(m.text).toContain('user_agent.original: a Link: http://evil');
  });

  it('shows an incident without province, observed value or condition', () => {
    const n = sampleNotification({ incident: { province: null, observed: undefined, condition: undefined, sampleEventIds: [], group: {} } });
    const m = renderNotification(n, 'en');
    expect(m.text).not.toContain('Province');
    expect(m.text).not.toContain('Condition');
    expect(m.text).not.toContain('Sample events');
  });
});

describe('renderDigest', () => {
  it('lists the held incidents in Vietnamese and English', () => {
    const items = [sampleNotification({ incident: { id: 'inc_a', title: `A ${XSS}` } }), sampleNotification({ incident: { id: 'inc_b', title: 'Trang chủ không truy cập được' } })];
    const window = { start: T0, end: T0 + 600_000 };
    const vi = renderDigest({ language: 'vi', items, window, limit: 10 });
    expect(vi.subject).toBe('[Canh] Tổng hợp 2 thông báo sự cố bị hoãn');
    expect(vi.text).toContain('Bạn đã nhận đủ 10 thông báo trong 10 phút');
    expect(vi.text).toContain('1. [HIGH] Xã Phú Mỹ: A <script>');
    expect(vi.text).toContain('2. [HIGH] Xã Phú Mỹ: Trang chủ không truy cập được (Sự cố mới;');
    expect(vi.text).toContain('http://canh.local:3000/incidents/inc_b');
    expect(vi.html).not.toContain('<script>');
    expect(vi.html.match(/<li>/g)).toHaveLength(2);
    const en = renderDigest({ language: 'en', items, window: { start: T0, end: T0 + 1000 }, limit: 3 });
    expect(en.subject).toBe('[Canh] Digest of 2 held incident notifications');
    expect(en.text).toContain('maximum of 3 notifications within 1 second');
  });
});

describe('helpers', () => {
  it('escapes the five HTML characters and flattens lines', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    expect(oneLine('a\r\nb\u2028c\td')).toBe('a b c d');
    expect(oneLine('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
  });
  it('shows times in Vietnam with the zone stated, then UTC', () => {
    expect(showTime(Date.UTC(2026, 0, 1, 20, 30, 5))).toBe('2026-01-02 03:30:05 (UTC+7, Asia/Ho_Chi_Minh) · 2026-01-01T20:30:05Z');
    expect(windowLength(600_000, 'vi')).toBe('10 phút');
    expect(windowLength(1500, 'en')).toBe('1.5 seconds');
  });
});
