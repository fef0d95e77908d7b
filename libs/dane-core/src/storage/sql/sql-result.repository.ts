import { NotFoundError, ValidationError } from '../../errors';
import { DaneResult } from '../../model/result';
import { Page, PageRequest } from '../page';
import { ResultQuery, ResultRepository } from '../store.port';
import { resultColumns, resultFromRow } from './rows';
import { SqlExecutor } from './sql-client';
import { FOREIGN_KEY_VIOLATION, sqlState } from './sql-errors';
import { SqlList, SqlPagingOptions, readSqlPage } from './sql-paging';
import { SqlParams } from './sql-params';

const COLUMNS = resultColumns('r');

type Row = Record<string, unknown>;

/** Query fields → columns; each pair is covered by an index of migration 1 (the creator's and the generator's, with seq, of migration 5). */
const QUERY_COLUMNS: Record<keyof ResultQuery, string> = {
  taskId: 'r.task_id',
  documentId: 'r.document_id',
  taskKey: 'r.task_key',
  creatorId: 'r.creator_id',
  generatorName: 'r.generator_name',
  generatorId: 'r.generator_id',
};

/** The statement of a result query (exported for the paging specs). */
export function resultFind(query: ResultQuery): SqlList {
  const params = new SqlParams();
  const conditions: string[] = [];
  for (const [field, column] of Object.entries(QUERY_COLUMNS) as [keyof ResultQuery, string][]) {
    const value = query[field];
    if (value !== undefined) conditions.push(`${column} = ${params.add(value)}`);
  }
  return { list: 'results', from: 'results AS r', alias: 'r', columns: COLUMNS, conditions, params };
}

export class SqlResultRepository implements ResultRepository {
  constructor(
    private readonly db: SqlExecutor,
    private readonly paging: SqlPagingOptions = {},
  ) {}

  /**
   * Document id, task key and creator are taken from the task row (the stored truth). With a
   * `dedupKey` already stored, nothing is inserted and the stored result is returned.
   */
  async insert(result: DaneResult, dedupKey?: string): Promise<DaneResult> {
    const rows = await this.insertRow(result, dedupKey);
    if (rows.length) return resultFromRow(rows[0]);
    return this.explainNotInserted(result, dedupKey);
  }

  private async insertRow(result: DaneResult, dedupKey?: string): Promise<Row[]> {
    try {
      return await this.insertStatement(result, dedupKey);
    } catch (err) {
      // The task was deleted between the SELECT and the insert.
      if (sqlState(err) === FOREIGN_KEY_VIOLATION) return [];
      throw err;
    }
  }

  private async insertStatement(result: DaneResult, dedupKey?: string): Promise<Row[]> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO results AS r (id, task_id, document_id, task_key, generator_id, generator_name, generator, payload,
                            creator_id, created_at, updated_at, dedup_key)
       SELECT $1::text, t.id, t.document_id, t.key, $3::text, $4::text, $5::jsonb, $6::jsonb, t.creator_id, $7::text, $8::text, $9::text
       FROM tasks AS t WHERE t.id = $2::text
       ON CONFLICT DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        result._id,
        result.task_id,
        String(result.generator.id),
        result.generator.name,
        JSON.stringify(result.generator),
        JSON.stringify(result.payload ?? {}),
        result.created_at,
        result.updated_at,
        dedupKey ?? null,
      ],
    );
    return rows;
  }

  /** Nothing inserted: a redelivery (same dedupKey, or the same result id on the same task), or no such task. */
  private async explainNotInserted(result: DaneResult, dedupKey?: string): Promise<DaneResult> {
    if (dedupKey !== undefined) {
      const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM results AS r WHERE r.dedup_key = $1`, [dedupKey]);
      if (rows.length) return resultFromRow(rows[0]);
    }
    const task = await this.db.query('SELECT t.id FROM tasks AS t WHERE t.id = $1', [result.task_id]);
    if (task.rows.length === 0) throw new NotFoundError(`No task with id \`${result.task_id}\` found`);
    const same = await this.findById(result._id);
    if (same && same.task_id === result.task_id) return same;
    throw new ValidationError(`Result id \`${result._id}\` is already used by another task`);
  }

  async findById(id: string): Promise<DaneResult | null> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM results AS r WHERE r.id = $1`, [id]);
    return rows.length ? resultFromRow(rows[0]) : null;
  }

  /** Every given field must match; oldest first (readers take element 0; docs/protocol.md, Result id), by cursor or page (readSqlPage). */
  async find(query: ResultQuery, page: PageRequest): Promise<Page<DaneResult>> {
    return readSqlPage(this.db, resultFind(query), page, resultFromRow, this.paging);
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM results WHERE id = $1', [id]);
    return rowCount > 0;
  }
}
