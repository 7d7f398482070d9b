/**
 * The dry run of a loaded rule over a chosen range (POST /api/v1/rules/test, streamed as NDJSON):
 * a progress bar while the windows are replayed, then the windows evaluated and the hits, each
 * with a link to search its evidence. Nothing is raised or stored by a dry run.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, withQuery } from '../api';
import { useApp } from '../context';
import { useI18n } from '../i18n';
import { formatTime } from '../time';
import type { DryRunHit, DryRunResult } from '../types';
import { ErrorBanner } from './error-banner';
import { Link } from './link';
import { valueText } from './search-event-row';
import { rangeApiParams, TimePicker, type TimeRange } from './search-time';

export interface DryRunProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * POSTs a dry run asking for the NDJSON stream; calls `onProgress` per progress line and resolves
 * with the result line. A refused request (400 rule errors, 403, …) rejects with ApiError, as do
 * an error line and a stream that ends without a result.
 */
export async function streamDryRun(body: Record<string, string>, csrfToken: string, onProgress: (p: DryRunProgress) => void, signal: AbortSignal): Promise<DryRunResult> {
  const res = await fetch('/api/v1/rules/test', {
    method: 'POST', credentials: 'same-origin', cache: 'no-store', signal, body: JSON.stringify(body),
    headers: { accept: 'application/x-ndjson', 'content-type': 'application/json', 'x-csrf-token': csrfToken },
  });
  if (!res.ok || !res.body) {
    const e = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    throw new ApiError(res.status, String(e?.code ?? `HTTP_${res.status}`), String(e?.message ?? res.statusText), null, (e?.details as Record<string, unknown> | undefined) ?? null);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const handle = (line: string): DryRunResult | null => {
    if (line.trim() === '') return null;
    const msg = JSON.parse(line) as { progress?: DryRunProgress; result?: DryRunResult; error?: { code: string; message: string } };
    if (msg.progress) onProgress(msg.progress);
    if (msg.error) throw new ApiError(200, msg.error.code, msg.error.message, null, null);
    return msg.result ?? null;
  };
  for (;;) {
    const { done, value } = await reader.read();
    buffer += decoder.decode(value, { stream: !done });
    const lines = buffer.split('\n');
    buffer = done ? '' : (lines.pop() ?? '');
    for (const line of lines) {
      const result = handle(line);
      if (result) {
        void reader.cancel().catch(() => undefined);
        return result;
      }
    }
    if (done) throw new ApiError(200, 'CANH_STREAM_ENDED', 'the dry run ended without a result', null, null);
  }
}

export function RuleDryRun({ ruleId }: { ruleId: string }) {
  const { t, lang } = useI18n();
  const { session } = useApp();
  const [range, setRange] = useState<TimeRange>({ kind: 'relative', last: '1h' });
  const [progress, setProgress] = useState<DryRunProgress | null>(null);
  const [result, setResult] = useState<DryRunResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  const ctl = useRef<AbortController | null>(null);
  useEffect(() => () => ctl.current?.abort(), []);

  const start = () => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    setRunning(true);
    setProgress(null);
    setResult(null);
    setError(null);
    streamDryRun({ rule_id: ruleId, ...rangeApiParams(range) }, session.csrf_token, setProgress, c.signal)
      .then(setResult)
      .catch((err) => { if ((err as Error).name !== 'AbortError') setError(err); })
      .finally(() => { if (ctl.current === c) setRunning(false); });
  };
  const stop = () => {
    ctl.current?.abort();
    setRunning(false);
  };
  const num = (n: number) => n.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB');

  return (
    <section class="panel rules-dry-run" aria-labelledby="dry-run-h" data-testid="dry-run">
      <h2 id="dry-run-h">{t('rules.dryRun')}</h2>
      <p class="muted small">{t('rules.dryRunHelp')}</p>
      <div class="filters rules-dry-run-form">
        <TimePicker range={range} onChange={setRange} />
        {running
          ? <button type="button" class="btn" onClick={stop}>{t('rules.dryRunStop')}</button>
          : <button type="button" class="btn btn-primary" data-testid="dry-run-start" onClick={start}>{t('rules.dryRunStart')}</button>}
      </div>
      {(running || progress) && (
        <div class="rules-progress" data-testid="dry-run-progress">
          <progress max={progress?.total || 1} value={progress?.done ?? 0} aria-label={t('rules.dryRunProgress')} />
          <span class="muted small">{progress ? t('rules.dryRunProgressText', { done: num(progress.done), total: num(progress.total) }) : t('common.loading')}</span>
        </div>
      )}
      {error !== null && <ErrorBanner error={error} />}
      {result && (
        <div class="rules-dry-run-result" data-testid="dry-run-result">
          <p class="rules-dry-run-summary" data-testid="dry-run-summary">{t('rules.dryRunSummary', { windows: num(result.windows), hits: num(result.hits.length) })}</p>
          {result.hits.length > 0 && <DryRunHits hits={result.hits} />}
        </div>
      )}
    </section>
  );
}

function DryRunHits({ hits }: { hits: readonly DryRunHit[] }) {
  const { t, lang } = useI18n();
  const { localities } = useApp();
  return (
    <div class="table-wrap">
      <table class="grid" data-testid="dry-run-hits">
        <thead>
          <tr>
            <th scope="col">{t('rules.hit.group')}</th>
            <th scope="col">{t('search.col.locality')}</th>
            <th scope="col">{t('rules.hit.window')}</th>
            <th scope="col" class="num">{t('rules.hit.observed')}</th>
            <th scope="col">{t('rules.hit.condition')}</th>
            <th scope="col">{t('rules.hit.evidence')}</th>
          </tr>
        </thead>
        <tbody>
          {hits.map((h, n) => (
            <tr key={n}>
              <td class="mono rules-group">{Object.entries(h.group).map(([k, v]) => `${k}=${valueText(v)}`).join(' · ')}</td>
              <td title={h.locality ?? ''}>{h.locality ? (localities.get(h.locality)?.name ?? h.locality) : '—'}</td>
              <td class="time">{formatTime(h.window_from, lang, true)} → {formatTime(h.window_to, lang, true)}</td>
              <td class="num">{h.observed}</td>
              <td class="mono">{h.condition}</td>
              <td>
                <Link to={withQuery('/search', { q: h.evidence_query, from: h.window_from, to: h.window_to })}>{t('rules.hit.search')}</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
