import { escapeHtml, oneLine, showValue } from './escape';
import { incidentLink, type Language, type Notification, type NotificationEvent, type RenderedMessage } from './notification';
import { stringsFor, type TemplateStrings } from './templates';
import { showTime } from './time-format';

/** One labelled line of a message; the value is untrusted text, already one line. */
interface Row {
  readonly label: string;
  readonly value: string;
}

/** The headline of an event in a language's strings. */
function headline(s: TemplateStrings, event: NotificationEvent, level: number): string {
  const h = s.headline[event];
  return typeof h === 'function' ? h(level) : h;
}

function subjectSuffix(s: TemplateStrings, event: NotificationEvent, level: number): string {
  const x = s.subjectSuffix[event];
  return typeof x === 'function' ? x(level) : x;
}

/**
 * The subject: `[Canh][<SEVERITY>] <locality name>: <title><event suffix>`, one line (CR/LF and
 * control characters removed, so a title from a log line cannot add a header).
 */
export function renderSubject(n: Notification, language: Language): string {
  const s = stringsFor(language);
  const i = n.incident;
  return oneLine(`[Canh][${i.severity.toUpperCase()}] ${oneLine(i.locality.name, 120)}: ${oneLine(i.title, 200)}${subjectSuffix(s, n.event, i.escalationLevel)}`, 400);
}

/** The labelled facts of an incident, in display order. */
function incidentRows(n: Notification, s: TemplateStrings): Row[] {
  const i = n.incident;
  const L = s.labels;
  const place = (p: { code: string; name: string }) => `${oneLine(p.name, 200)} (${oneLine(p.code, 40)})`;
  const rows: Row[] = [
    { label: L.title, value: oneLine(i.title) },
    { label: L.severity, value: `${s.severity[i.severity] ?? i.severity} (${i.severity})` },
    { label: L.category, value: oneLine(i.category) },
    { label: L.rule, value: oneLine(i.ruleId) },
    { label: L.locality, value: place(i.locality) },
  ];
  if (i.province) rows.push({ label: L.province, value: place(i.province) });
  rows.push(
    { label: L.status, value: oneLine(i.status) },
    { label: L.count, value: String(i.count) },
    { label: L.firstSeen, value: showTime(i.firstSeen) },
    { label: L.lastSeen, value: showTime(i.lastSeen) },
    { label: L.escalationLevel, value: String(i.escalationLevel) },
  );
  if (i.observed !== undefined) rows.push({ label: L.observed, value: String(i.observed) });
  if (i.condition !== undefined) rows.push({ label: L.condition, value: oneLine(i.condition) });
  return rows;
}

/** Group values as `field = value` lines. */
function groupRows(n: Notification): Row[] {
  return Object.entries(n.incident.group).map(([field, value]) => ({ label: oneLine(field, 100), value: showValue(value) }));
}

const textRows = (rows: readonly Row[], indent = ''): string => rows.map((r) => `${indent}${r.label}: ${r.value}`).join('\n');

const htmlRows = (rows: readonly Row[]): string =>
  rows.map((r) => `<tr><th align="left" style="padding:2px 12px 2px 0;vertical-align:top">${escapeHtml(r.label)}</th><td style="padding:2px 0">${escapeHtml(r.value)}</td></tr>`).join('\n');

const htmlPage = (lang: Language, title: string, body: string): string =>
  `<!DOCTYPE html>\n<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">\n${body}\n</body></html>\n`;

