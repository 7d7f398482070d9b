import { tOr, useI18n, type Lang } from '../i18n';
import { formatTime } from '../time';
import type { TimelineEntry } from '../types';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A timeline value (status, level, assignee or an object of them) as short text; ISO times in Vietnam time. */
function valueText(v: unknown, lang: Lang): string {
  if (v === null || v === undefined) return '∅';
  if (typeof v === 'string' && ISO_TIME.test(v)) return formatTime(v, lang, true);
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${x !== null && typeof x === 'object' ? JSON.stringify(x) : valueText(x, lang)}`).join(', ');
  }
  return String(v);
}

/** The incident's history, oldest first: who did what, from → to, with the note. */
export function Timeline({ entries }: { entries: readonly TimelineEntry[] }) {
  const { t, lang } = useI18n();
  return (
    <section class="panel" aria-labelledby="timeline-h">
      <h2 id="timeline-h">{t('incident.timeline')}</h2>
      <ol class="timeline" data-testid="timeline">
        {entries.map((e) => {
          const change = e.from === null && e.to === null ? '' : `${valueText(e.from, lang)} → ${valueText(e.to, lang)}`;
          return (
            <li key={e.seq} class={`tl tl-${e.action}`} data-action={e.action}>
              <time dateTime={e.at}>{formatTime(e.at, lang, true)}</time>
              <span class="tl-action">{tOr(t, `action.${e.action}`, e.action)}</span>
              <span class="tl-actor mono">{e.actor}</span>
              {change && <span class="tl-change mono">{change}</span>}
              {e.note && <p class="tl-note">{e.note}</p>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
