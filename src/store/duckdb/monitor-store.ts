import type { StoredMonitor } from '../../monitors/monitor';
import type { MonitorStore } from '../monitor-store';
import type { Scope } from '../scope';
import { SmallDuckDbStore, type Row } from './small-db';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS monitors (
     id VARCHAR PRIMARY KEY, locality VARCHAR NOT NULL, province VARCHAR, definition VARCHAR NOT NULL,
     created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
];

/** MonitorStore on a DuckDB file of its own (monitors.duckdb under the data directory). */
export class DuckDbMonitorStore extends SmallDuckDbStore implements MonitorStore {
  constructor(options: { readonly path: string }) {
    super(options.path, SCHEMA);
  }

  async createMonitor(m: StoredMonitor): Promise<void> {
    await this.db.serial(() => this.db.exec(
      'INSERT INTO monitors VALUES (?, ?, ?, ?, ?, ?)',
      [m.id, m.locality, m.province, definition(m), m.createdAt, m.updatedAt],
      `Monitor ${m.id} already exists`,
    ));
  }

  async updateMonitor(m: StoredMonitor, scope: Scope): Promise<StoredMonitor | null> {
    const where = scopeSql(scope);
    const rows = await this.db.serial(() => this.db.query(
      `UPDATE monitors SET locality = ?, province = ?, definition = ?, updated_at = ? WHERE id = ? AND ${where.sql} RETURNING *`,
      [m.locality, m.province, definition(m), m.updatedAt, m.id, ...where.params],
    ));
    return rows.length ? toMonitor(rows[0]) : null;
  }

  async getMonitor(id: string, scope: Scope): Promise<StoredMonitor | null> {
    const where = scopeSql(scope);
    const rows = await this.db.serial(() => this.db.query(`SELECT * FROM monitors WHERE id = ? AND ${where.sql}`, [id, ...where.params]));
    return rows.length ? toMonitor(rows[0]) : null;
  }

  async listMonitors(scope: Scope): Promise<readonly StoredMonitor[]> {
    const where = scopeSql(scope);
    const rows = await this.db.serial(() => this.db.query(`SELECT * FROM monitors WHERE ${where.sql} ORDER BY id`, where.params));
    return rows.map(toMonitor);
  }

  async deleteMonitor(id: string, scope: Scope): Promise<boolean> {
    const where = scopeSql(scope);
    const n = await this.db.serial(() => this.db.exec(`DELETE FROM monitors WHERE id = ? AND ${where.sql}`, [id, ...where.params]));
    return n > 0;
  }
}

/** The monitor's definition as stored: everything but the columns. */
function definition(m: StoredMonitor): string {
  const { id: _i, locality: _l, province: _p, createdAt: _c, updatedAt: _u, origin: _o, ...rest } = m;
  return JSON.stringify(rest);
}

function toMonitor(r: Row): StoredMonitor {
  const def = JSON.parse(String(r.definition)) as Omit<StoredMonitor, 'id' | 'locality' | 'province' | 'createdAt' | 'updatedAt' | 'origin'>;
  return {
    id: String(r.id), ...def, locality: String(r.locality), province: r.province === null ? null : String(r.province),
    origin: { kind: 'api' }, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}

function scopeSql(scope: Scope): { sql: string; params: unknown[] } {
  if (scope.kind === 'all') return { sql: 'TRUE', params: [] };
  if (scope.codes.length === 0) return { sql: 'FALSE', params: [] };
  const marks = scope.codes.map(() => '?').join(', ');
  return { sql: `(locality IN (${marks}) OR province IN (${marks}))`, params: [...scope.codes, ...scope.codes] };
}
