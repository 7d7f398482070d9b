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
/**
 * How an access source's lines are written. `syslog`: syslog messages (RFC 3164/5424) whose nginx or
 * Apache access lines become `web.access` events and other messages `syslog` events (docs/syslog.md).
 */
export type SourceFormat = 'nginx_combined' | 'apache_common' | 'apache_combined' | 'json' | 'syslog';

export const SOURCE_KINDS: readonly SourceKind[] = ['access', 'otp', 'probe'];
export const SOURCE_FORMATS: readonly SourceFormat[] = ['nginx_combined', 'apache_common', 'apache_combined', 'json', 'syslog'];

/**
 * How the syslog receiver recognises a source's messages (docs/syslog.md): by the sender's address
 * (IP addresses or CIDR ranges) and/or by a token the message carries as its tag / APP-NAME or as an
 * SD-PARAM `token="..."`. With a token, only messages carrying it match (from `senders` when they
 * are given); without one, the most specific `senders` entry holding the address wins.
 */
export interface SyslogSettings {
  readonly senders: readonly string[];
  readonly token: string | null;
}

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
  /** Syslog matching settings (sources of format `syslog` only); absent when none. */
  readonly syslog?: SyslogSettings;
}

/**
 * Contact: who a locality's incidents are sent to (its people on duty). An email address with the
 * language of its messages (`vi` or `en`), or a webhook URL with an optional signing secret.
 * A locality's contacts are an ordered list, replaced as a whole (docs/contacts.md).
 */
export type Contact =
  | { readonly kind: 'email'; readonly address: string; readonly language: 'vi' | 'en' }
  | { readonly kind: 'webhook'; readonly url: string; readonly secret: string | null };
