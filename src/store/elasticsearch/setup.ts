import type { Client, estypes } from '@elastic/elasticsearch';
import { esCall } from './errors';
import { allIndexTemplates, retentionPolicy, type TemplateOptions } from './mappings';

/**
 * Start-up installation of the Elasticsearch layout (docs/adr/0007): the ILM retention policy, then
 * every index template (each dataset's, the catch-all, dead letters, state indices). PUT replaces,
 * so running it at every start is idempotent and applies a changed retention or mapping to the
 * indices created from then on.
 *
 * Glossary: the *index prefix* is prepended to every index, template and policy name (default none:
 * the names of ADR 0007). Tests and side-by-side installations use it to stay apart.
 */

/** Datasets the parsers write (src/ingest/parse-batch.ts); others fall to the catch-all template. */
export const KNOWN_DATASETS: readonly string[] = ['web.access', 'otp.auth', 'uptime.probe'];

export interface SetupOptions extends TemplateOptions {
  /** Prepended to every index, template and policy name. @defaultValue '' */
  readonly indexPrefix?: string;
  /** Datasets given their own template. @defaultValue KNOWN_DATASETS */
  readonly datasets?: readonly string[];
}

/** `index_patterns` as a list. */
function patterns(value: estypes.Indices | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A template of mappings.ts with the prefix on its name, patterns and ILM policy. */
export function prefixTemplate(template: estypes.IndicesPutIndexTemplateRequest, prefix: string): estypes.IndicesPutIndexTemplateRequest {
  if (prefix === '') return template;
  const settings = template.template?.settings;
  const lifecycle = settings?.lifecycle;
  const prefixedSettings = lifecycle?.name === undefined ? settings : { ...settings, lifecycle: { ...lifecycle, name: `${prefix}${lifecycle.name}` } };
  return {
    ...template,
    name: `${prefix}${template.name}`,
    index_patterns: patterns(template.index_patterns).map((p) => `${prefix}${p}`),
    ...(template.template ? { template: { ...template.template, settings: prefixedSettings } } : {}),
  };
}

/** The ILM policy and templates installTemplates puts, in order. */
export function setupRequests(retentionDays: number, options: SetupOptions = {}): {
  policy: estypes.IlmPutLifecycleRequest;
  templates: estypes.IndicesPutIndexTemplateRequest[];
} {
  const prefix = options.indexPrefix ?? '';
  const policy = retentionPolicy(retentionDays);
  return {
    policy: { ...policy, name: `${prefix}${policy.name}` },
    templates: allIndexTemplates(options.datasets ?? KNOWN_DATASETS, options).map((t) => prefixTemplate(t, prefix)),
  };
}

/**
 * Installs (or updates) the retention policy and every index template. Idempotent. Throws kind
 * `invalid` for a bad retention or dataset, kind `unavailable` when Elasticsearch cannot be reached.
 */
export async function installTemplates(client: Client, retentionDays: number, options: SetupOptions = {}): Promise<void> {
  const { policy, templates } = setupRequests(retentionDays, options);
  // The policy first: templates name it, and indices created from them look it up.
  await esCall(`installing ILM policy ${policy.name}`, () => client.ilm.putLifecycle(policy));
  for (const template of templates) {
    await esCall(`installing index template ${template.name}`, () => client.indices.putIndexTemplate(template));
  }
}

/**
 * Deletes every index, template and the policy of a prefix (tests and side-by-side installations).
 * Refuses the empty prefix: that would be the production data. Names are listed first because
 * Elasticsearch 8 refuses wildcard deletes (action.destructive_requires_name).
 */
export async function uninstallPrefix(client: Client, prefix: string): Promise<void> {
  if (prefix === '') throw new Error('uninstallPrefix needs a non-empty prefix');
  const pattern = `${prefix}canh-*`;
  const indices = await esCall(`listing indices ${pattern}`, () =>
    client.indices.get({ index: pattern, ignore_unavailable: true, allow_no_indices: true, expand_wildcards: 'all' }));
  const names = Object.keys(indices);
  for (let i = 0; i < names.length; i += 50) {
    const chunk = names.slice(i, i + 50);
    await esCall(`deleting indices of ${prefix}`, () => client.indices.delete({ index: chunk, ignore_unavailable: true }));
  }
  const templates = await esCall(`listing templates ${pattern}`, () => client.indices.getIndexTemplate({ name: pattern }, { ignore: [404] }));
  for (const { name } of templates.index_templates ?? []) {
    await esCall(`deleting template ${name}`, () => client.indices.deleteIndexTemplate({ name }, { ignore: [404] }));
  }
  const policy = setupRequests(1, { indexPrefix: prefix }).policy.name;
  await esCall(`deleting ILM policy ${policy}`, () => client.ilm.deleteLifecycle({ name: policy }, { ignore: [404] }));
}
