import type { Source } from '../directory/types';
import { validateSyslogSettings } from '../directory/validate';
import { errors } from '../errors';
import type { DirectoryStore } from '../store/directory-store';
import type { Scope } from '../store/scope';

/**
 * Sets and clears the syslog matching settings of sources (docs/syslog.md). Routes call it; it
 * validates, checks the source is in scope and of format `syslog`, and writes through the store
 * (which refuses a token another source has with `conflict`).
 */
export class SyslogSettingsService {
  constructor(private readonly store: Pick<DirectoryStore, 'getSource' | 'setSourceSyslog' | 'listSyslogSources'>) {}

  /** Settings `{ senders, token }` for a source in scope, or null to clear them. `not_found`, `invalid`, `conflict`. */
  async set(id: string, input: unknown, scope: Scope): Promise<Source> {
    const settings = input === null ? null : validateSyslogSettings(input);
    const source = await this.store.getSource(id, scope);
    if (!source) throw errors.notFound('Source', id);
    if (settings && source.format !== 'syslog') {
      throw errors.invalidRequest(`Source ${id} has format ${source.format}; only sources of format syslog take syslog settings`, { field: 'syslog' });
    }
    const updated = await this.store.setSourceSyslog(id, settings, scope);
    if (!updated) throw errors.notFound('Source', id);
    return updated;
  }

  /** Refuses (`conflict`) a token another source already has, before a source is created with it. */
  async checkTokenFree(input: unknown): Promise<void> {
    const token = validateSyslogSettings(input).token;
    if (token === null) return;
    if ((await this.store.listSyslogSources()).some((s) => s.syslog?.token === token)) {
      throw errors.conflict('Another source already uses this syslog token', { field: 'syslog.token' });
    }
  }
}
