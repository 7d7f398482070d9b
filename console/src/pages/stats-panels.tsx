/** The panels of the statistics dashboard: each fetches one /stats endpoint and shows a chart and its table. */
import { useMemo } from 'preact/hooks';
import { ChartLegend, StatsChart, type ChartSeries } from '../components/stats-chart';
import { fmtDuration, fmtNumber, fmtRate, localityLabel } from '../components/stats-format';
import { StatsPanel, StatsTable, useStats } from '../components/stats-panel';
import { useApp } from '../context';
import { tOr, useI18n, type Translate } from '../i18n';
import { formatTime, TIME_ZONE } from '../time';
import {
  SEVERITIES, STATS_AGE_BUCKETS, type StatsAvailability, type StatsBacklog, type StatsIncidents, type StatsOtp,
  type StatsResponseTimes, type StatsSla, type StatsSources, type StatsTopRules,
} from '../types';

type Range = { from: string; to?: string };
const sevIndex = (s: string) => { const i = (SEVERITIES as readonly string[]).indexOf(s); return i < 0 ? SEVERITIES.length : i; };
const sevLabel = (t: Translate, s: string | null) => (s === null ? '—' : tOr(t, `severity.${s}`, s));
const ratioAxis = (lang: 'vi' | 'en') => (v: number) => fmtRate(lang, v);

function ByChoice<T extends string>({ name, value, options, onChange, label }: {
  name: string; value: T; options: readonly T[]; onChange: (v: T) => void; label: (v: T) => string;
}) {
  const { t } = useI18n();
  return (
    <label class="stats-by">{t('stats.by')}
      <select name={name} value={value} onChange={(e) => onChange(e.currentTarget.value as T)}>
        {options.map((o) => <option key={o} value={o}>{label(o)}</option>)}
      </select>
    </label>
  );
}

// --- incidents over time ---

export function IncidentsPanel({ range, by, onBy }: { range: Range; by: 'severity' | 'locality' | 'category'; onBy: (v: 'severity' | 'locality' | 'category') => void }) {
  const { t } = useI18n();
  const query = { ...range, by };
  const state = useStats<StatsIncidents>('/stats/incidents', query);
  return (
    <StatsPanel id="incidents" title={t('stats.incidents.title')} path="/stats/incidents" query={query} state={state} wide
      isEmpty={(d) => d.series.every((s) => s.total === 0)}
      controls={<ByChoice name="by" value={by} options={['severity', 'locality', 'category']} onChange={onBy} label={(o) => t(`stats.dim.${o}`)} />}>
      {(d) => <IncidentsBody data={d} />}
    </StatsPanel>
  );
}

function IncidentsBody({ data }: { data: StatsIncidents }) {
  const { t, lang } = useI18n();
  const { localities } = useApp();
  const label = (key: string) => (data.by === 'severity' ? sevLabel(t, key) : data.by === 'locality' ? localityLabel(localities, key) : key);
  const ordered = useMemo(() => [...data.series].sort((a, b) =>
    data.by === 'severity' ? sevIndex(a.key) - sevIndex(b.key) : b.total - a.total || a.key.localeCompare(b.key)), [data]);
  const series = useMemo<ChartSeries[]>(() => ordered.map((s, i) => ({
    label: label(s.key), values: s.counts, color: data.by === 'severity' ? sevIndex(s.key) : i + 4,
  })), [ordered, lang, localities]);
  const x = useMemo(() => data.buckets.map((b) => Date.parse(b)), [data]);
  const daily = data.interval_ms >= 86_400_000;
  const tick = useMemo(() => new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: TIME_ZONE, day: '2-digit', month: '2-digit', ...(daily ? {} : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const }),
  }), [lang, daily]);
  const rows = x.flatMap((ms, i) => {
    const counts = ordered.map((s) => s.counts[i]);
    const total = counts.reduce((a, b) => a + b, 0);
    return total > 0 ? [[formatTime(ms, lang), ...counts.map((c) => fmtNumber(lang, c)), fmtNumber(lang, total)]] : [];
  });
  rows.push([t('stats.total'), ...ordered.map((s) => fmtNumber(lang, s.total)), fmtNumber(lang, ordered.reduce((a, s) => a + s.total, 0))]);
  return (
    <>
      <StatsChart kind="time" x={x} series={series} stacked yFormat={(v) => fmtNumber(lang, v)} timeFormat={(ms) => tick.format(ms)}
        label={t('stats.incidents.title')} testId="stats-chart-incidents" />
      <ChartLegend series={series} />
      <p class="small muted">{t('stats.interval', { interval: fmtDuration(t, lang, data.interval_ms / 1000) })}</p>
      <StatsTable id="incidents" caption={t('stats.incidents.title')} head={[t('stats.bucket'), ...series.map((s) => s.label), t('stats.total')]} rows={rows} />
    </>
  );
}

