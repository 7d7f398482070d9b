import { errors } from '../errors';
import { parseCidr } from '../syslog/cidr';
import { SOURCE_FORMATS, SOURCE_KINDS, type LocalityLevel, type SourceFormat, type SourceKind, type SyslogSettings } from './types';

export interface LocalityInput {
  readonly code: string;
  readonly name: string;
  readonly level: LocalityLevel;
  readonly parentCode: string | null;
}

export interface SourceInput {
  readonly name: string;
  readonly locality: string;
  readonly kind: SourceKind;
  readonly format: SourceFormat;
  /** Syslog matching settings, when given (format `syslog` only). */
  readonly syslog?: SyslogSettings;
}

const CODE = /^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$/;
// C0 and C1 controls (NUL, CR, LF, ESC, ...), DEL, and lone surrogates (not storable as UTF-8).
const CONTROL = /[\p{Cc}\p{Cs}]/u;

/**
 * The problem of a one-line text field holding a control character or a lone surrogate, naming the
 * field and the position (`name: must not contain control characters (U+0000 at position 3)`), or null.
 */
export function controlCharProblem(field: string, value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = CONTROL.exec(value);
  if (!m) return null;
  const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return `${field}: must not contain control characters (U+${code} at position ${m.index})`;
}
const LEVELS: readonly LocalityLevel[] = ['central', 'province', 'commune'];

/** Problems with a locality, or an empty list. Shared by the API and the CSV import. */
export function localityProblems(v: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof v.code !== 'string' || !CODE.test(v.code)) problems.push('code: 1-32 letters, digits, "-" or "_" (an official code such as 01 or 00004)');
  const nameControl = controlCharProblem('name', v.name);
  if (nameControl) problems.push(nameControl);
  else if (typeof v.name !== 'string' || !v.name.trim() || v.name.length > 200) problems.push('name: 1-200 characters');
  if (!LEVELS.includes(v.level as LocalityLevel)) problems.push(`level: one of ${LEVELS.join(', ')}`);
  const parent = v.parent_code;
  if (parent != null && parent !== '' && (typeof parent !== 'string' || !CODE.test(parent))) problems.push('parent_code: a locality code');
  return problems;
}

export function toLocalityInput(v: Record<string, unknown>): LocalityInput {
  const parent = v.parent_code;
  return {
    code: v.code as string,
    name: (v.name as string).trim(),
    level: v.level as LocalityLevel,
    parentCode: typeof parent === 'string' && parent !== '' ? parent : null,
  };
}

export function validateLocalityInput(input: unknown): LocalityInput {
  const v = asObject(input);
  const problems = localityProblems(v);
  if (problems.length) throw errors.invalidRequest(`Invalid locality: ${problems.join('; ')}`, { problems });
  return toLocalityInput(v);
}

export function validateSourceInput(input: unknown): SourceInput {
  const v = asObject(input);
  const problems: string[] = [];
  const nameControl = controlCharProblem('name', v.name);
  if (nameControl) problems.push(nameControl);
  else if (typeof v.name !== 'string' || !v.name.trim() || v.name.length > 200) problems.push('name: 1-200 characters');
  if (typeof v.locality !== 'string' || !CODE.test(v.locality)) problems.push('locality: the code of an existing locality');
  if (!SOURCE_KINDS.includes(v.kind as SourceKind)) problems.push(`kind: one of ${SOURCE_KINDS.join(', ')}`);
  const format = v.format ?? (v.kind === 'access' ? undefined : 'json');
  if (!SOURCE_FORMATS.includes(format as SourceFormat)) problems.push(`format: one of ${SOURCE_FORMATS.join(', ')}`);
  else if (v.kind !== 'access' && format !== 'json') problems.push(`format: ${String(v.kind)} sources send JSON, so format must be json`);
  if (v.syslog !== undefined && v.syslog !== null) {
    if (format !== 'syslog') problems.push('syslog: only sources of format syslog take syslog settings');
    else problems.push(...syslogSettingsProblems(v.syslog));
  }
  if (problems.length) throw errors.invalidRequest(`Invalid source: ${problems.join('; ')}`, { problems });
  const out = { name: (v.name as string).trim(), locality: v.locality as string, kind: v.kind as SourceKind, format: format as SourceFormat };
  return v.syslog !== undefined && v.syslog !== null ? { ...out, syslog: toSyslogSettings(v.syslog as Record<string, unknown>) } : out;
}

/** Most sender entries one source takes. */
export const MAX_SYSLOG_SENDERS = 100;
const SYSLOG_TOKEN = /^[A-Za-z0-9_]{8,32}$/;

/**
 * Problems with syslog settings `{ senders?: [ip or cidr...], token?: string | null }`, or an empty
 * list. At least one sender or a token; the token is 8-32 letters, digits or `_` (what nginx accepts
 * as a syslog tag).
 */
export function syslogSettingsProblems(input: unknown): string[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return ['syslog: an object {"senders": [...], "token": "..."}'];
  const v = input as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(v)) if (key !== 'senders' && key !== 'token') problems.push(`syslog.${key}: unknown setting (senders, token)`);
  const senders = v.senders ?? [];
  if (!Array.isArray(senders) || senders.length > MAX_SYSLOG_SENDERS) problems.push(`syslog.senders: a list of at most ${MAX_SYSLOG_SENDERS} IP addresses or CIDR ranges`);
  else senders.forEach((s, i) => {
    if (typeof s !== 'string' || s.length > 50 || parseCidr(s) === undefined) problems.push(`syslog.senders[${i}]: an IP address or CIDR range (192.0.2.10, 10.0.0.0/24, 2001:db8::/32)`);
  });
  const token = v.token ?? null;
  if (token !== null && (typeof token !== 'string' || !SYSLOG_TOKEN.test(token))) problems.push('syslog.token: 8-32 letters, digits or "_"');
  if (Array.isArray(senders) && senders.length === 0 && token === null) problems.push('syslog: give senders, a token, or both');
  return problems;
}

/** Validated syslog settings; throws `invalid` naming every problem. */
export function validateSyslogSettings(input: unknown): SyslogSettings {
  const problems = syslogSettingsProblems(input);
  if (problems.length) throw errors.invalidRequest(`Invalid syslog settings: ${problems.join('; ')}`, { problems });
  return toSyslogSettings(input as Record<string, unknown>);
}

function toSyslogSettings(v: Record<string, unknown>): SyslogSettings {
  const senders = [...new Set(((v.senders ?? []) as string[]).map((s) => s.trim()))];
  return { senders, token: typeof v.token === 'string' ? v.token : null };
}

function asObject(input: unknown): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw errors.invalidRequest('Expected a JSON object');
  return input as Record<string, unknown>;
}
