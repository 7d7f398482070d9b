/**
 * One event of the search results: a summary row (time, locality, dataset, the fields that matter
 * for its dataset) that expands into every field as a field/value list and the raw line. Everything
 * from the event is a text node: log content is untrusted.
 */
import { useI18n } from '../i18n';
import { formatTime } from '../time';
import type { EventDoc } from '../types';

/** The summary fields of each dataset, in order; others fall back to `message` or the raw line. */
const SUMMARY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'web.access': ['source.ip', 'http.request.method', 'url.original', 'http.response.status_code', 'user_agent.original'],
  'otp.auth': ['event.action', 'event.outcome', 'user.name', 'otp.attempt', 'event.provider', 'source.ip'],
  'uptime.probe': ['monitor.status', 'monitor.id', 'url.full', 'monitor.duration.us', 'error.message'],
  syslog: ['host.hostname', 'process.name', 'log.syslog.severity.name', 'message'],
};

/** A field of a document by its dotted ECS name: nested objects, or a flat dotted key. */
export function fieldValue(doc: Record<string, unknown>, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(doc, path)) return doc[path];
  let v: unknown = doc;
  for (const part of path.split('.')) {
    if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** A value as one line of text (lists joined, objects as JSON). */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Every leaf of a document as [dotted name, text], sorted by name. */
export function flatten(doc: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  const walk = (v: unknown, prefix: string) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, prefix ? `${prefix}.${k}` : k);
    } else out.push([prefix, valueText(v)]);
  };
  walk(doc, '');
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** The summary parts of an event: [field, text] of the non-empty fields of its dataset. */
export function summaryParts(doc: EventDoc): [string, string][] {
  const fields = SUMMARY_FIELDS[doc.event?.dataset ?? ''] ?? ['message'];
  const parts = fields.map((f): [string, string] => [f, valueText(fieldValue(doc, f))]).filter(([, v]) => v !== '');
  if (parts.length === 0 && doc.event?.original) parts.push(['event.original', doc.event.original]);
  return parts;
}

export const eventKey = (doc: EventDoc, n: number): string => doc.event?.id ?? `row-${n}`;

export function SearchEventRow(props: { doc: EventDoc; expanded: boolean; onToggle: () => void; localityName: (code: string) => string }) {
  const { t, lang } = useI18n();
  const { doc, expanded } = props;
  const locality = valueText(fieldValue(doc, 'organization.id'));
  const id = doc.event?.id ?? '';
  return (
    <>
      <tr class={expanded ? 'search-row expanded' : 'search-row'} data-event-id={id} tabIndex={0}
        onKeyDown={(e) => { if (e.key === 'Enter' && e.currentTarget === e.target) { e.preventDefault(); props.onToggle(); } }}>
        <td class="search-toggle-cell">
          <button type="button" class="btn btn-small btn-link search-toggle" aria-expanded={expanded} onClick={props.onToggle}
            aria-label={expanded ? t('search.collapse') : t('search.expand')}>{expanded ? '▾' : '▸'}</button>
        </td>
        <td class="time">{formatTime(doc['@timestamp'] ?? null, lang, true)}</td>
        <td title={locality}>{locality ? props.localityName(locality) : '—'}</td>
        <td class="mono">{doc.event?.dataset ?? '—'}</td>
        <td class="search-summary" data-testid="event-summary">
          {summaryParts(doc).map(([f, v]) => <span key={f} class="search-summary-part" title={f}>{v}</span>)}
        </td>
      </tr>
      {expanded && (
        <tr class="search-detail-row">
          <td colSpan={5}>
            <div class="search-detail" data-testid="event-detail">
              <dl class="facts search-fields">
                {flatten(doc).map(([k, v]) => [<dt key={`k:${k}`} class="mono">{k}</dt>, <dd key={`v:${k}`} class="mono wrap">{v}</dd>])}
              </dl>
              <h3 class="search-raw-h">{t('event.raw')}</h3>
              {/* The raw line is untrusted: a text node inside <pre>, never parsed as HTML. */}
              <pre class="raw" data-testid="raw-line">{doc.event?.original ?? ''}</pre>
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