// --- backlog now ---

export function BacklogPanel() {
  const { t } = useI18n();
  const query = { by: 'severity' };
  const state = useStats<StatsBacklog>('/stats/backlog', query);
  return (
    <StatsPanel id="backlog" title={t('stats.backlog.title')} path="/stats/backlog" query={query} state={state}
      isEmpty={(d) => d.rows.every((r) => r.total === 0)} note={t('stats.backlog.note')}>
      {(d) => <BacklogBody data={d} />}
    </StatsPanel>
  );
}

function BacklogBody({ data }: { data: StatsBacklog }) {
  const { t, lang } = useI18n();
  const rows = useMemo(() => [...data.rows].sort((a, b) => sevIndex(a.severity ?? '') - sevIndex(b.severity ?? '')), [data]);
  const x = useMemo(() => rows.map((r) => sevLabel(t, r.severity)), [rows, lang]);
  const series = useMemo<ChartSeries[]>(() => STATS_AGE_BUCKETS.map((a, i) => ({
    label: t(`stats.age.${a}`), values: rows.map((r) => r.age[a]), color: 4 + i,
  })), [rows, lang]);
  return (
    <>
      <StatsChart kind="categories" x={x} series={series} stacked yFormat={(v) => fmtNumber(lang, v)} label={t('stats.backlog.title')} testId="stats-chart-backlog" />
      <ChartLegend series={series} />
      <StatsTable id="backlog" caption={t('stats.backlog.title')}
        head={[t('stats.dim.severity'), t('stats.open'), t('stats.acknowledged'), t('stats.total'), ...series.map((s) => s.label)]}
        rows={rows.map((r) => [sevLabel(t, r.severity), ...[r.open, r.acknowledged, r.total, ...STATS_AGE_BUCKETS.map((a) => r.age[a])].map((n) => fmtNumber(lang, n))])} />
    </>
  );
}

// --- MTTA / MTTR ---

export function ResponseTimesPanel({ range, by }: { range: Range; by: 'severity' | 'locality' }) {
  const { t } = useI18n();
  const query = { ...range, by };
  const state = useStats<StatsResponseTimes>('/stats/response-times', query);
  return (
    <StatsPanel id={`response-times-${by}`} title={t(`stats.rt.title.${by}`)} path="/stats/response-times" query={query} state={state}
      isEmpty={(d) => d.rows.length === 0} note={t('stats.rt.note')}>
      {(d) => <ResponseTimesBody data={d} />}
    </StatsPanel>
  );
}

