/** The console's two languages: Vietnamese (default) and English; the choice is kept in localStorage. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Lang = 'vi' | 'en';
const STORAGE_KEY = 'canh.lang';

const en = {
  'app.name': 'Canh',
  'app.tagline': 'Security operations',
  'nav.incidents': 'Incidents',
  'nav.signOut': 'Sign out',
  'nav.language': 'Language',
  'role.analyst': 'Analyst',
  'role.locality_admin': 'Locality admin',
  'role.central_reviewer': 'Central reviewer',
  'role.admin': 'Administrator',
  'login.title': 'Sign in to Canh',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.busy': 'Signing in…',
  'login.failed': 'Wrong username or password.',
  'login.locked': 'Too many failed sign-ins for this username. Try again in {minutes} min (at {at}).',
  'login.lockedNoTime': 'Too many failed sign-ins for this username. Try again later.',
  'login.rateLimited': 'Too many requests. Try again in {seconds} s.',
  'common.loading': 'Loading…',
  'common.error': 'Something went wrong: {message}',
  'common.retry': 'Retry',
  'common.reload': 'Reload',
  'common.all': 'All',
  'common.none': '—',
  'common.timeZone': 'Times in Vietnam time (UTC+7, Asia/Ho_Chi_Minh)',
  'queue.title': 'Incident queue',
  'queue.filters': 'Filters',
  'queue.status': 'Status',
  'queue.status.active': 'Open + acknowledged',
  'queue.severity': 'Severity',
  'queue.locality': 'Locality',
  'queue.category': 'Category',
  'queue.rule': 'Rule',
  'queue.rulePlaceholder': 'rule id, Enter',
  'queue.clear': 'Clear filters',
  'queue.col.severity': 'Severity',
  'queue.col.title': 'Title',
  'queue.col.locality': 'Locality',
  'queue.col.rule': 'Rule',
  'queue.col.category': 'Category',
  'queue.col.status': 'Status',
  'queue.col.count': 'Count',
  'queue.col.firstSeen': 'First seen',
  'queue.col.lastSeen': 'Last seen',
  'queue.col.assignee': 'Assignee',
  'queue.empty': 'No incidents match these filters.',
  'queue.loadMore': 'Load more',
  'queue.shown': '{n} shown',
  'queue.newPill': '{n} new — show',
  'queue.keys': 'Keys: j / k move, Enter opens, / filters by rule',
  'status.open': 'Open',
  'status.acknowledged': 'Acknowledged',
  'status.resolved': 'Resolved',
  'severity.low': 'Low',
  'severity.medium': 'Medium',
  'severity.high': 'High',
  'severity.critical': 'Critical',
  'resolution.true_positive': 'True positive',
  'resolution.false_positive': 'False positive',
  'resolution.benign': 'Benign',
  'resolution.duplicate': 'Duplicate',
  'incident.back': '← Incident queue',
  'incident.summary': 'Summary',
  'incident.rule': 'Rule',
  'incident.category': 'Category',
  'incident.locality': 'Locality',
  'incident.count': 'Hits',
  'incident.firstSeen': 'First seen',
  'incident.lastSeen': 'Last seen',
  'incident.ackDue': 'Acknowledge by',
  'incident.escalation': 'Escalation level',
  'incident.assignee': 'Assignee',
  'incident.resolution': 'Resolution',
  'incident.resolvedAt': 'Resolved at',
  'incident.group': 'Group',
  'incident.evidenceQuery': 'Evidence query',
  'incident.parent': 'Part of roll-up',
  'incident.timeline': 'Timeline',
  'incident.evidence': 'Evidence events',
  'incident.evidenceNone': 'No evidence events found in the store.',
  'incident.related': 'Related incidents',
  'incident.relatedNone': 'No related incidents.',
  'incident.actions': 'Actions',
  'incident.readOnly': 'Your role reads incidents only.',
  'incident.ack': 'Acknowledge',
  'incident.assign': 'Assign',
  'incident.assignToMe': 'Assign to me',
  'incident.assigneePlaceholder': 'username (empty: unassign)',
  'incident.comment': 'Comment',
  'incident.commentPlaceholder': 'Add a note to the timeline',
  'incident.escalate': 'Escalate',
  'incident.resolve': 'Resolve',
  'incident.resolveAs': 'Resolution',
  'incident.note': 'Note (optional)',
  'incident.reopen': 'Reopen',
  'incident.conflict': 'This incident changed since you loaded it (someone acted or a new hit arrived).',
  'incident.done': 'Done: {action}.',
  'incident.notFound': 'Incident not found',
  'incident.notFoundText': 'It does not exist, or it belongs to a locality outside your scope.',
  'timeline.actor': 'Actor',
  'timeline.action': 'Action',
  'timeline.change': 'Change',
  'timeline.note': 'Note',
  'timeline.at': 'Time',
  'action.created': 'Created',
  'action.hit_added': 'New hit',
  'action.acknowledged': 'Acknowledged',
  'action.assigned': 'Assigned',
  'action.commented': 'Comment',
  'action.escalated': 'Escalated',
  'action.notified': 'Notified',
  'action.resolved': 'Resolved',
  'action.reopened': 'Reopened',
  'action.auto_resolved': 'Auto-resolved',
  'action.rolled_up': 'Rolled up',
  'event.time': 'Time',
  'event.dataset': 'Dataset',
  'event.source': 'Source IP',
  'event.raw': 'Raw line',
  'notFound.title': 'Page not found',
  'notFound.text': 'There is no page at this address.',
  'notFound.home': 'Go to the incident queue',
};

type Key = keyof typeof en;

const vi: Record<Key, string> = {
  'app.name': 'Canh',
  'app.tagline': 'Giám sát an toàn thông tin',
  'nav.incidents': 'Sự cố',
  'nav.signOut': 'Đăng xuất',
  'nav.language': 'Ngôn ngữ',
  'role.analyst': 'Chuyên viên phân tích',
  'role.locality_admin': 'Quản trị địa phương',
  'role.central_reviewer': 'Giám sát trung ương',
  'role.admin': 'Quản trị hệ thống',
  'login.title': 'Đăng nhập Canh',
  'login.username': 'Tên đăng nhập',
  'login.password': 'Mật khẩu',
  'login.submit': 'Đăng nhập',
  'login.busy': 'Đang đăng nhập…',
  'login.failed': 'Sai tên đăng nhập hoặc mật khẩu.',
  'login.locked': 'Đăng nhập sai quá nhiều lần với tên này. Thử lại sau {minutes} phút (lúc {at}).',
  'login.lockedNoTime': 'Đăng nhập sai quá nhiều lần với tên này. Vui lòng thử lại sau.',
  'login.rateLimited': 'Quá nhiều yêu cầu. Thử lại sau {seconds} giây.',
  'common.loading': 'Đang tải…',
  'common.error': 'Có lỗi: {message}',
  'common.retry': 'Thử lại',
  'common.reload': 'Tải lại',
  'common.all': 'Tất cả',
  'common.none': '—',
  'common.timeZone': 'Giờ Việt Nam (UTC+7, Asia/Ho_Chi_Minh)',
  'queue.title': 'Hàng đợi sự cố',
  'queue.filters': 'Bộ lọc',
  'queue.status': 'Trạng thái',
  'queue.status.active': 'Mới + đã tiếp nhận',
  'queue.severity': 'Mức độ',
  'queue.locality': 'Địa phương',
  'queue.category': 'Loại',
  'queue.rule': 'Luật',
  'queue.rulePlaceholder': 'mã luật, Enter',
  'queue.clear': 'Xoá bộ lọc',
  'queue.col.severity': 'Mức độ',
  'queue.col.title': 'Tiêu đề',
  'queue.col.locality': 'Địa phương',
  'queue.col.rule': 'Luật',
  'queue.col.category': 'Loại',
  'queue.col.status': 'Trạng thái',
  'queue.col.count': 'Số lần',
  'queue.col.firstSeen': 'Lần đầu',
  'queue.col.lastSeen': 'Lần cuối',
  'queue.col.assignee': 'Người xử lý',
  'queue.empty': 'Không có sự cố nào khớp bộ lọc.',
  'queue.loadMore': 'Xem thêm',
  'queue.shown': 'Đang hiện {n}',
  'queue.newPill': '{n} sự cố mới — hiện',
  'queue.keys': 'Phím: j / k di chuyển, Enter mở, / lọc theo luật',
  'status.open': 'Mới',
  'status.acknowledged': 'Đã tiếp nhận',
  'status.resolved': 'Đã xử lý',
  'severity.low': 'Thấp',
  'severity.medium': 'Trung bình',
  'severity.high': 'Cao',
  'severity.critical': 'Nghiêm trọng',
  'resolution.true_positive': 'Tấn công/sự cố thật',
  'resolution.false_positive': 'Cảnh báo nhầm',
  'resolution.benign': 'Vô hại (đã biết)',
  'resolution.duplicate': 'Trùng lặp',
  'incident.back': '← Hàng đợi sự cố',
  'incident.summary': 'Tóm tắt',
  'incident.rule': 'Luật',
  'incident.category': 'Loại',
  'incident.locality': 'Địa phương',
  'incident.count': 'Số lần',
  'incident.firstSeen': 'Lần đầu',
  'incident.lastSeen': 'Lần cuối',
  'incident.ackDue': 'Hạn tiếp nhận',
  'incident.escalation': 'Cấp leo thang',
  'incident.assignee': 'Người xử lý',
  'incident.resolution': 'Kết luận',
  'incident.resolvedAt': 'Xử lý lúc',
  'incident.group': 'Nhóm',
  'incident.evidenceQuery': 'Truy vấn bằng chứng',
  'incident.parent': 'Thuộc sự cố tổng hợp',
  'incident.timeline': 'Diễn biến',
  'incident.evidence': 'Sự kiện bằng chứng',
  'incident.evidenceNone': 'Không tìm thấy sự kiện bằng chứng trong kho.',
  'incident.related': 'Sự cố liên quan',
  'incident.relatedNone': 'Không có sự cố liên quan.',
  'incident.actions': 'Thao tác',
  'incident.readOnly': 'Vai trò của bạn chỉ được xem sự cố.',
  'incident.ack': 'Tiếp nhận',
  'incident.assign': 'Giao',
  'incident.assignToMe': 'Giao cho tôi',
  'incident.assigneePlaceholder': 'tên đăng nhập (để trống: bỏ giao)',
  'incident.comment': 'Ghi chú',
  'incident.commentPlaceholder': 'Thêm ghi chú vào diễn biến',
  'incident.escalate': 'Leo thang',
  'incident.resolve': 'Đóng sự cố',
  'incident.resolveAs': 'Kết luận',
  'incident.note': 'Ghi chú (không bắt buộc)',
  'incident.reopen': 'Mở lại',
  'incident.conflict': 'Sự cố đã thay đổi từ lúc bạn mở (có người thao tác hoặc có cảnh báo mới).',
  'incident.done': 'Đã thực hiện: {action}.',
  'incident.notFound': 'Không tìm thấy sự cố',
  'incident.notFoundText': 'Sự cố không tồn tại, hoặc thuộc địa phương ngoài phạm vi của bạn.',
  'timeline.actor': 'Người thực hiện',
  'timeline.action': 'Hành động',
  'timeline.change': 'Thay đổi',
  'timeline.note': 'Ghi chú',
  'timeline.at': 'Thời gian',
  'action.created': 'Tạo mới',
  'action.hit_added': 'Cảnh báo mới',
  'action.acknowledged': 'Tiếp nhận',
  'action.assigned': 'Giao việc',
  'action.commented': 'Ghi chú',
  'action.escalated': 'Leo thang',
  'action.notified': 'Đã thông báo',
  'action.resolved': 'Đóng sự cố',
  'action.reopened': 'Mở lại',
  'action.auto_resolved': 'Tự đóng',
  'action.rolled_up': 'Gộp sự cố',
  'event.time': 'Thời gian',
  'event.dataset': 'Nguồn dữ liệu',
  'event.source': 'IP nguồn',
  'event.raw': 'Dòng log gốc',
  'notFound.title': 'Không tìm thấy trang',
  'notFound.text': 'Không có trang nào ở địa chỉ này.',
  'notFound.home': 'Về hàng đợi sự cố',
};

export type MessageKey = Key;
const DICTIONARIES: Record<Lang, Record<Key, string>> = { vi, en };

/** The stored language, else Vietnamese. */
export function storedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

export function storeLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode or storage disabled: the choice lasts for this page only.
  }
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A translator for `lang`: `{name}` placeholders are replaced by `vars` (as text, never HTML). */
export function translator(lang: Lang): Translate {
  const dict = DICTIONARIES[lang];
  return (key, vars) => {
    const text = dict[key] ?? en[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  };
}

/** Translates a key that comes from data (a status, severity, ...), falling back to the raw value. */
export function tOr(t: Translate, key: string, fallback: string): string {
  const text = t(key as MessageKey);
  return text === key ? fallback : text;
}

export interface I18n {
  readonly lang: Lang;
  readonly t: Translate;
  readonly setLang: (lang: Lang) => void;
}

export const I18nContext = createContext<I18n>({ lang: 'vi', t: translator('vi'), setLang: () => undefined });

export const useI18n = (): I18n => useContext(I18nContext);
