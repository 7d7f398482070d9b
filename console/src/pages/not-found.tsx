import { Link } from '../components/link';
import { useI18n } from '../i18n';

/** Unknown pages, and incidents the API answers 404 for (absent or outside the user's scope). */
export function NotFound({ kind = 'page' }: { kind?: 'page' | 'incident' }) {
  const { t } = useI18n();
  return (
    <section class="not-found" data-testid="not-found">
      <h1>{kind === 'incident' ? t('incident.notFound') : t('notFound.title')}</h1>
      <p>{kind === 'incident' ? t('incident.notFoundText') : t('notFound.text')}</p>
      <Link to="/incidents" class="btn">{t('notFound.home')}</Link>
    </section>
  );
}
