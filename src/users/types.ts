/**
 * Users glossary (docs/users.md).
 * - User: a person who reads and acts in Canh, bound to one locality; they see its subtree only.
 * - Role: `analyst` and `locality_admin` work in their locality; `central_reviewer` reads everything
 *   and changes nothing; `admin` manages users. `central_reviewer` and `admin` belong to the central locality.
 * - API token: a secret `canh_ut_<random>` that authenticates as its user until it expires or is revoked;
 *   shown once, stored only as its SHA-256.
 */
export const USER_ROLES = ['analyst', 'locality_admin', 'central_reviewer', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Roles that must be bound to the central locality. */
export const CENTRAL_ROLES: readonly UserRole[] = ['central_reviewer', 'admin'];

export interface User {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRole;
  /** Code of the user's locality. */
  readonly locality: string;
  /** Province of that locality (itself for a province, null for the central locality). */
  readonly province: string | null;
  readonly disabled: boolean;
  /** Epoch ms. */
  readonly createdAt: number;
}

/** A user with the hash of their password (`scrypt$N$r$p$salt$hash`), never the password. */
export interface UserRecord extends User {
  readonly passwordHash: string;
}

export interface ApiToken {
  readonly id: string;
  readonly userId: string;
  /** What the token is for, e.g. `login` or `siem-export`. */
  readonly name: string;
  readonly createdAt: number;
  /** Epoch ms after which the token is refused; null: never expires. */
  readonly expiresAt: number | null;
  /** Epoch ms of the revocation; null while valid. */
  readonly revokedAt: number | null;
}

/** A token with the SHA-256 (hex) of its secret. */
export interface ApiTokenRecord extends ApiToken {
  readonly tokenHash: string;
}

/** The prefix of user tokens; source keys are `canh_` + random, so the two never collide. */
export const USER_TOKEN_PREFIX = 'canh_ut_';
