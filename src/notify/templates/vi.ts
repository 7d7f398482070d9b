import type { TemplateStrings } from './strings';

/** Vietnamese (tiếng Việt), the default language of Canh's messages. */
export const VI: TemplateStrings = {
  headline: {
    incident_opened: 'Sự cố mới',
    incident_escalated: (level) => `Sự cố đã được chuyển lên cấp ${level}`,
    incident_resolved: 'Sự cố đã được giải quyết',
    incident_auto_resolved: 'Sự cố đã được tự động giải quyết (không còn tái diễn)',
  },
  subjectSuffix: {
    incident_opened: '',
    incident_escalated: (level) => ` (đã được chuyển lên cấp ${level})`,
    incident_resolved: ' (đã được giải quyết)',
    incident_auto_resolved: ' (đã được tự động giải quyết)',
  },
  severity: { low: 'Thấp', medium: 'Trung bình', high: 'Cao', critical: 'Nghiêm trọng' },
  labels: {
    title: 'Tiêu đề',
    severity: 'Mức độ',
    category: 'Phân loại',
    rule: 'Quy tắc',
    locality: 'Địa phương',
    province: 'Tỉnh/thành phố',
    status: 'Trạng thái',
    count: 'Số lần phát hiện',
    firstSeen: 'Lần đầu',
    lastSeen: 'Lần cuối',
    escalationLevel: 'Cấp xử lý',
    observed: 'Giá trị quan sát',
    condition: 'Điều kiện',
    group: 'Nhóm',
    evidenceQuery: 'Truy vấn bằng chứng',
    sampleEvents: 'Sự kiện mẫu',
    link: 'Xem sự cố',
  },
  intro: 'Canh đã phát hiện sự cố sau đây trong nhật ký của đơn vị.',
  footer: 'Thư này được gửi tự động bởi Canh, hệ thống giám sát an toàn thông tin. Vui lòng không trả lời thư này.',
  digest: {
    subject: (count) => `[Canh] Tổng hợp ${count} thông báo sự cố bị hoãn`,
    headline: (count) => `Tổng hợp ${count} thông báo sự cố`,
    intro: (limit, windowText) =>
      `Bạn đã nhận đủ ${limit} thông báo trong ${windowText}; các thông báo tiếp theo được gộp vào thư tổng hợp này.`,
    window: 'Khoảng thời gian',
  },
};
