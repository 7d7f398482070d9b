/** Small text helpers of the rules pages. */
import type { RuleFileError } from '../types';
import { intervalText } from './search-histogram';

/** 120000 → "2m"; null → "—". */
export const everyText = (ms: number | null | undefined): string => (ms ? intervalText(ms) : '—');

/** A run's duration: "850 ms", "2.4 s". */
export function durationText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** A rule file error as the CLI prints it: `file:line: field: message`. */
export const ruleErrorText = (e: RuleFileError): string => `${e.file}:${e.line}: ${e.field ? `${e.field}: ` : ''}${e.message}`;