function ResponseTimesBody({ data }: { data: StatsResponseTimes }) {
  const { t, lang } = useI18n();
  const { localities } = useApp();
  const rows = useMemo(() => [...data.rows].sort((a, b) => (data.by === 'severity' ? sevIndex(a.key) - sevIndex(b.key) : a.key.localeCompare(b.key))), [data]);
  const label = (k: string) => (data.by === 'severity' ? sevLabel(t, k) : localityLabel(localities, k));
  const x = useMemo(() => rows.map((r) => label(r.key)), [rows, lang, localities]);
  const series = useMemo<ChartSeries[]>(() => [
    { label: t('stats.rt.mttaMean'), values: rows.map((r) => r.mtta.mean), color: 4 },
    { label: t('stats.rt.mttrMean'), values: rows.map((r) => r.mttr.mean), color: 6 },
  ], [rows, lang]);
  const d = (s: number | null) => fmtDuration(t, lang, s);
  const title = t(`stats.rt.title.${data.by as 'severity' | 'locality'}`);
  return (
    <>
      <StatsChart kind="categories" x={x} series={series} yFormat={d} label={title} testId={`stats-chart-response-times-${data.by}`} />
      <ChartLegend series={series} />
      <StatsTable id={`response-times-${data.by}`} caption={title}
        head={[t(`stats.dim.${data.by as 'severity' | 'locality'}`), t('stats.incidentsCount'), 'MTTA n', t('stats.mean'), 'p50', 'p90', 'MTTR n', t('stats.mean'), 'p50', 'p90', t('stats.autoResolved')]}
        rows={rows.map((r) => [label(r.key), fmtNumber(lang, r.incidents),
          fmtNumber(lang, r.mtta.n), d(r.mtta.mean), d(r.mtta.p50), d(r.mtta.p90),
          fmtNumber(lang, r.mttr.n), d(r.mttr.mean), d(r.mttr.p50), d(r.mttr.p90), fmtNumber(lang, r.auto_resolved)])} />
    </>
  );
}

// --- SLA breaches ---

export function SlaPanel({ range }: { range: Range }) {
  const { t, lang } = useI18n();
  const state = useStats<StatsSla>('/stats/sla', range);
  const total = state.data?.total;
  return (
    <StatsPanel id="sla" title={t('stats.sla.title')} path="/stats/sla" query={range} state={state} isEmpty={(d) => d.total.incidents === 0}
      note={total && total.incidents > 0 ? t('stats.sla.total', { breaches: fmtNumber(lang, total.breaches), incidents: fmtNumber(lang, total.incidents), rate: fmtRate(lang, total.rate) }) : t('stats.sla.note')}>
      {(d) => <SlaBody data={d} />}
    </StatsPanel>
  );
}

function SlaBody({ data }: { data: StatsSla }) {
  const { t, lang } = useI18n();
  const { localities } = useApp();
  const rows = useMemo(() => [...data.rows].sort((a, b) => a.locality.localeCompare(b.locality) || sevIndex(a.severity) - sevIndex(b.severity)), [data]);
  const perLocality = useMemo(() => {
    const m = new Map<string, { incidents: number; breaches: number }>();
    for (const r of rows) {
      const v = m.get(r.locality) ?? { incidents: 0, breaches: 0 };
      m.set(r.locality, { incidents: v.incidents + r.incidents, breaches: v.breaches + r.breaches });
    }
    return [...m.entries()];
  }, [rows]);
  const x = useMemo(() => perLocality.map(([l]) => localityLabel(localities, l)), [perLocality, localities]);
  const series = useMemo<ChartSeries[]>(() => [
    { label: t('stats.incidentsCount'), values: perLocality.map(([, v]) => v.incidents), color: 4 },
    { label: t('stats.sla.breaches'), values: perLocality.map(([, v]) => v.breaches), color: 0 },
  ], [perLocality, lang]);
  return (
    <>
      <StatsChart kind="categories" x={x} series={series} yFormat={(v) => fmtNumber(lang, v)} label={t('stats.sla.title')} testId="stats-chart-sla" />
      <ChartLegend series={series} />
      <StatsTable id="sla" caption={t('stats.sla.title')} lead={2}
        head={[t('stats.dim.locality'), t('stats.dim.severity'), t('stats.incidentsCount'), t('stats.sla.breaches'), t('stats.rate')]}
        rows={[...rows.map((r) => [localityLabel(localities, r.locality), sevLabel(t, r.severity), fmtNumber(lang, r.incidents), fmtNumber(lang, r.breaches), fmtRate(lang, r.rate)]),
          [t('stats.total'), '', fmtNumber(lang, data.total.incidents), fmtNumber(lang, data.total.breaches), fmtRate(lang, data.total.rate)]]} />
    </>
  );
}

