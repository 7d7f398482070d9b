import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { useI18n, type Lang } from '../i18n';
import { formatTime } from '../time';
import type { Session, User } from '../types';

interface SessionAnswer {
  readonly user: User;
  readonly csrf_token: string;
  readonly expires_at: string;
}

/** Username and password → POST /api/v1/session; 401 and 429 answered in words. */
export function LoginPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const { t, lang, setLang } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api<SessionAnswer>('/session', { body: { username: username.trim(), password } });
      onSignedIn({ user: answer.user, csrf_token: answer.csrf_token });
    } catch (err) {
      setError(loginError(err, t, lang));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div class="brand brand-large"><span class="brand-mark" aria-hidden="true" />{t('app.name')}</div>
        <p class="muted">{t('app.tagline')}</p>
        <h1 id="login-title">{t('login.title')}</h1>
        {error && <div class="banner banner-error" role="alert" data-testid="login-error">{error}</div>}
        <label>
          {t('login.username')}
          <input name="username" autocomplete="username" required autofocus value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy}>{busy ? t('login.busy') : t('login.submit')}</button>
        <div class="login-lang">
          <LangSwitch lang={lang} setLang={setLang} label={t('nav.language')} />
        </div>
      </form>
    </main>
  );
}

function loginError(err: unknown, t: ReturnType<typeof useI18n>['t'], lang: Lang): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return t('login.failed');
    if (err.status === 429 && err.code === 'CANH_AUTH_LOCKED') {
      if (err.retryAfter === null) return t('login.lockedNoTime');
      return t('login.locked', { minutes: Math.ceil(err.retryAfter / 60), at: formatTime(Date.now() + err.retryAfter * 1000, lang) });
    }
    if (err.status === 429) return t('login.rateLimited', { seconds: err.retryAfter ?? 60 });
    return t('common.error', { message: err.message });
  }
  return t('common.error', { message: String((err as Error)?.message ?? err) });
}

export function LangSwitch({ lang, setLang, label }: { lang: Lang; setLang: (l: Lang) => void; label: string }) {
  return (
    <div class="lang-switch" role="group" aria-label={label}>
      {(['vi', 'en'] as const).map((l) => (
        <button key={l} type="button" class={`btn btn-small${l === lang ? ' active' : ''}`} aria-pressed={l === lang} onClick={() => setLang(l)}>
          {l === 'vi' ? 'Tiếng Việt' : 'English'}
        </button>
      ))}
    </div>
  );
}
