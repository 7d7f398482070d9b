/**
 * Sigma webserver field names (W3C extended / IIS names, as SigmaHQ's `category: webserver` rules
 * use them) → the ECS fields Canh stores for `web.access`.
 *
 * `cs-uri-query` maps to `url.original` (path + query), not `url.query`: SigmaHQ webserver rules use
 * it for the whole request URI (values such as `/wp-admin/...?x=` and `|startswith: '/'`), and a
 * query-string pattern found in the query is also found in url.original. See docs/sigma.md.
 */
export const SIGMA_FIELD_MAP: Readonly<Record<string, string>> = {
  'cs-uri-query': 'url.original',
  'cs-uri-stem': 'url.path',
  'cs-uri': 'url.original',
  'sc-status': 'http.response.status_code',
  'cs-method': 'http.request.method',
  'cs-user-agent': 'user_agent.original',
  'c-useragent': 'user_agent.original',
  'cs-referer': 'http.request.referrer',
  'cs-referrer': 'http.request.referrer',
  'c-ip': 'source.ip',
  'cs-host': 'url.domain',
  'cs-username': 'user.name',
  'sc-bytes': 'http.response.body.bytes',
};

/** The ECS field of a Sigma field name (names compare case-insensitively), or undefined. */
export function mapSigmaField(name: string): string | undefined {
  return SIGMA_FIELD_MAP[name.toLowerCase()];
}