// --- top rules ---

export function TopRulesPanel({ range }: { range: Range }) {
  const { t } = useI18n();
  const query = { ...range, size: '10' };
  const state = useStats<StatsTopRules>('/stats/top-rules', query);
  return (
    <StatsPanel id="top-rules" title={t('stats.topRules.title')} path="/stats/top-rules" query={query} state={state} isEmpty={(d) => d.rules.length === 0}>
      {(d) => <TopRulesBody data={d} />}
    </StatsPanel>
  );
}

function TopRulesBody({ data }: { data: StatsTopRules }) {
  const { t, lang } = useI18n();
  const x = useMemo(() => data.rules.map((r) => r.rule_id), [data]);
  const series = useMemo<ChartSeries[]>(() => [{ label: t('stats.incidentsCount'), values: data.rules.map((r) => r.count), color: 4 }], [data, lang]);
  return (
    <>
      <StatsChart kind="categories" x={x} series={series} yFormat={(v) => fmtNumber(lang, v)} label={t('stats.topRules.title')} testId="stats-chart-top-rules" />
      <StatsTable id="top-rules" caption={t('stats.topRules.title')} lead={4}
        head={[t('stats.rule'), t('stats.ruleTitle'), t('stats.dim.category'), t('stats.dim.severity'), t('stats.incidentsCount')]}
        rows={data.rules.map((r) => [r.rule_id, r.title, r.category, sevLabel(t, r.severity), fmtNumber(lang, r.count)])} />
    </>
  );
}

// --- OTP success ---

export function OtpPanel({ range, by, onBy }: { range: Range; by: 'locality,service' | 'locality' | 'service'; onBy: (v: 'locality,service' | 'locality' | 'service') => void }) {
  const { t } = useI18n();
  const query = { ...range, by };
  const state = useStats<StatsOtp>('/stats/otp', query);
  return (
    <StatsPanel id="otp" title={t('stats.otp.title')} path="/stats/otp" query={query} state={state} isEmpty={(d) => d.rows.length === 0}
      controls={<ByChoice name="otp_by" value={by} options={['locality,service', 'locality', 'service']} onChange={onBy} label={(o) => t(`stats.dim.${o}`)} />}>
      {(d) => <OtpBody data={d} />}
    </StatsPanel>
  );
}

function OtpBody({ data }: { data: StatsOtp }) {
  const { t, lang } = useI18n();
  const { localities } = useApp();
  const rows = useMemo(() => [...data.rows].sort((a, b) => (a.locality ?? '').localeCompare(b.locality ?? '') || (a.service ?? '').localeCompare(b.service ?? '')), [data]);
  const x = useMemo(() => rows.map((r) => [r.locality, r.service].filter((v) => v !== null).map((v, i) => (i === 0 && r.locality !== null ? localityLabel(localities, v) : v)).join(' · ')), [rows, localities]);
  const series = useMemo<ChartSeries[]>(() => [{ label: t('stats.otp.rate'), values: rows.map((r) => r.success_rate), color: 6 }], [rows, lang]);
  return (
    <>
      <StatsChart kind="categories" x={x} series={series} yMax={1} yFormat={ratioAxis(lang)} label={t('stats.otp.title')} testId="stats-chart-otp" />
      <StatsTable id="otp" caption={t('stats.otp.title')} lead={2}
        head={[t('stats.dim.locality'), t('stats.service'), t('stats.otp.attempts'), t('stats.otp.successes'), t('stats.otp.failures'), t('stats.otp.rate')]}
        rows={rows.map((r) => [localityLabel(localities, r.locality), r.service ?? '—', fmtNumber(lang, r.attempts), fmtNumber(lang, r.successes), fmtNumber(lang, r.failures), fmtRate(lang, r.success_rate)])} />
    </>
  );
}

// --- availability ---

