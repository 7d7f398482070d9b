/** What every signed-in page reads: the session and the localities of the user's scope. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Locality, Session } from './types';

export interface AppContextValue {
  readonly session: Session;
  /** Localities in the user's scope, by code (empty until loaded). */
  readonly localities: ReadonlyMap<string, Locality>;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside the signed-in shell');
  return value;
}
