/**
 * Data of the rule engine benchmark: a deterministic event stream of web.access events over many
 * localities (about 1% of them "hot", so that rules fire as they would in production) and a mix of
 * rules, as Rule objects and as the YAML files a deployment would hold.
 */
import { parseFilter } from '../src/query/parse';
import type { Rule, RuleCondition } from '../src/rules/rule';
import { andFilter } from '../src/rules/evaluate/group-filter';
import type { EcsDocument, TimeRange } from '../src/store/event-store';

export const PROVINCES = 34;
export const WINDOW_MS = 5 * 60_000;
export const EVERY_MS = 60_000;

/** Small deterministic PRNG (mulberry32), so runs are comparable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const localityCode = (i: number): string => `c${String(i + 1).padStart(5, '0')}`;
export const provinceOf = (i: number): string => String((i % PROVINCES) + 1).padStart(2, '0');

/** Paths of ordinary traffic; hot localities also get the attack paths of PATHS. */
const BENIGN_PATHS = [
  '/', '/', '/', '/index.php', '/tin-tuc/chi-tiet', '/thu-tuc-hanh-chinh', '/static/app.js', '/static/style.css',
  '/images/logo.png', '/api/v1/hoso', '/api/v1/tracuu', '/login', '/search', '/lien-he',
];
const PATHS = [
  '/', '/', '/', '/index.php', '/tin-tuc/chi-tiet', '/thu-tuc-hanh-chinh', '/static/app.js', '/static/style.css',
  '/images/logo.png', '/api/v1/hoso', '/api/v1/tracuu', '/api/v1/login', '/login', '/dang-nhap', '/admin',
  '/admin/settings', '/wp-login.php', '/wp-admin/admin-ajax.php', '/wp-content/plugins/x.php', '/xmlrpc.php',
  '/.env', '/phpmyadmin/index.php', '/search', '/lien-he',
];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'HEAD'];

/**
 * Events [first, first + count) of `total`, spread evenly over [start, end), locality at random. About 1% of localities are "hot" (many errors, a few noisy addresses) so
 * that some rules fire, as they would in production.
 */
export function generateEvents(first: number, count: number, total: number, localities: number, span: TimeRange, rand: () => number): EcsDocument[] {
  const events: EcsDocument[] = new Array(count);
  const start = span.from;
  for (let k = 0; k < count; k++) {
    const i = first + k;
    const ts = start + Math.floor((i / total) * (span.to - span.from));
    const loc = Math.floor(rand() * localities);
    const hot = loc % 97 === 0;
    const r = rand();
    const status = hot
      ? (r < 0.3 ? 500 + Math.floor(rand() * 4) : r < 0.5 ? 401 + 2 * Math.floor(rand() * 2) : r < 0.65 ? 404 : 200)
      : (r < 0.02 ? 500 + Math.floor(rand() * 4) : r < 0.05 ? 404 : r < 0.07 ? 401 + 2 * Math.floor(rand() * 2) : r < 0.1 ? 302 : 200);
    const ip = hot && rand() < 0.5
      ? `203.0.113.${loc % 5}`
      : `10.${loc % 250}.${Math.floor(rand() * 16)}.${Math.floor(rand() * 250)}`;
    const paths = hot ? PATHS : BENIGN_PATHS;
    const path = paths[Math.floor(rand() * paths.length)];
    const code = localityCode(loc);
    events[k] = {
      '@timestamp': new Date(ts).toISOString(),
      event: {
        id: `rb-${i}`, kind: 'event', category: ['web'], type: ['access'], dataset: 'web.access',
        outcome: status >= 400 ? 'failure' : 'success',
      },
      organization: { id: code },
      canh: { province: provinceOf(loc), source_id: `src-${code}` },
      source: { ip },
      http: { request: { method: METHODS[Math.floor(rand() * METHODS.length)] }, response: { status_code: status, body: { bytes: 200 + Math.floor(rand() * 50_000) } } },
      url: { original: path, path },
      user_agent: { original: 'Mozilla/5.0 (bench)' },
    };
  }
  return events;
}

// ---- rules ----

