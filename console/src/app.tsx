/**
 * The console: the session, the language, the app shell and the route table. Later pages (event
 * search, rules, onboarding, statistics) slot in as entries of ROUTES with the roles that see them.
 */
import type { ComponentType } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { api, setCsrfToken, setUnauthorizedHandler } from './api';
import { Link } from './components/link';
import { AppContext } from './context';
import { I18nContext, storedLang, storeLang, translator, tOr, type I18n, type Lang, type MessageKey } from './i18n';
import { IncidentPageRoute } from './pages/incident-page';
import { IncidentQueue } from './pages/incident-queue';
import { LangSwitch, LoginPage } from './pages/login';
import { NotFound } from './pages/not-found';
import { ContactsPage } from './pages/onboarding-contacts';
import { NewSourcePage } from './pages/onboarding-new-source';
import { SourcePage } from './pages/onboarding-source';
import { SourcesPage } from './pages/onboarding-sources';
import { RuleDetailRoute } from './pages/rules-detail';
import { RulesList } from './pages/rules-list';
import { SearchPage } from './pages/search-page';
import { StatsPage } from './pages/stats-page';
import { match, navigate, useLocation } from './router';
import type { Locality, Role, Session } from './types';

export interface RouteProps {
  readonly params: Record<string, string>;
}

interface RouteDef {
  readonly pattern: string;
  readonly page: ComponentType<RouteProps>;
  /** Roles that may open it (all when absent). */
  readonly roles?: readonly Role[];
  /** Shown in the top navigation under this label. */
  readonly nav?: MessageKey;
}

const ROUTES: readonly RouteDef[] = [
  { pattern: '/incidents', page: IncidentQueue, nav: 'nav.incidents' },
  { pattern: '/incidents/:id', page: IncidentPageRoute },
  { pattern: '/search', page: SearchPage, roles: ['analyst', 'locality_admin', 'central_reviewer', 'admin'], nav: 'nav.search' },
  { pattern: '/rules', page: RulesList, roles: ['analyst', 'locality_admin', 'central_reviewer', 'admin'], nav: 'nav.rules' },
  { pattern: '/rules/:id', page: RuleDetailRoute, roles: ['analyst', 'locality_admin', 'central_reviewer', 'admin'] },
  { pattern: '/sources', page: SourcesPage, roles: ['analyst', 'locality_admin', 'central_reviewer', 'admin'], nav: 'nav.sources' },
  { pattern: '/sources/new', page: NewSourcePage, roles: ['locality_admin', 'admin'] },
  { pattern: '/sources/:id', page: SourcePage, roles: ['analyst', 'locality_admin', 'central_reviewer', 'admin'] },
  { pattern: '/localities/:code/contacts', page: ContactsPage, roles: ['locality_admin', 'admin'] },
  { pattern: '/stats', page: StatsPage, roles: ['analyst', 'locality_admin', 'central_reviewer', 'admin'], nav: 'nav.stats' },
];

export function App() {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const i18n = useMemo<I18n>(() => ({
    lang, t: translator(lang), setLang: (l: Lang) => { storeLang(l); setLangState(l); },
  }), [lang]);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const loc = useLocation();

  useEffect(() => {
    // An expired or revoked session: back to the sign-in page, then to where the user was.
    setUnauthorizedHandler(() => { setCsrfToken(null); setSession(null); });
    api<Session>('/session')
      .then((s) => { setCsrfToken(s.csrf_token); setSession(s); })
      .catch(() => setSession(null));
  }, []);

  const signedIn = useCallback((s: Session) => {
    setCsrfToken(s.csrf_token);
    setSession(s);
    const next = new URLSearchParams(location.search).get('next');
    navigate(next && /^\/(?![/\\])/.test(next) ? next : s.user.role === 'central_reviewer' ? '/stats' : '/incidents', true);
  }, []);

  const signOut = useCallback(async () => {
    await api('/session', { method: 'DELETE' }).catch(() => undefined);
    setCsrfToken(null);
    setSession(null);
    navigate('/login', true);
  }, []);

  // Signed out: every page goes to /login (remembering where to come back); signed in: / and /login go to the queue.
  useEffect(() => {
    if (session === null && loc.path !== '/login') {
      const here = loc.path + location.search;
      navigate(here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`, true);
    } else if (session && (loc.path === '/' || loc.path === '/login')) navigate(session.user.role === 'central_reviewer' ? '/stats' : '/incidents', true);
  }, [session, loc.path]);

  let body;
  if (session === undefined) body = <div class="loading-page">{i18n.t('common.loading')}</div>;
  else if (session === null) body = <LoginPage onSignedIn={signedIn} />;
  else body = <Shell session={session} path={loc.path} onSignOut={signOut} />;
  return <I18nContext.Provider value={i18n}>{body}</I18nContext.Provider>;
}

function Shell({ session, path, onSignOut }: { session: Session; path: string; onSignOut: () => void }) {
  const { t, lang, setLang } = useContext(I18nContext);
  const [localities, setLocalities] = useState<ReadonlyMap<string, Locality>>(new Map());
  useEffect(() => {
    api<{ localities: Locality[] }>('/localities')
      .then((r) => setLocalities(new Map(r.localities.map((l) => [l.code, l]))))
      // Names are a nicety: without them the codes are shown (a 401 is handled by the api module).
      .catch(() => undefined);
  }, [session.user.id]);
  const user = session.user;
  const home = localities.get(user.locality);
  const routes = ROUTES.filter((r) => !r.roles || r.roles.includes(user.role));
  let page = <NotFound />;
  for (const r of routes) {
    const params = match(r.pattern, path);
    if (params) {
      const Page = r.page;
      page = <Page params={params} />;
      break;
    }
  }
  return (
    <AppContext.Provider value={{ session, localities }}>
      <header class="topbar">
        <Link to="/incidents" class="brand"><span class="brand-mark" aria-hidden="true" />{t('app.name')}</Link>
        <nav class="nav" aria-label="main">
          {routes.filter((r) => r.nav).map((r) => (
            <Link key={r.pattern} to={r.pattern} class={path === r.pattern || path.startsWith(`${r.pattern}/`) ? 'nav-link active' : 'nav-link'}>
              {t(r.nav as MessageKey)}
            </Link>
          ))}
        </nav>
        <div class="topbar-right">
          <div class="whoami" data-testid="whoami">
            <span class="whoami-name">{user.display_name}</span>
            <span class="whoami-meta">
              {tOr(t, `role.${user.role}`, user.role)} · {home ? `${home.name} (${home.code})` : user.locality}
            </span>
          </div>
          <LangSwitch lang={lang} setLang={setLang} label={t('nav.language')} />
          <button type="button" class="btn btn-small" onClick={onSignOut}>{t('nav.signOut')}</button>
        </div>
      </header>
      <main class="content">{page}</main>
      <footer class="footer muted">{t('common.timeZone')}</footer>
    </AppContext.Provider>
  );
}
