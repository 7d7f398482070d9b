/**
 * /sources/new: a two-step wizard. 1: name, locality (the localities of the user's scope, communes
 * grouped under their province), kind and format (each explained). 2: the key, shown this once,
 * and the ready-to-paste shipper configurations.
 */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { Link } from '../components/link';
import { ConfigTabs, KeyOnce } from '../components/onboarding-configs';
import { FieldError, localityLabel, OnboardingError, problemsByField } from '../components/onboarding-shared';
import { useApp } from '../context';
import { tOr, useI18n } from '../i18n';
import { FORMATS_OF_KIND, SOURCE_KINDS, type Locality, type SourceFormat, type SourceKind, type SourceWithKey } from '../types';

interface Group {
  readonly label: string;
  readonly options: readonly Locality[];
}

/** Central first, then each province with its communes (sorted by code); communes whose province is out of scope under its code. */
export function groupLocalities(all: readonly Locality[], provinceLabel: (code: string) => string): Group[] {
  const sorted = [...all].sort((a, b) => a.code.localeCompare(b.code));
  const groups: Group[] = [];
  const central = sorted.filter((l) => l.level === 'central');
  if (central.length) groups.push({ label: '', options: central });
  const provinces = sorted.filter((l) => l.level === 'province');
  const placed = new Set<string>();
  for (const p of provinces) {
    const communes = sorted.filter((l) => l.level === 'commune' && l.parent_code === p.code);
    for (const c of communes) placed.add(c.code);
    groups.push({ label: `${p.code} · ${p.name}`, options: [p, ...communes] });
  }
  const orphans = new Map<string, Locality[]>();
  for (const c of sorted) {
    if (c.level !== 'commune' || placed.has(c.code)) continue;
    const parent = c.parent_code ?? '';
    orphans.set(parent, [...(orphans.get(parent) ?? []), c]);
  }
  for (const [parent, communes] of orphans) groups.push({ label: provinceLabel(parent), options: communes });
  return groups;
}

