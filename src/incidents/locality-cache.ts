import type { DirectoryService } from '../directory/directory-service';
import { ALL_SCOPE } from '../store/scope';
import type { LocalityInfo } from './incident-service';

/** Code of the central locality when the directory has none yet (hits without a locality go there). */
export const DEFAULT_CENTRAL_CODE = '00';

/**
 * The localities the incident service needs synchronously (a hit's province, the central code),
 * read from the directory: at start (refresh) and again whenever a hit names a locality not seen
 * yet (ensure), so a locality added a moment ago is known.
 */
export class LocalityCache {
  private readonly byCode = new Map<string, LocalityInfo>();
  private central = DEFAULT_CENTRAL_CODE;

  constructor(private readonly directory: Pick<DirectoryService, 'listLocalities'>) {}

  /** The locality, if known. */
  lookup(code: string): LocalityInfo | undefined {
    return this.byCode.get(code);
  }

  /** The central locality's code ('00' while the directory has none). */
  get centralCode(): string {
    return this.central;
  }

  /** Reads every locality again. */
  async refresh(): Promise<void> {
    for (const l of await this.directory.listLocalities(ALL_SCOPE)) {
      this.byCode.set(l.code, { code: l.code, province: l.provinceCode });
      if (l.level === 'central') this.central = l.code;
    }
  }

  /** Makes sure `code` is known, reading the directory again when it is not (null: nothing to do). */
  async ensure(code: string | null): Promise<void> {
    if (code !== null && !this.byCode.has(code)) await this.refresh();
  }
}
