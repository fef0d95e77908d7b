import { ApiKeyRecord } from '../../auth/api-key';
import { ApiKeyRepository } from '../../auth/api-key.repository';
import { isRole } from '../../auth/roles';
import { Page, PageRequest } from '@dane/protocol';
import { SqlExecutor } from './sql-client';
import { pageClause, SqlParams } from './sql-params';

type Row = Record<string, unknown>;
const COLUMNS = 'id, name, role, salt, hash, created_at, last_used_at';

function fromRow(row: Row): ApiKeyRecord {
  const role = String(row.role);
  return {
    id: String(row.id),
    name: String(row.name),
    // A role this build does not know (a newer build wrote it) grants the least.
    role: isRole(role) ? role : 'read',
    salt: String(row.salt),
    hash: String(row.hash),
    created_at: String(row.created_at),
    last_used_at: row.last_used_at === null || row.last_used_at === undefined ? null : String(row.last_used_at),
  };
}

/** The `api_keys` table (migration 2). */
export class SqlApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: SqlExecutor) {}

  async insert(r: ApiKeyRecord): Promise<void> {
    await this.db.query(`INSERT INTO api_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [r.id, r.name, r.role, r.salt, r.hash, r.created_at, r.last_used_at]);
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return rows.length ? fromRow(rows[0]) : null;
  }

  async list(page: PageRequest): Promise<Page<ApiKeyRecord>> {
    const total = await this.count();
    const params = new SqlParams();
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM api_keys ORDER BY seq ${pageClause(page, params)}`, params.values);
    return { items: rows.map(fromRow), total, page: page.page, size: page.size };
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ total: string | number }>('SELECT count(*) AS total FROM api_keys');
    return Number(rows[0].total);
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM api_keys WHERE id = $1', [id]);
    return rowCount > 0;
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [id, at]);
  }
}
