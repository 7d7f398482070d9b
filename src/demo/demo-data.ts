/**
 * The demo's world: a locality tree with real place names (codes in the style of the official
 * GSO codes; illustrative, not authoritative), its users, and where each episode happens.
 */
export interface DemoLocality {
  readonly code: string;
  readonly name: string;
  readonly level: 'central' | 'province' | 'commune';
  readonly parent: string | null;
}

// '00' is also the code Canh assumes for central before the directory has one (src/incidents/locality-cache.ts).
export const CENTRAL = '00';

export const LOCALITIES: readonly DemoLocality[] = [
  { code: CENTRAL, name: 'Trung ương', level: 'central', parent: null },
  { code: '01', name: 'Thành phố Hà Nội', level: 'province', parent: CENTRAL },
  { code: '00004', name: 'Phường Ba Đình', level: 'commune', parent: '01' },
  { code: '00008', name: 'Phường Ngọc Hà', level: 'commune', parent: '01' },
  { code: '00025', name: 'Phường Giảng Võ', level: 'commune', parent: '01' },
  { code: '00070', name: 'Phường Hoàn Kiếm', level: 'commune', parent: '01' },
  { code: '79', name: 'Thành phố Hồ Chí Minh', level: 'province', parent: CENTRAL },
  { code: '26734', name: 'Phường Sài Gòn', level: 'commune', parent: '79' },
  { code: '26737', name: 'Phường Tân Định', level: 'commune', parent: '79' },
  { code: '26743', name: 'Phường Bến Thành', level: 'commune', parent: '79' },
  { code: '26758', name: 'Phường Cầu Ông Lãnh', level: 'commune', parent: '79' },
  { code: '27007', name: 'Xã Bình Chánh', level: 'commune', parent: '79' },
  { code: '48', name: 'Thành phố Đà Nẵng', level: 'province', parent: CENTRAL },
  { code: '20194', name: 'Phường Hải Châu', level: 'commune', parent: '48' },
  { code: '20200', name: 'Phường Thanh Khê', level: 'commune', parent: '48' },
  { code: '20207', name: 'Phường Sơn Trà', level: 'commune', parent: '48' },
];

export const COMMUNES = LOCALITIES.filter((l) => l.level === 'commune');

export function localityName(code: string): string {
  return LOCALITIES.find((l) => l.code === code)?.name ?? code;
}

/** The localities as the CSV import reads them (docs/localities.md). */
export function localityCsv(): string {
  const cell = (v: string) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return ['code,name,level,parent_code', ...LOCALITIES.map((l) => [l.code, cell(l.name), l.level, l.parent ?? ''].join(','))].join('\n') + '\n';
}

export interface DemoUser {
  readonly username: string;
  readonly password: string;
  readonly role: 'analyst' | 'locality_admin' | 'central_reviewer' | 'admin';
  readonly locality: string;
  readonly displayName: string;
}

/** One user per role at least; the passwords are public: the demo listens on 127.0.0.1 by default. */
export const USERS: readonly DemoUser[] = [
  { username: 'admin', password: 'demo-admin-2026', role: 'admin', locality: CENTRAL, displayName: 'Quản trị hệ thống' },
  { username: 'reviewer.trunguong', password: 'demo-reviewer-2026', role: 'central_reviewer', locality: CENTRAL, displayName: 'Trần Thị Bình (Trung ương)' },
  { username: 'admin.hanoi', password: 'demo-locadmin-2026', role: 'locality_admin', locality: '01', displayName: 'Lê Văn Cường (Hà Nội)' },
  { username: 'admin.danang', password: 'demo-locadmin-2026', role: 'locality_admin', locality: '48', displayName: 'Phạm Thị Dung (Đà Nẵng)' },
  { username: 'analyst.hanoi', password: 'demo-analyst-2026', role: 'analyst', locality: '01', displayName: 'Hoàng Minh Đức (Hà Nội)' },
  { username: 'analyst.badinh', password: 'demo-analyst-2026', role: 'analyst', locality: '00004', displayName: 'Nguyễn Văn An (Ba Đình)' },
  { username: 'analyst.hcm', password: 'demo-analyst-2026', role: 'analyst', locality: '79', displayName: 'Võ Thị Hạnh (TP HCM)' },
  { username: 'analyst.saigon', password: 'demo-analyst-2026', role: 'analyst', locality: '26734', displayName: 'Đặng Quốc Khánh (Sài Gòn)' },
  { username: 'analyst.haichau', password: 'demo-analyst-2026', role: 'analyst', locality: '20194', displayName: 'Bùi Thu Lan (Hải Châu)' },
];

/** Where the episodes happen. */
export const TARGETS = {
  /** Credential stuffing on the portal's login page; left unacknowledged: it escalates. */
  bruteForce: '00004',
  /** sqlmap and Nikto: SQL injection and path traversal URLs; the local analyst handles it. */
  scanner: '26734',
  /** The OTP SMS gateway fails in a whole province: three communes or more → a province roll-up. */
  otpWave: '48',
  /** The commune's public-service portal goes down, seen from two probe locations, then comes back. */
  outage: '26743',
  /** The analyst who acknowledges and resolves the scanner's incidents. */
  scannerAnalyst: 'analyst.saigon',
} as const;

/** The probe locations: the built-in probe of the demo process, and a simulated remote one. */
export const PROBE_LOCATIONS = { builtIn: 'probe-hanoi', simulated: 'probe-danang' } as const;
