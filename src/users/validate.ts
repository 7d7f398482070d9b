import { controlCharProblem } from '../directory/validate';
import { errors } from '../errors';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password';
import { USER_ROLES, type UserRole } from './types';

export const USERNAME_PATTERN = /^[a-z0-9._-]{3,64}$/;

export interface UserInput {
  readonly username: string;
  readonly password: string;
  readonly displayName: string;
  readonly role: UserRole;
  readonly locality: string;
}

export interface TokenInput {
  readonly name: string;
  /** Lifetime in days; null: the token does not expire. */
  readonly expiresInDays: number | null;
}

/** Default lifetime of tokens created through the API (days). */
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 366;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems of a password (empty when it is acceptable). */
export function passwordProblems(password: unknown): string[] {
  if (typeof password !== 'string') return ['password: required, a string'];
  if ([...password].length < MIN_PASSWORD_LENGTH) return [`password: at least ${MIN_PASSWORD_LENGTH} characters`];
  if (password.length > MAX_PASSWORD_LENGTH) return [`password: at most ${MAX_PASSWORD_LENGTH} characters`];
  return [];
}

/** Checks a new user's fields; throws `invalid` listing every problem at once. Pure: the locality's existence is checked by the service. */
export function validateUserInput(input: unknown): UserInput {
  if (!isObject(input)) throw errors.invalidRequest('The body must be a JSON object', { problems: ['body: an object'] });
  const problems: string[] = [];
  const { username, password, display_name: displayName, role, locality } = input;
  const usernameControl = controlCharProblem('username', username);
  if (usernameControl) problems.push(usernameControl);
  else if (typeof username !== 'string' || !USERNAME_PATTERN.test(username)) problems.push('username: 3 to 64 characters among a-z 0-9 . _ -');
  problems.push(...passwordProblems(password));
  const displayControl = controlCharProblem('display_name', displayName);
  if (displayControl) problems.push(displayControl);
  else if (displayName !== undefined && displayName !== null && (typeof displayName !== 'string' || displayName.trim() === '' || displayName.length > 200)) {
    problems.push('display_name: 1 to 200 characters');
  }
  if (typeof role !== 'string' || !(USER_ROLES as readonly string[]).includes(role)) problems.push(`role: one of ${USER_ROLES.join(', ')}`);
  const localityControl = controlCharProblem('locality', locality);
  if (localityControl) problems.push(localityControl);
  else if (typeof locality !== 'string' || locality.trim() === '') problems.push('locality: the code of an existing locality');
  if (problems.length) throw errors.invalidRequest(`Invalid user: ${problems.join('; ')}`, { problems });
  return {
    username: username as string,
    password: password as string,
    displayName: typeof displayName === 'string' ? displayName.trim() : (username as string),
    role: role as UserRole,
    locality: (locality as string).trim(),
  };
}

/** Checks the body of a token creation (`name`, `expires_in_days`; both optional). */
export function validateTokenInput(input: unknown): TokenInput {
  const body = input === undefined || input === null ? {} : input;
  if (!isObject(body)) throw errors.invalidRequest('The body must be a JSON object', { problems: ['body: an object'] });
  const problems: string[] = [];
  const { name, expires_in_days: days } = body;
  if (name !== undefined && (typeof name !== 'string' || !/^[\p{L}\p{N} ._:-]{1,64}$/u.test(name))) problems.push('name: 1 to 64 letters, digits, spaces or . _ : -');
  if (days !== undefined && days !== null && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)) {
    problems.push(`expires_in_days: an integer from 1 to ${MAX_TOKEN_DAYS}, or null for a token that does not expire`);
  }
  if (problems.length) throw errors.invalidRequest(`Invalid token: ${problems.join('; ')}`, { problems });
  return { name: typeof name === 'string' ? name : 'api', expiresInDays: days === null ? null : typeof days === 'number' ? days : DEFAULT_TOKEN_DAYS };
}