export function NewSourcePage() {
  const { t } = useI18n();
  const { session, localities } = useApp();
  const groups = useMemo(() => groupLocalities([...localities.values()], (code) => t('onb.provinceCode', { code })), [localities, t]);
  const [name, setName] = useState('');
  const [locality, setLocality] = useState('');
  const [kind, setKind] = useState<SourceKind>('access');
  const [format, setFormat] = useState<SourceFormat>('nginx_combined');
  const [senders, setSenders] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<SourceWithKey | null>(null);

  // The user's own locality when it is in the list, else the first one offered.
  const chosen = locality || (localities.has(session.user.locality) ? session.user.locality : groups[0]?.options[0]?.code ?? '');
  const problems = problemsByField(error);

  const pickKind = (k: SourceKind) => {
    setKind(k);
    if (!FORMATS_OF_KIND[k].includes(format)) setFormat(FORMATS_OF_KIND[k][0]);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const senderList = senders.split(/[\s,]+/).filter(Boolean);
    const syslog = format === 'syslog' && (senderList.length || token.trim())
      ? { senders: senderList, token: token.trim() || null } : undefined;
    try {
      setCreated(await api<SourceWithKey>('/sources', { body: { name: name.trim(), locality: chosen, kind, format, ...(syslog ? { syslog } : {}) } }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <section class="wizard" data-testid="source-created">
        <Link to="/sources" class="back">{t('onb.back')}</Link>
        <Steps step={2} />
        <h1>{t('onb.created.title', { name: created.name })}</h1>
        <p class="muted">{t('onb.created.where', { locality: localityLabel(localities, created.locality), kind: tOr(t, `onb.kind.${created.kind}`, created.kind), format: created.format })}</p>
        <div class="panel">
          <h2>{t('onb.key')}</h2>
          <KeyOnce apiKey={created.api_key} />
        </div>
        <div class="panel">
          <h2>{t('onb.configs')}</h2>
          <ConfigTabs configs={created.configs} note="onb.configsWithKey" />
        </div>
        <div class="wizard-next">
          <Link to={`/sources/${encodeURIComponent(created.id)}`} class="btn btn-primary">{t('onb.created.open')}</Link>
          <span class="muted small">{t('onb.created.next')}</span>
        </div>
      </section>
    );
  }

  return (
    <section class="wizard" data-testid="new-source">
      <Link to="/sources" class="back">{t('onb.back')}</Link>
      <Steps step={1} />
      <h1>{t('onb.new.title')}</h1>
      <form class="panel wizard-form" onSubmit={(e) => void submit(e)} noValidate>
        <label class="field">
          <span>{t('onb.field.name')}</span>
          <input name="name" required maxLength={200} value={name} placeholder={t('onb.field.namePlaceholder')}
            aria-invalid={problems.has('name')} onInput={(e) => setName(e.currentTarget.value)} />
          <FieldError messages={problems.get('name')} />
        </label>
        <label class="field">
          <span>{t('onb.field.locality')}</span>
          <select name="locality" value={chosen} aria-invalid={problems.has('locality')} onChange={(e) => setLocality(e.currentTarget.value)}>
            {groups.map((g) => g.label
              ? <optgroup key={g.label} label={g.label}>{g.options.map((l) => <option key={l.code} value={l.code}>{`${l.code} · ${l.name}`}</option>)}</optgroup>
              : g.options.map((l) => <option key={l.code} value={l.code}>{`${l.code} · ${l.name}`}</option>))}
          </select>
          <FieldError messages={problems.get('locality')} />
        </label>
        <fieldset class="field choices">
          <legend>{t('onb.field.kind')}</legend>
          {SOURCE_KINDS.map((k) => (
            <label key={k} class="choice">
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => pickKind(k)} />
              <span><strong>{tOr(t, `onb.kind.${k}`, k)}</strong> <span class="muted">{tOr(t, `onb.kindHelp.${k}`, '')}</span></span>
            </label>
          ))}
          <FieldError messages={problems.get('kind')} />
        </fieldset>
        <fieldset class="field choices">
          <legend>{t('onb.field.format')}</legend>
          {FORMATS_OF_KIND[kind].map((f) => (
            <label key={f} class="choice">
              <input type="radio" name="format" value={f} checked={format === f} onChange={() => setFormat(f)} />
              <span><strong class="mono">{f}</strong> <span class="muted">{tOr(t, `onb.formatHelp.${f}`, '')}</span></span>
            </label>
          ))}
          <FieldError messages={problems.get('format')} />
        </fieldset>
        {format === 'syslog' && (
          <fieldset class="field">
            <legend>{t('onb.field.syslog')}</legend>
            <p class="muted small">{t('onb.field.syslogHelp')}</p>
            <label class="field">
              <span>{t('onb.field.senders')}</span>
              <input name="senders" value={senders} placeholder="192.0.2.10, 10.0.0.0/24" onInput={(e) => setSenders(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span>{t('onb.field.token')}</span>
              <input name="token" value={token} placeholder="hai_chau_dvc_01" onInput={(e) => setToken(e.currentTarget.value)} />
            </label>
            <FieldError messages={[...problems.entries()].filter(([k]) => k.startsWith('syslog')).flatMap(([, v]) => v)} />
          </fieldset>
        )}
        {error !== null && (problems.size === 0 || problems.has('')) && <OnboardingError error={error} />}
        <div class="wizard-next">
          <button type="submit" class="btn btn-primary" disabled={busy || !chosen}>{busy ? t('onb.creating') : t('onb.create')}</button>
          <span class="muted small">{t('onb.createHint')}</span>
        </div>
      </form>
    </section>
  );
}

function Steps({ step }: { step: 1 | 2 }) {
  const { t } = useI18n();
  return (
    <ol class="steps" aria-label={t('onb.steps')}>
      <li class={step === 1 ? 'active' : 'done'} aria-current={step === 1 ? 'step' : undefined}>{t('onb.step1')}</li>
      <li class={step === 2 ? 'active' : ''} aria-current={step === 2 ? 'step' : undefined}>{t('onb.step2')}</li>
    </ol>
  );
}
