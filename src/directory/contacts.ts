import { domainToASCII } from 'node:url';
import { errors } from '../errors';
import { controlCharProblem } from './validate';
import type { Contact } from './types';

/** The most contacts a locality can have. */
export const MAX_CONTACTS = 50;
export const CONTACT_LANGUAGES: readonly ('vi' | 'en')[] = ['vi', 'en'];
export const WEBHOOK_SECRET_MIN = 16;
export const WEBHOOK_SECRET_MAX = 256;
const MAX_URL = 2048;

const EMAIL_KEYS = ['email', 'language'];
const WEBHOOK_KEYS = ['webhook', 'secret'];
const ITEM_SHAPE = 'expected {"email", "language"?} or {"webhook", "secret"?}';

/**
 * Validates the body of `PUT /localities/{code}/contacts`: `{"contacts": [...]}`, at most 50 items,
 * each `{"email", "language"?}` (vi or en, default vi) or `{"webhook", "secret"?}` (http or https;
 * secret 16-256 characters). Throws `invalid` naming every problem with its position, e.g.
 * `contacts[2].language: expected vi or en`. Email domains are lower-cased (and IDN domains turned
 * into their ASCII form); webhook URLs are stored normalized (WHATWG URL).
 */
export function validateContacts(input: unknown): Contact[] {
  const problems: string[] = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw errors.invalidRequest('Invalid contacts: expected a JSON object {"contacts": [...]}', { problems: ['body: expected {"contacts": [...]}'] });
  }
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body)) if (key !== 'contacts') problems.push(`${key}: unknown key (the body is {"contacts": [...]})`);
  const list = body.contacts;
  const contacts: Contact[] = [];
  if (!Array.isArray(list)) {
    problems.push(`contacts: expected an array of at most ${MAX_CONTACTS} contacts`);
  } else {
    if (list.length > MAX_CONTACTS) problems.push(`contacts: at most ${MAX_CONTACTS} contacts (got ${list.length})`);
    const seen = new Map<string, number>();
    list.forEach((item, i) => {
      const at = `contacts[${i}]`;
      const before = problems.length;
      const contact = contactOf(item, at, problems);
      if (!contact || problems.length > before) return;
      const key = contact.kind === 'email' ? `email:${contact.address.toLowerCase()}` : `webhook:${contact.url}`;
      const first = seen.get(key);
      if (first !== undefined) problems.push(`${at}.${contact.kind === 'email' ? 'email' : 'webhook'}: duplicate of contacts[${first}]`);
      else seen.set(key, i);
      contacts.push(contact);
    });
  }
  if (problems.length) throw errors.invalidRequest(`Invalid contacts: ${problems.join('; ')}`, { problems });
  return contacts;
}

/** One item, or null with its problems added. */
function contactOf(item: unknown, at: string, problems: string[]): Contact | null {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    problems.push(`${at}: ${ITEM_SHAPE}`);
    return null;
  }
  const v = item as Record<string, unknown>;
  const isEmail = 'email' in v;
  const isWebhook = 'webhook' in v;
  if (isEmail && isWebhook) {
    problems.push(`${at}: either email or webhook, not both (one contact per item)`);
    return null;
  }
  if (!isEmail && !isWebhook) {
    problems.push(`${at}: ${ITEM_SHAPE}`);
    return null;
  }
  const allowed = isEmail ? EMAIL_KEYS : WEBHOOK_KEYS;
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) problems.push(`${at}.${key}: unknown key (${isEmail ? 'an email contact has email and language' : 'a webhook contact has webhook and secret'})`);
  }
  return isEmail ? emailContact(v, at, problems) : webhookContact(v, at, problems);
}

function emailContact(v: Record<string, unknown>, at: string, problems: string[]): Contact | null {
  // Checked before trimming: a CR or LF would let an address add headers to a notification email.
  const control = controlCharProblem(`${at}.email`, v.email);
  const address = typeof v.email === 'string' && !control ? normalizeEmail(v.email) : null;
  if (control) problems.push(`${control}; CR and LF could add mail headers`);
  else if (!address) problems.push(`${at}.email: expected an email address such as soc@example.vn`);
  const language = v.language ?? 'vi';
  if (language !== 'vi' && language !== 'en') problems.push(`${at}.language: expected vi or en`);
  return address && (language === 'vi' || language === 'en') ? { kind: 'email', address, language } : null;
}

function webhookContact(v: Record<string, unknown>, at: string, problems: string[]): Contact | null {
  const url = typeof v.webhook === 'string' ? webhookUrl(v.webhook, `${at}.webhook`, problems) : null;
  if (typeof v.webhook !== 'string') problems.push(`${at}.webhook: expected an http or https URL (https recommended)`);
  const secret = v.secret ?? null;
  const secretOk = secret === null || (typeof secret === 'string' && secret.length >= WEBHOOK_SECRET_MIN && secret.length <= WEBHOOK_SECRET_MAX);
  if (!secretOk) problems.push(`${at}.secret: expected ${WEBHOOK_SECRET_MIN} to ${WEBHOOK_SECRET_MAX} characters`);
  return url && secretOk ? { kind: 'webhook', url, secret: secret as string | null } : null;
}

/** The URL normalized, or null with a problem added. */
function webhookUrl(raw: string, at: string, problems: string[]): string | null {
  // The URL parser silently drops tabs and line breaks: refuse them rather than store another URL.
  const control = controlCharProblem(at, raw);
  if (control) {
    problems.push(control);
    return null;
  }
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${at}: expected an http or https URL (https recommended)`);
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`${at}: the ${url.protocol.replace(/:$/, '')} scheme is not allowed; use https (or http)`);
    return null;
  }
  if (!url.hostname) {
    problems.push(`${at}: the URL has no host`);
    return null;
  }
  if (url.href.length > MAX_URL) {
    problems.push(`${at}: at most ${MAX_URL} characters`);
    return null;
  }
  return url.href;
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A sane email check (not RFC 5322 in full): an ASCII dot-atom local part of at most 64 characters,
 * `@`, a domain of at least two labels whose last is not numeric. Returns the address with its
 * domain lower-cased (an internationalized domain becomes its `xn--` form), or null.
 */
export function normalizeEmail(raw: string): string | null {
  const text = raw.trim();
  if (text.length > 254) return null;
  const at = text.lastIndexOf('@');
  if (at <= 0 || at !== text.indexOf('@')) return null;
  const local = text.slice(0, at);
  if (local.length > 64 || !LOCAL_PART.test(local)) return null;
  const rawDomain = text.slice(at + 1);
  const domain = /^[ -~]*$/.test(rawDomain) ? rawDomain.toLowerCase() : domainToASCII(rawDomain);
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^[0-9]+$/.test(labels[labels.length - 1])) return null;
  return `${local}@${domain}`;
}