const THRESHOLD_FILTERS: readonly ((j: number) => string)[] = [
  (j) => `http.response.status_code:>=${500 + (j % 3)}`,
  () => 'url.path:/wp-*',
  () => 'url.path:(*login* *dang-nhap* /wp-login.php /xmlrpc.php) AND http.response.status_code:(401 403)',
  () => 'http.response.status_code:404',
  (j) => `http.request.method:POST AND url.path:/api/* AND http.response.status_code:>=${400 + (j % 2) * 100}`,
  () => 'url.path:(/.env /phpmyadmin/* /wp-content/*)',
  () => 'url.path:/admin* AND NOT http.response.status_code:200',
  (j) => `http.response.status_code:>=400 AND NOT url.path:/static/* AND http.response.body.bytes:<${1000 + 500 * (j % 10)}`,
];
const RATIO_CASES: readonly (readonly [string, string])[] = [
  ['http.response.status_code:*', 'http.response.status_code:>=500'],
  ['url.path:/api/*', 'http.response.status_code:>=400'],
  ['url.path:(*login* *dang-nhap*)', 'http.response.status_code:(401 403)'],
  ['NOT url.path:/static/*', 'http.response.status_code:404'],
];
const CARDINALITY_CASES: readonly (readonly [string, string])[] = [
  ['http.response.status_code:404', 'url.path'],
  ['http.response.status_code:>=400', 'source.ip'],
  ['url.path:/wp-*', 'url.path'],
  ['http.response.status_code:(401 403)', 'source.ip'],
];

function makeRule(j: number, filterText: string, condition: RuleCondition, groupBy: readonly string[]): Rule {
  return {
    id: `bench-${String(j).padStart(4, '0')}`, version: `v${j}`, title: `bench rule ${j}`, description: '',
    severity: 'medium', category: 'test', tags: [], dataset: 'web.access',
    filter: parseFilter(filterText), filterText, condition, groupBy,
    windowMs: WINDOW_MS, everyMs: EVERY_MS, delayMs: 0, suppressMs: 30 * 60_000, enabled: true,
    origin: { file: 'bench/rules.ts', line: 0 },
  };
}

/** R rules: 60% threshold, 20% ratio, 20% cardinality; a quarter grouped by organization.id + source.ip. */
export function makeRules(count: number, scale = 1): Rule[] {
  const n = (base: number) => Math.max(1, Math.round(base * scale));
  return Array.from({ length: count }, (_, j) => {
    const byIp = j % 4 === 3;
    const groupBy = byIp ? ['organization.id', 'source.ip'] : ['organization.id'];
    const kind = j % 5;
    if (kind < 3) {
      const text = THRESHOLD_FILTERS[j % THRESHOLD_FILTERS.length](j);
      return makeRule(j, text, { type: 'threshold', count: n((byIp ? 4 : 10) + (j % 17)) }, groupBy);
    }
    if (kind === 3) {
      const [text, matchText] = RATIO_CASES[j % RATIO_CASES.length];
      return makeRule(j, text, {
        type: 'ratio', match: parseFilter(matchText), matchText, ratio: 0.4 + (j % 5) * 0.05, minTotal: n(10 + (j % 20)),
      }, ['organization.id']);
    }
    const [text, field] = CARDINALITY_CASES[j % CARDINALITY_CASES.length];
    return makeRule(j, text, { type: 'cardinality', field, count: n(8 + (j % 12)) }, ['organization.id']);
  });
}

/** The rule restricted to one locality (its filter AND organization.id:<code>). */
export function forLocality(rule: Rule, code: string): Rule {
  return {
    ...rule,
    filter: andFilter([rule.filter, { type: 'term', field: 'organization.id', value: code }]),
    filterText: `(${rule.filterText}) AND organization.id:"${code}"`,
  };
}


/** A YAML value in double quotes (the filter texts hold quotes, colons and asterisks). */
function q(text: string): string {
  return JSON.stringify(text);
}

/** The rules as one YAML file in the rules-file format (docs/rules.md). */
export function rulesYaml(rules: readonly Rule[]): string {
  const out: string[] = ['# Generated by bench/rules.ts', ''];
  for (const r of rules) {
    const c = r.condition;
    out.push(`- id: ${r.id}`, `  title: ${q(r.title)}`, `  severity: ${r.severity}`, `  category: ${r.category}`,
      `  dataset: ${r.dataset}`, `  filter: ${q(r.filterText)}`, `  type: ${c.type}`);
    if (c.type === 'threshold') out.push(`  condition: { count: ${c.count} }`);
    else if (c.type === 'ratio') out.push(`  condition: { match: ${q(c.matchText)}, ratio: ${c.ratio}, min_total: ${c.minTotal} }`);
    else if (c.type === 'cardinality') out.push(`  condition: { field: ${c.field}, count: ${c.count} }`);
    else throw new Error(`rulesYaml: no YAML for type ${c.type}`);
    out.push(`  group_by: [${r.groupBy.join(', ')}]`, `  window: ${r.windowMs / 1000}s`, `  every: ${r.everyMs / 1000}s`,
      `  delay: ${r.delayMs / 1000}s`, `  suppress: ${r.suppressMs / 1000}s`, '');
  }
  return out.join('\n');
}
