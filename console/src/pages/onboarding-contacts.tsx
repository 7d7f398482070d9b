/**
 * /localities/:code/contacts: who the locality's incidents are sent to. Emails (with the language of
 * their messages) and webhooks (with an optional signing secret, never shown back: "secret set").
 * The list is saved as a whole (PUT); the API's problems (`contacts[2].email: ...`) are shown next
 * to their field.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { RouteProps } from '../app';
import { Link } from '../components/link';
import { canManageSources, FieldError, localityLabel, OnboardingError, problemsByField } from '../components/onboarding-shared';
import { useApp } from '../context';
import { useI18n } from '../i18n';
import type { ContactOut } from '../types';

type Row =
  | { readonly key: number; readonly kind: 'email'; readonly email: string; readonly language: 'vi' | 'en' }
  | { readonly key: number; readonly kind: 'webhook'; readonly webhook: string; readonly secret: string; readonly secretSet: boolean };

let nextKey = 1;
const toRow = (c: ContactOut): Row => ('email' in c
  ? { key: nextKey++, kind: 'email', email: c.email, language: c.language }
  : { key: nextKey++, kind: 'webhook', webhook: c.webhook, secret: '', secretSet: c.secret_set });
const toBody = (r: Row) => (r.kind === 'email'
  ? { email: r.email.trim(), language: r.language }
  : { webhook: r.webhook.trim(), ...(r.secret ? { secret: r.secret } : {}) });

export function ContactsPage({ params }: RouteProps) {
  const { t } = useI18n();
  const { session, localities } = useApp();
  const code = params.code ?? '';
  const path = `/localities/${encodeURIComponent(code)}/contacts`;
  const manager = canManageSources(session.user.role);
  const [rows, setRows] = useState<readonly Row[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = () => api<{ contacts: ContactOut[] }>(path)
    .then((r) => { setRows(r.contacts.map(toRow)); setLoadError(null); })
    .catch(setLoadError);
  useEffect(() => { setRows(null); void load(); }, [code]);

  const problems = problemsByField(saveError);
  const fieldProblems = (i: number, field: string) => problems.get(`contacts[${i}].${field}`);
  const rowProblems = (i: number) => problems.get(`contacts[${i}]`);

  const update = (key: number, change: Partial<Row>) => {
    setSaved(false);
    setRows((current) => (current ?? []).map((r) => (r.key === key ? ({ ...r, ...change } as Row) : r)));
  };
  const remove = (key: number) => { setSaved(false); setRows((current) => (current ?? []).filter((r) => r.key !== key)); };
  const add = (kind: 'email' | 'webhook') => {
    setSaved(false);
    setRows((current) => [...(current ?? []), kind === 'email'
      ? { key: nextKey++, kind, email: '', language: 'vi' }
      : { key: nextKey++, kind, webhook: '', secret: '', secretSet: false }]);
  };
  const save = async (event: Event) => {
    event.preventDefault();
    if (!rows) return;
    setBusy(true);
    setSaveError(null);
    setSaved(false);
    try {
      const answer = await api<{ contacts: ContactOut[] }>(path, { method: 'PUT', body: { contacts: rows.map(toBody) } });
      setRows(answer.contacts.map(toRow));
      setSaved(true);
    } catch (err) {
      setSaveError(err);
    } finally {
      setBusy(false);
    }
  };

  if (loadError instanceof ApiError && loadError.status === 404) {
    return (
      <section class="not-found" data-testid="not-found">
        <h1>{t('onb.contacts.notFound')}</h1>
        <Link to="/sources" class="btn">{t('onb.back')}</Link>
      </section>
    );
  }
  if (loadError !== null) return <OnboardingError error={loadError} onRetry={() => void load()} />;
  if (!rows) return <p class="muted">{t('common.loading')}</p>;
  const general = [...problems.entries()].filter(([k]) => !/^contacts\[\d+\]/.test(k));

  return (
    <section class="contacts" data-testid="contacts-page">
      <Link to="/sources" class="back">{t('onb.back')}</Link>
      <div class="page-head">
        <h1>{t('onb.contacts.title', { locality: localityLabel(localities, code) })}</h1>
      </div>
      <p class="muted">{t('onb.contacts.help')}</p>
      <form class="panel contacts-form" onSubmit={(e) => void save(e)} noValidate>
        {rows.length === 0 && <p class="muted">{t('onb.contacts.none')}</p>}
        <ol class="contact-list">
          {rows.map((r, i) => (
            <li key={r.key} class="contact" data-testid="contact" data-kind={r.kind}>
              {r.kind === 'email' ? (
                <>
                  <label class="field">
                    <span>{t('onb.contacts.email')}</span>
                    <input type="email" name={`email-${i}`} value={r.email} disabled={!manager} aria-invalid={!!fieldProblems(i, 'email')}
                      onInput={(e) => update(r.key, { email: e.currentTarget.value })} />
                    <FieldError messages={fieldProblems(i, 'email')} />
                  </label>
                  <label class="field">
                    <span>{t('onb.contacts.language')}</span>
                    <select name={`language-${i}`} value={r.language} disabled={!manager}
                      onChange={(e) => update(r.key, { language: e.currentTarget.value === 'en' ? 'en' : 'vi' })}>
                      <option value="vi">Tiếng Việt (vi)</option>
                      <option value="en">English (en)</option>
                    </select>
                    <FieldError messages={fieldProblems(i, 'language')} />
                  </label>
                </>
              ) : (
                <>
                  <label class="field grow">
                    <span>{t('onb.contacts.webhook')}</span>
                    <input type="url" name={`webhook-${i}`} value={r.webhook} disabled={!manager} placeholder="https://hooks.example.vn/canh"
                      aria-invalid={!!fieldProblems(i, 'webhook')} onInput={(e) => update(r.key, { webhook: e.currentTarget.value })} />
                    <FieldError messages={fieldProblems(i, 'webhook')} />
                  </label>
                  <label class="field">
                    <span>{t('onb.contacts.secret')} {r.secretSet && <span class="badge secret-set" data-testid="secret-set">{t('onb.contacts.secretSet')}</span>}</span>
                    <input type="password" name={`secret-${i}`} value={r.secret} disabled={!manager} autoComplete="new-password"
                      placeholder={t('onb.contacts.secretPlaceholder')} aria-invalid={!!fieldProblems(i, 'secret')}
                      onInput={(e) => update(r.key, { secret: e.currentTarget.value })} />
                    {r.secretSet && !r.secret && <span class="muted small">{t('onb.contacts.secretKeep')}</span>}
                    <FieldError messages={fieldProblems(i, 'secret')} />
                  </label>
                </>
              )}
              {manager && <button type="button" class="btn btn-small" onClick={() => remove(r.key)}>{t('onb.contacts.remove')}</button>}
              <FieldError messages={rowProblems(i)} />
            </li>
          ))}
        </ol>
        {general.length > 0 && <p class="field-error" role="alert">{general.flatMap(([k, v]) => v.map((m) => (k ? `${k}: ${m}` : m))).join('; ')}</p>}
        {saveError !== null && problems.size === 0 && <OnboardingError error={saveError} />}
        {saved && <p class="banner banner-ok" role="status" data-testid="contacts-saved">{t('onb.contacts.saved')}</p>}
        {manager ? (
          <div class="action-row">
            <button type="button" class="btn" onClick={() => add('email')}>{t('onb.contacts.addEmail')}</button>
            <button type="button" class="btn" onClick={() => add('webhook')}>{t('onb.contacts.addWebhook')}</button>
            <button type="submit" class="btn btn-primary" data-testid="contacts-save" disabled={busy}>{busy ? t('onb.saving') : t('onb.contacts.save')}</button>
          </div>
        ) : <p class="muted">{t('onb.readOnly')}</p>}
      </form>
    </section>
  );
}