/** Renders the email of one notification in a language: subject, plain text and HTML. */
export function renderNotification(n: Notification, language: Language): RenderedMessage {
  const s = stringsFor(language);
  const i = n.incident;
  const head = headline(s, n.event, i.escalationLevel);
  const link = incidentLink(n.consoleUrl, i.id);
  const rows = incidentRows(n, s);
  const group = groupRows(n);
  const samples = i.sampleEventIds.map((id) => oneLine(id, 100));
  const evidence = oneLine(i.evidenceQuery, 2000);
  const text = [
    `${head}: ${oneLine(i.title)}`,
    '',
    s.intro,
    '',
    textRows(rows),
    ...(group.length ? ['', `${s.labels.group}:`, textRows(group, '  ')] : []),
    '',
    `${s.labels.evidenceQuery}: ${evidence}`,
    ...(samples.length ? [`${s.labels.sampleEvents}: ${samples.join(', ')}`] : []),
    '',
    `${s.labels.link}: ${link}`,
    '',
    '-- ',
    s.footer,
    '',
  ].join('\n');
  const html = htmlPage(language, head, [
    `<h2 style="margin:0 0 8px">${escapeHtml(head)}: ${escapeHtml(oneLine(i.title))}</h2>`,
    `<p>${escapeHtml(s.intro)}</p>`,
    `<table cellspacing="0" cellpadding="0">\n${htmlRows(rows)}\n</table>`,
    ...(group.length ? [`<h3 style="margin:16px 0 4px">${escapeHtml(s.labels.group)}</h3>`, `<table cellspacing="0" cellpadding="0">\n${htmlRows(group)}\n</table>`] : []),
    `<h3 style="margin:16px 0 4px">${escapeHtml(s.labels.evidenceQuery)}</h3>`,
    `<pre style="white-space:pre-wrap;background:#f4f4f4;padding:8px">${escapeHtml(evidence)}</pre>`,
    ...(samples.length ? [`<p>${escapeHtml(s.labels.sampleEvents)}: <code>${samples.map(escapeHtml).join('</code>, <code>')}</code></p>`] : []),
    `<p><a href="${escapeHtml(link)}">${escapeHtml(s.labels.link)}</a> <span style="color:#666">${escapeHtml(link)}</span></p>`,
    `<hr><p style="color:#666;font-size:12px">${escapeHtml(s.footer)}</p>`,
  ].join('\n'));
  return { subject: renderSubject(n, language), text, html };
}

/** A window length in words, e.g. `10 phút` / `10 minutes`, `1 giây` / `1 second`. */
export function windowLength(ms: number, language: Language): string {
  const [n, unit] = ms % 60_000 === 0 ? [ms / 60_000, 'minute'] : [Math.round(ms / 100) / 10, 'second'];
  if (language === 'vi') return `${n} ${unit === 'minute' ? 'phút' : 'giây'}`;
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** What a digest lists: the held notifications of one recipient and one window. */
export interface DigestContent {
  readonly language: Language;
  readonly items: readonly Notification[];
  /** The window, epoch ms [start, end). */
  readonly window: { readonly start: number; readonly end: number };
  /** The recipient's limit per window. */
  readonly limit: number;
}

/** One line of a digest about one held notification. */
function digestLine(n: Notification, s: TemplateStrings): { summary: string; link: string } {
  const i = n.incident;
  const summary = `[${i.severity.toUpperCase()}] ${oneLine(i.locality.name, 120)}: ${oneLine(i.title, 200)} (${headline(s, n.event, i.escalationLevel)}; ${s.labels.lastSeen}: ${showTime(i.lastSeen)})`;
  return { summary, link: incidentLink(n.consoleUrl, i.id) };
}

/** Renders the digest email of the notifications held for one recipient in one window. */
export function renderDigest(d: DigestContent): RenderedMessage {
  const s = stringsFor(d.language);
  const head = s.digest.headline(d.items.length);
  const intro = s.digest.intro(d.limit, windowLength(d.window.end - d.window.start, d.language));
  const windowText = `${showTime(d.window.start)} → ${showTime(d.window.end)}`;
  const lines = d.items.map((n) => digestLine(n, s));
  const text = [
    head, '', intro, `${s.digest.window}: ${windowText}`, '',
    ...lines.map((l, k) => `${k + 1}. ${l.summary}\n   ${l.link}`),
    '', '-- ', s.footer, '',
  ].join('\n');
  const html = htmlPage(d.language, head, [
    `<h2 style="margin:0 0 8px">${escapeHtml(head)}</h2>`,
    `<p>${escapeHtml(intro)}</p>`,
    `<p>${escapeHtml(s.digest.window)}: ${escapeHtml(windowText)}</p>`,
    `<ol>\n${lines.map((l) => `<li>${escapeHtml(l.summary)}<br><a href="${escapeHtml(l.link)}">${escapeHtml(l.link)}</a></li>`).join('\n')}\n</ol>`,
    `<hr><p style="color:#666;font-size:12px">${escapeHtml(s.footer)}</p>`,
  ].join('\n'));
  return { subject: oneLine(s.digest.subject(d.items.length)), text, html };
}