export function AvailabilityPanel({ range }: { range: Range }) {
  const { t } = useI18n();
  const state = useStats<StatsAvailability>('/stats/availability', range);
  return (
    <StatsPanel id="availability" title={t('stats.availability.title')} path="/stats/availability" query={range} state={state} isEmpty={(d) => d.rows.length === 0}>
      {(d) => <AvailabilityBody data={d} />}
    </StatsPanel>
  );
}

function AvailabilityBody({ data }: { data: StatsAvailability }) {
  const { t, lang } = useI18n();
  const { localities } = useApp();
  const rows = useMemo(() => [...data.rows].sort((a, b) => a.monitor.localeCompare(b.monitor) || a.locality.localeCompare(b.locality)), [data]);
  const x = useMemo(() => rows.map((r) => r.service ?? r.monitor), [rows]);
  const series = useMemo<ChartSeries[]>(() => [{ label: t('stats.availability.rate'), values: rows.map((r) => r.availability), color: 6 }], [rows, lang]);
  return (
    <>
      <StatsChart kind="categories" x={x} series={series} yMax={1} yFormat={ratioAxis(lang)} label={t('stats.availability.title')} testId="stats-chart-availability" />
      <StatsTable id="availability" caption={t('stats.availability.title')} lead={3}
        head={[t('stats.monitor'), t('stats.service'), t('stats.dim.locality'), t('stats.availability.probes'), t('stats.availability.up'), t('stats.availability.down'), t('stats.availability.rate')]}
        rows={rows.map((r) => [r.monitor, r.service ?? '—', localityLabel(localities, r.locality), fmtNumber(lang, r.probes), fmtNumber(lang, r.up), fmtNumber(lang, r.down), fmtRate(lang, r.availability)])} />
    </>
  );
}

// --- source health ---

export function SourcesPanel({ window }: { window: string }) {
  const { t } = useI18n();
  const query = { window };
  const state = useStats<StatsSources>('/stats/sources', query);
  const silent = state.data?.sources.filter((s) => s.status === 'silent').length ?? 0;
  return (
    <StatsPanel id="sources" title={t('stats.sources.title')} path="/stats/sources" query={query} state={state} wide isEmpty={(d) => d.sources.length === 0}
      note={state.data ? `${t('stats.sources.note', { window })} ${t('stats.sources.silent', { n: silent })}${state.data.dead_letters_complete ? '' : ` ${t('stats.sources.incomplete')}`}` : undefined}>
      {(d) => <SourcesBody data={d} />}
    </StatsPanel>
  );
}

function SourcesBody({ data }: { data: StatsSources }) {
  const { t, lang } = useI18n();
  const { localities } = useApp();
  const rows = useMemo(() => [...data.sources].sort((a, b) => a.name.localeCompare(b.name)), [data]);
  const x = useMemo(() => rows.map((s) => s.name), [rows]);
  const series = useMemo<ChartSeries[]>(() => [{ label: t('stats.sources.errorRate'), values: rows.map((s) => s.parse_error_rate), color: 0 }], [rows, lang]);
  return (
    <>
      <StatsChart kind="categories" x={x} series={series} yMax={1} yFormat={ratioAxis(lang)} label={t('stats.sources.title')} testId="stats-chart-sources" />
      <StatsTable id="sources" caption={t('stats.sources.title')} lead={5}
        head={[t('stats.source'), t('stats.dim.locality'), t('stats.kind'), t('stats.status'), t('stats.lastEvent'), t('stats.sources.events'), t('stats.sources.deadLetters'), t('stats.sources.errorRate')]}
        rows={rows.map((s) => [s.name, localityLabel(localities, s.locality), s.kind,
          <span class={`stats-source-${s.status}`}>{tOr(t, `stats.sourceStatus.${s.status}`, s.status)}</span>,
          formatTime(s.last_event_at, lang), fmtNumber(lang, s.events), fmtNumber(lang, s.dead_letters), fmtRate(lang, s.parse_error_rate)])} />
    </>
  );
}
