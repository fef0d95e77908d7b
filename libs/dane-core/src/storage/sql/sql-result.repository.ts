import { NotFoundError, ValidationError, DaneResult, Page, PageRequest } from '@dane/protocol';
import { MicroBatcher } from '../micro-batcher';
import { ResultQuery, ResultRepository } from '../store.port';
import { resultColumns, resultFromRow } from './rows';
import { PREPARED, SqlExecutor } from './sql-client';
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
  /** Concurrent result inserts (result messages, POST …/result) folded into one statement. */
  private readonly inserts = new MicroBatcher<{ result: DaneResult; dedupKey?: string }, Row | null>((items) => this.insertRows(items));

  constructor(
    private readonly db: SqlExecutor,
    private readonly paging: SqlPagingOptions = {},
  ) {}

  /**
   * Document id, task key and creator are taken from the task row (the stored truth). With a
   * `dedupKey` already stored, nothing is inserted and the stored result is returned.
   */
  async insert(result: DaneResult, dedupKey?: string): Promise<DaneResult> {
    const row = await this.inserts.submit({ result, dedupKey });
    if (row) return resultFromRow(row);
    return this.explainNotInserted(result, dedupKey);
  }

  /**
   * One INSERT … SELECT FROM unnest JOIN tasks … ON CONFLICT DO NOTHING for a batch of results
   * (concurrent result messages and POSTs); the row of each inserted one, null for the others.
   */
  private async insertRows(items: ReadonlyArray<{ result: DaneResult; dedupKey?: string }>): Promise<(Row | null)[]> {
    let rows: Row[];
    try {
      ({ rows } = await this.db.query<Row>(
        `INSERT INTO results AS r (id, task_id, document_id, task_key, generator_id, generator_name, generator, payload,
                              creator_id, created_at, updated_at, dedup_key)
         SELECT x.id, t.id, t.document_id, t.key, x.generator_id, x.generator_name, x.generator::jsonb, x.payload::jsonb,
                t.creator_id, x.created_at, x.updated_at, x.dedup_key
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
           WITH ORDINALITY AS x(id, task_id, generator_id, generator_name, generator, payload, created_at, updated_at, dedup_key, ord)
         JOIN tasks AS t ON t.id = x.task_id
         ORDER BY x.ord
         ON CONFLICT DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          items.map((i) => i.result._id),
          items.map((i) => i.result.task_id),
          items.map((i) => String(i.result.generator.id)),
          items.map((i) => i.result.generator.name),
          items.map((i) => JSON.stringify(i.result.generator)),
          items.map((i) => JSON.stringify(i.result.payload ?? {})),
          items.map((i) => i.result.created_at),
          items.map((i) => i.result.updated_at),
          items.map((i) => i.dedupKey ?? null),
        ],
        PREPARED,
      ));
    } catch (err) {
      // A task deleted between the join and the insert: alone, that result just has no task (NotFound
      // follows); in a batch, the batcher writes the items again one by one.
      if (items.length === 1 && sqlState(err) === FOREIGN_KEY_VIOLATION) return [null];
      throw err;
    }
    const byId = new Map(rows.map((row) => [String(row.id), row]));
    // The first item of an id gets its row; a repeat of it in the batch is explained like a redelivery.
    return items.map((i) => {
      const row = byId.get(i.result._id);
      byId.delete(i.result._id);
      return row ?? null;
    });
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
