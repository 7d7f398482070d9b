import type { Contact, Locality, LocalityLevel, Source, SourceFormat, SourceKind, SyslogSettings } from '../../directory/types';
import { errors } from '../../errors';
import { isRevokedKeyHash, revokedKeyHash, type DirectoryStore, type SourceRecord } from '../directory-store';
import type { Scope } from '../scope';
import { SmallDuckDbStore, type Row } from './small-db';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS localities (
     code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, level VARCHAR NOT NULL,
     parent_code VARCHAR, province_code VARCHAR, created_at BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS sources (
     id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, locality VARCHAR NOT NULL, province VARCHAR,
     kind VARCHAR NOT NULL, format VARCHAR NOT NULL, enabled BOOLEAN NOT NULL,
     key_prefix VARCHAR NOT NULL, key_hash VARCHAR NOT NULL UNIQUE, created_at BIGINT NOT NULL)`,
  // One row per contact of a locality; position keeps the order. No key constraint: DuckDB checks
  // unique keys eagerly, so deleting and re-inserting the same key in one transaction would fail.
  `CREATE TABLE IF NOT EXISTS contacts (
     locality VARCHAR NOT NULL, position INTEGER NOT NULL, kind VARCHAR NOT NULL,
     address VARCHAR, language VARCHAR, url VARCHAR, secret VARCHAR)`,
  // Syslog matching settings (JSON {senders, token}) and the token again, to find a duplicate in SQL.
  'ALTER TABLE sources ADD COLUMN IF NOT EXISTS syslog VARCHAR',
  'ALTER TABLE sources ADD COLUMN IF NOT EXISTS syslog_token VARCHAR',
];


/** DirectoryStore on a DuckDB file of its own (directory.duckdb under the data directory). */
export class DuckDbDirectoryStore extends SmallDuckDbStore implements DirectoryStore {
  constructor(options: { readonly path: string }) {
    super(options.path, SCHEMA);
  }

  async createLocality(l: Locality): Promise<void> {
    await this.db.serial(() => this.db.exec(
      'INSERT INTO localities VALUES (?, ?, ?, ?, ?, ?)',
      [l.code, l.name, l.level, l.parentCode, l.provinceCode, l.createdAt],
      `Locality ${l.code} already exists`,
    ));
  }

  async createLocalities(list: readonly Locality[]): Promise<void> {
    await this.db.serial(() => this.db.transaction(async () => {
      for (let i = 0; i < list.length; i += 500) {
        const chunk = list.slice(i, i + 500);
        await this.db.exec(
          `INSERT INTO localities VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
          chunk.flatMap((l) => [l.code, l.name, l.level, l.parentCode, l.provinceCode, l.createdAt]),
          'A locality of the import already exists',
        );
      }
    }));
  }

  async getLocality(code: string, scope: Scope): Promise<Locality | null> {
    const where = scopeSql(scope, 'code', 'province_code');
    const rows = await this.db.query(`SELECT * FROM localities WHERE code = ? AND ${where.sql}`, [code, ...where.params]);
    return rows.length ? toLocality(rows[0]) : null;
  }

  async listLocalities(scope: Scope): Promise<readonly Locality[]> {
    const where = scopeSql(scope, 'code', 'province_code');
    const rows = await this.db.query(`SELECT * FROM localities WHERE ${where.sql} ORDER BY code`, where.params);
    return rows.map(toLocality);
  }

  async createSource(s: SourceRecord): Promise<void> {
    await this.db.serial(async () => {
      await this.checkToken(s.id, s.syslog ?? null);
      await this.db.exec(
        `INSERT INTO sources (id, name, locality, province, kind, format, enabled, key_prefix, key_hash, created_at, syslog, syslog_token)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [s.id, s.name, s.locality, s.province, s.kind, s.format, s.enabled, s.keyPrefix, s.keyHash, s.createdAt, syslogJson(s.syslog ?? null), s.syslog?.token ?? null],
        `Source ${s.id} already exists`,
      );
    });
  }

  async getSource(id: string, scope: Scope): Promise<Source | null> {
    const where = scopeSql(scope, 'locality', 'province');
    const rows = await this.db.query(`SELECT * FROM sources WHERE id = ? AND ${where.sql}`, [id, ...where.params]);
    return rows.length ? toSource(rows[0]) : null;
  }

  async listSources(scope: Scope): Promise<readonly Source[]> {
    const where = scopeSql(scope, 'locality', 'province');
    const rows = await this.db.query(`SELECT * FROM sources WHERE ${where.sql} ORDER BY created_at, id`, where.params);
    return rows.map(toSource);
  }

  async setSourceEnabled(id: string, enabled: boolean, scope: Scope): Promise<Source | null> {
    const where = scopeSql(scope, 'locality', 'province');
    const rows = await this.db.serial(() => this.db.query(`UPDATE sources SET enabled = ? WHERE id = ? AND ${where.sql} RETURNING *`, [enabled, id, ...where.params]));
    return rows.length ? toSource(rows[0]) : null;
  }

  async replaceSourceKey(id: string, key: { readonly keyHash: string; readonly keyPrefix: string }, scope: Scope): Promise<Source | null> {
    const where = scopeSql(scope, 'locality', 'province');
    const rows = await this.db.serial(() => this.db.query(
      `UPDATE sources SET key_hash = ?, key_prefix = ? WHERE id = ? AND ${where.sql} RETURNING *`,
      [key.keyHash, key.keyPrefix, id, ...where.params],
    ));
    return rows.length ? toSource(rows[0]) : null;
  }

  async revokeSourceKey(id: string, scope: Scope): Promise<Source | null> {
    const where = scopeSql(scope, 'locality', 'province');
    const rows = await this.db.serial(() => this.db.query(
      `UPDATE sources SET key_hash = ? WHERE id = ? AND ${where.sql} RETURNING *`,
      [revokedKeyHash(id), id, ...where.params],
    ));
    return rows.length ? toSource(rows[0]) : null;
  }

  async setSourceSyslog(id: string, settings: SyslogSettings | null, scope: Scope): Promise<Source | null> {
    const where = scopeSql(scope, 'locality', 'province');
    const rows = await this.db.serial(async () => {
      await this.checkToken(id, settings);
      return this.db.query(
        `UPDATE sources SET syslog = ?, syslog_token = ? WHERE id = ? AND ${where.sql} RETURNING *`,
        [syslogJson(settings), settings?.token ?? null, id, ...where.params],
      );
    });
    return rows.length ? toSource(rows[0]) : null;
  }

  async listSyslogSources(): Promise<readonly Source[]> {
    const rows = await this.db.query('SELECT * FROM sources WHERE syslog IS NOT NULL ORDER BY created_at, id');
    return rows.map(toSource);
  }

  /** Runs inside serial(): refuses a token another source has. */
  private async checkToken(id: string, settings: SyslogSettings | null): Promise<void> {
    if (!settings?.token) return;
    const rows = await this.db.query('SELECT id FROM sources WHERE syslog_token = ? AND id <> ?', [settings.token, id]);
    if (rows.length) throw errors.conflict('Another source already uses this syslog token', { id });
  }

  async findSourceByKeyHash(keyHash: string): Promise<Source | null> {
    const rows = await this.db.query('SELECT * FROM sources WHERE key_hash = ?', [keyHash]);
    return rows.length ? toSource(rows[0]) : null;
  }

  async setContacts(code: string, contacts: readonly Contact[]): Promise<void> {
    await this.db.serial(() => this.db.transaction(async () => {
      await this.db.exec('DELETE FROM contacts WHERE locality = ?', [code]);
      if (contacts.length === 0) return;
      const marks = contacts.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
      const params = contacts.flatMap((c, position) => (c.kind === 'email'
        ? [code, position, c.kind, c.address, c.language, null, null]
        : [code, position, c.kind, null, null, c.url, c.secret]));
      await this.db.exec(`INSERT INTO contacts (locality, position, kind, address, language, url, secret) VALUES ${marks}`, params);
    }));
  }

  async getContacts(code: string): Promise<readonly Contact[]> {
    const rows = await this.db.serial(() => this.db.query('SELECT * FROM contacts WHERE locality = ? ORDER BY position', [code]));
    return rows.map(toContact);
  }

  async exportSources(): Promise<readonly SourceRecord[]> {
    const rows = await this.db.serial(() => this.db.query('SELECT * FROM sources ORDER BY created_at, id'));
    return rows.map((r) => ({ ...toSource(r), keyHash: String(r.key_hash) }));
  }
}

function scopeSql(scope: Scope, codeColumn: string, provinceColumn: string): { sql: string; params: unknown[] } {
  if (scope.kind === 'all') return { sql: 'TRUE', params: [] };
  if (scope.codes.length === 0) return { sql: 'FALSE', params: [] };
  const marks = scope.codes.map(() => '?').join(', ');
  return { sql: `(${codeColumn} IN (${marks}) OR ${provinceColumn} IN (${marks}))`, params: [...scope.codes, ...scope.codes] };
}

function toLocality(r: Row): Locality {
  return {
    code: String(r.code),
    name: String(r.name),
    level: r.level as LocalityLevel,
    parentCode: (r.parent_code as string | null) ?? null,
    provinceCode: (r.province_code as string | null) ?? null,
    createdAt: Number(r.created_at),
  };
}

function toContact(r: Row): Contact {
  if (r.kind === 'webhook') return { kind: 'webhook', url: String(r.url), secret: (r.secret as string | null) ?? null };
  return { kind: 'email', address: String(r.address), language: r.language === 'en' ? 'en' : 'vi' };
}

function toSource(r: Row): Source {
  return {
    id: String(r.id),
    name: String(r.name),
    locality: String(r.locality),
    province: (r.province as string | null) ?? null,
    kind: r.kind as SourceKind,
    format: r.format as SourceFormat,
    enabled: Boolean(r.enabled),
    keyPrefix: String(r.key_prefix),
    createdAt: Number(r.created_at),
    revoked: isRevokedKeyHash(String(r.key_hash)),
    ...syslogOf(r.syslog),
  };
}

function syslogJson(settings: SyslogSettings | null): string | null {
  return settings ? JSON.stringify({ senders: settings.senders, token: settings.token }) : null;
}

function syslogOf(value: unknown): { syslog?: SyslogSettings } {
  if (typeof value !== 'string') return {};
  const v = JSON.parse(value) as { senders?: unknown; token?: unknown };
  return { syslog: { senders: Array.isArray(v.senders) ? v.senders.map(String) : [], token: typeof v.token === 'string' ? v.token : null } };
}
