import { errors } from '../errors';
import { CONFIG_SCHEMA, type Config, type ConfigField } from './schema';

/**
 * Reads and validates every variable of CONFIG_SCHEMA from `env`. Throws one AppError
 * (CANH_CONFIG_INVALID) listing every problem at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(CONFIG_SCHEMA) as [string, ConfigField<unknown>][]) {
    const raw = env[field.env];
    const value = raw === undefined || raw === '' ? field.default : raw;
    if (value === undefined) continue;
    try {
      out[key] = field.parse(value);
    } catch (err) {
      problems.push(`${field.env}: ${(err as Error).message}`);
    }
  }
  if (out.store === 'elasticsearch' && !out.elasticsearchUrl) problems.push('ELASTICSEARCH_URL: required when CANH_STORE=elasticsearch');
  // Several processes share the cluster: each generating its own secret would split them.
  if (out.store === 'elasticsearch' && !out.adminToken) problems.push('CANH_ADMIN_TOKEN: required when CANH_STORE=elasticsearch (every process must share it)');
  if (out.store === 'elasticsearch' && !out.piiSalt) problems.push('CANH_PII_SALT: required when CANH_STORE=elasticsearch (every process must hash with the same salt)');
  if (problems.length) throw errors.invalidConfig(problems);
  return out as Config;
}
