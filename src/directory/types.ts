/**
 * Directory glossary.
 * - Locality: a node of the government tree, keyed by its official code (central ▸ province ▸ commune).
 * - Source: one stream of logs of one locality (a portal's access log, an OTP service, a prober);
 *   it has a kind, a format and an API key that can only write events for its locality.
 */
export type LocalityLevel = 'central' | 'province' | 'commune';

export interface Locality {
  readonly code: string;
  readonly name: string;
  readonly level: LocalityLevel;
  /** Parent code; null only for the central level. */
  readonly parentCode: string | null;
  /** Code of the province this locality belongs to (itself for a province, null for central). */
  readonly provinceCode: string | null;
  /** Epoch ms. */
  readonly createdAt: number;
}

export type SourceKind = 'access' | 'otp' | 'probe';
export type SourceFormat = 'nginx_combined' | 'apache_common' | 'apache_combined' | 'json';

export const SOURCE_KINDS: readonly SourceKind[] = ['access', 'otp', 'probe'];
export const SOURCE_FORMATS: readonly SourceFormat[] = ['nginx_combined', 'apache_common', 'apache_combined', 'json'];

export interface Source {
  readonly id: string;
  readonly name: string;
  readonly locality: string;
  /** Province of the source's locality (null when the locality is central). */
  readonly province: string | null;
  readonly kind: SourceKind;
  readonly format: SourceFormat;
  readonly enabled: boolean;
  /** First characters of the key, to tell keys apart without revealing them. */
  readonly keyPrefix: string;
  readonly createdAt: number;
  /**
   * True once the source's key was revoked (POST /sources/{id}/revoke): no key of it works until
   * rotate-key gives it a new one. Stores always set it on reads; absent means false.
   */
  readonly revoked?: boolean;
}

/**
 * Contact: who a locality's incidents are sent to (its people on duty). An email address with the
 * language of its messages (`vi` or `en`), or a webhook URL with an optional signing secret.
 * A locality's contacts are an ordered list, replaced as a whole (docs/contacts.md).
 */
export type Contact =
  | { readonly kind: 'email'; readonly address: string; readonly language: 'vi' | 'en' }
  | { readonly kind: 'webhook'; readonly url: string; readonly secret: string | null };
