import { EventEmitter } from 'node:events';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { loadRuleFiles, type RuleError } from '../load-rules';
import type { Rule } from '../rule';

/**
 * The rules currently loaded from the rule paths, reloaded when a file changes (added, edited,
 * removed) without a restart. A bad file never stops the other rules: its errors are kept beside.
 * Emits `change` after every (re)load.
 */
export class RuleRegistry extends EventEmitter {
  private rules = new Map<string, Rule>();
  private problems: readonly RuleError[] = [];
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  private loading: Promise<void> = Promise.resolve();

  constructor(private readonly paths: readonly string[]) {
    super();
  }

  get(id: string): Rule | undefined {
    return this.rules.get(id);
  }

  all(): readonly Rule[] {
    return [...this.rules.values()];
  }

  errors(): readonly RuleError[] {
    return this.problems;
  }

  /** Loads every rule file now (one load at a time). */
  load(): Promise<void> {
    this.loading = this.loading.then(async () => {
      const loaded = await loadRuleFiles(this.paths.filter((p) => existsSync(p)));
      this.rules = new Map(loaded.rules.map((r) => [r.id, r]));
      this.problems = loaded.errors;
      this.emit('change', this.all(), this.problems);
    });
    return this.loading;
  }

  /** Reloads (debounced) whenever something under the rule paths changes. */
  watch(debounceMs = 300): void {
    for (const path of this.paths.filter((p) => existsSync(p))) {
      const w = watch(path, { recursive: true }, () => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.load().catch((err) => this.emit('error', err)), debounceMs);
      });
      w.on('error', (err) => this.emit('error', err));
      this.watchers.push(w);
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
