/**
 * The query bar: the filter language (docs/query-language.md); Enter runs the search. A query the
 * API refuses (400 CANH_QUERY_INVALID) shows its message under the bar and the query again with a
 * caret under the character at `details.position`, all as text; the user's query stays in the box.
 */
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n';

export interface QueryError {
  readonly message: string;
  /** 0-based character offset of the error in `query`, when the API gave one. */
  readonly position: number | null;
  /** The query the API refused. */
  readonly query: string;
}

export function SearchQueryBar(props: { value: string; onInput: (v: string) => void; onSubmit: () => void; error: QueryError | null; busy: boolean }) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // Back on the box at the error, so the user can fix it where it is.
    const pos = props.error?.position;
    if (pos !== null && pos !== undefined && input.current && props.value === props.error?.query) {
      input.current.focus();
      input.current.setSelectionRange(pos, pos);
    }
  }, [props.error]);
  const { error } = props;
  return (
    <div class="search-bar">
      <div class="search-bar-row">
        <input ref={input} type="search" name="q" class={error ? 'search-input mono invalid' : 'search-input mono'} value={props.value}
          placeholder={t('search.placeholder')} aria-label={t('search.query')} aria-invalid={error ? 'true' : 'false'}
          aria-describedby={error ? 'search-query-error' : undefined} autoComplete="off" spellcheck={false}
          onInput={(e) => props.onInput(e.currentTarget.value)}
          onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); props.onSubmit(); } }} />
        <button type="button" class="btn btn-primary" onClick={props.onSubmit} disabled={props.busy}>{t('search.run')}</button>
      </div>
      {error && (
        <div id="search-query-error" class="search-query-error" role="alert" data-testid="query-error">
          <div data-testid="query-error-message">
            {error.position !== null ? t('search.queryErrorAt', { position: error.position + 1 }) : t('search.queryError')} {error.message}
          </div>
          {error.position !== null && (
            // The query, then a caret under the character at the position: two lines of text.
            <pre class="search-caret" data-testid="query-error-caret">{`${error.query}\n${' '.repeat(Math.max(0, Math.min(error.position, error.query.length)))}^`}</pre>
          )}
        </div>
      )}
    </div>
  );
}
