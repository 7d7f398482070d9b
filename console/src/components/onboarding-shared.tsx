/** Small pieces shared by the onboarding pages (sources, keys, contacts). */
import { ApiError } from '../api';
import { tOr, useI18n } from '../i18n';
import type { Locality, Role, Source, SourceStatus } from '../types';
import { ErrorBanner } from './error-banner';

/** Roles the API lets change sources and contacts (analysts get 403, central reviewers read only). */
export const canManageSources = (role: Role): boolean => role === 'locality_admin' || role === 'admin';

export function SourceStatusBadge({ status }: { status: SourceStatus }) {
  const { t } = useI18n();
  return <span class={`badge src-status src-${status}`} data-testid="source-status">{tOr(t, `onb.status.${status}`, status)}</span>;
}

/** Revoked / disabled marks of a source (nothing when it works normally). */
export function KeyState({ source }: { source: Source }) {
  const { t } = useI18n();
  return (
    <>
      {source.revoked && <span class="badge src-revoked">{t('onb.revoked')}</span>}
      {!source.enabled && <span class="badge src-disabled">{t('onb.disabled')}</span>}
    </>
  );
}

/** "Ba Đình (00004)", or the code alone when the name is not known. */
export function localityLabel(localities: ReadonlyMap<string, Locality>, code: string): string {
  const l = localities.get(code);
  return l ? `${l.name} (${code})` : code;
}

/** A parse rate (0..1) as a percentage with one decimal, '—' before anything was received. */
export function percent(rate: number | null, lang: 'vi' | 'en'): string {
  if (rate === null) return '—';
  return `${(rate * 100).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 })} %`;
}

/**
 * The API's problems (`details.problems`: `contacts[0].email: message`, `name: message`) by field
 * path; problems without a recognisable path are under ''.
 */
export function problemsByField(error: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!(error instanceof ApiError) || error.status !== 400) return out;
  const problems = Array.isArray(error.details?.problems) ? (error.details?.problems as unknown[]) : [];
  for (const p of problems) {
    const text = String(p);
    const m = /^([A-Za-z_][\w.[\]]*): (.*)$/s.exec(text);
    const key = m ? m[1] : '';
    out.set(key, [...(out.get(key) ?? []), m ? m[2] : text]);
  }
  return out;
}

/** An API error; a 403 says plainly that the user's role may not make this change. */
export function OnboardingError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  if (error instanceof ApiError && error.status === 403) {
    return (
      <div class="banner banner-error" role="alert" data-testid="forbidden">
        <span>{t('onb.forbidden', { message: error.message })}</span>
      </div>
    );
  }
  return <ErrorBanner error={error} onRetry={onRetry} />;
}

/** The message of a field's problems, shown under the field. */
export function FieldError({ messages, id }: { messages: readonly string[] | undefined; id?: string }) {
  if (!messages?.length) return null;
  return <span class="field-error" id={id} role="alert">{messages.join('; ')}</span>;
}
