import type { LineContext } from '../ingest/line-context';
import { accessToEcs, applyEnvelope, child, DATASETS } from '../ingest/normalize';
import { parseAccessLine } from '../ingest/parsers/access-line';
import { fail, ok, type ParseResult } from '../ingest/parsers/result';
import { maskPii } from '../ingest/redact';
import type { EcsDocument } from '../store/event-store';
import { oversizeReason } from './frame-line';
import { facilityName, parseSyslog, severityName, type SyslogMessage } from './parse-message';

/** Dataset of syslog messages that are not access lines. */
export const SYSLOG_DATASET = 'syslog';

/** Longest syslog line accepted (characters; the receiver caps frames at 64 KiB before that). */
export const MAX_SYSLOG_CHARS = 262_144;

/**
 * One line of a source of format `syslog` as an event: an nginx/Apache access line inside the
 * message becomes a `web.access` event (its own timestamp), any other message a `syslog` event with
 * `message`, `host.hostname`, `process.{name,pid}`, `log.level` and `log.syslog.*`. Both keep
 * `log.syslog.*` and the whole line as `event.original`. The locality is always the source's
 * (applyEnvelope); the host name the sender claims is only a field. A line that is not syslog
 * (no `<PRI>`, a broken 5424 header) or over the size cap fails: the caller dead-letters it.
 */
export function syslogEvent(line: string, ctx: LineContext): ParseResult<EcsDocument> {
  const oversize = oversizeReason(line);
  if (oversize !== undefined) return fail(oversize);
  if (line.length > MAX_SYSLOG_CHARS) return fail(`syslog line is longer than ${MAX_SYSLOG_CHARS} characters (${line.length})`);
  const parsed = parseSyslog(line, ctx.receivedAt);
  if (!parsed.ok) return parsed;
  const msg = parsed.value;
  const original = maskPii(line);
  const access = msg.message.includes(' [') ? parseAccessLine(msg.message.trim(), 'auto') : undefined;
  if (access?.ok) {
    const doc = accessToEcs(access.value, { '@timestamp': '' });
    addSyslogFields(doc, msg, false);
    return ok(applyEnvelope(doc, { dataset: DATASETS.access, kind: 'event', timestamp: access.value.timestamp ?? msg.timestamp, original }, ctx));
  }
  const doc: EcsDocument = { '@timestamp': '', message: maskPii(msg.message) };
  addSyslogFields(doc, msg, true);
  return ok(applyEnvelope(doc, { dataset: SYSLOG_DATASET, kind: 'event', timestamp: msg.timestamp, original }, ctx));
}

/** `log.syslog.*` (ECS names), and for generic messages the host, process and level fields too. */
function addSyslogFields(doc: EcsDocument, msg: SyslogMessage, generic: boolean): void {
  const log = child(doc, 'log');
  const syslog: Record<string, unknown> = {
    priority: msg.priority,
    facility: { code: msg.facility, name: facilityName(msg.facility) },
    severity: { code: msg.severity, name: severityName(msg.severity) },
    version: msg.format === 'rfc5424' ? '1' : 'rfc3164',
  };
  if (msg.hostname !== undefined) syslog.hostname = msg.hostname;
  if (msg.appName !== undefined) syslog.appname = msg.appName;
  if (msg.procId !== undefined) syslog.procid = msg.procId;
  if (msg.msgId !== undefined) syslog.msgid = msg.msgId;
  if (msg.structuredData !== undefined) syslog.structured_data = maskStructuredData(msg.structuredData);
  log.syslog = syslog;
  if (!generic) return;
  log.level = severityName(msg.severity);
  if (msg.hostname !== undefined) child(doc, 'host').hostname = msg.hostname;
  if (msg.appName !== undefined || msg.procId !== undefined) {
    const process = child(doc, 'process');
    if (msg.appName !== undefined) process.name = msg.appName;
    if (msg.procId !== undefined && /^\d{1,10}$/.test(msg.procId)) process.pid = Number(msg.procId);
  }
}

function maskStructuredData(sd: SyslogMessage['structuredData'] & object): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const id of Object.keys(sd)) {
    const params: Record<string, string> = {};
    for (const name of Object.keys(sd[id])) {
      const key = safeKey(name);
      if (key !== undefined) params[key] = maskPii(sd[id][name]);
    }
    const key = safeKey(id);
    if (key !== undefined) out[key] = params;
  }
  return out;
}

/** A structured-data name as a document key: dots would read as nesting, prototype names are dropped. */
function safeKey(name: string): string | undefined {
  if (name === '__proto__' || name === 'constructor' || name === 'prototype') return undefined;
  return name.replace(/\./g, '_');
}
