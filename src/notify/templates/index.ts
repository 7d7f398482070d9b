import type { Language } from '../notification';
import { EN } from './en';
import type { TemplateStrings } from './strings';
import { VI } from './vi';

export type { TemplateStrings } from './strings';

/** The strings of a language (Vietnamese for anything unknown). */
export function stringsFor(language: Language): TemplateStrings {
  return language === 'en' ? EN : VI;
}
