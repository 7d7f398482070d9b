import { ApiError } from '../api';
import { useI18n } from '../i18n';

/** An error as one line of text (the server's message is shown as text, never as HTML). */
export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const message = error instanceof ApiError ? `${error.message} (${error.code})` : String((error as Error)?.message ?? error);
  return (
    <div class="banner banner-error" role="alert">
      <span>{t('common.error', { message })}</span>
      {onRetry && <button type="button" class="btn btn-small" onClick={onRetry}>{t('common.retry')}</button>}
    </div>
  );
}
