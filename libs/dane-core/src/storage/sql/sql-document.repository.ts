import { DaneDocument, pythonStr, DocumentExistsError, Page, PageRequest } from '@dane/protocol';
import { MicroBatcher } from '../micro-batcher';
import { BulkOutcome, DocumentRepository, DocumentSearch } from '../store.port';
import { documentColumns, documentFromRow } from './rows';
import { PREPARED, SqlExecutor } from './sql-client';
import { SqlList, SqlPagingOptions, readSqlPage } from './sql-paging';
import { SqlParams } from './sql-params';
import { wildcardToLike } from './wildcard';

const COLUMNS = documentColumns('d');

function existsError(doc: DaneDocument): DocumentExistsError {
  return new DocumentExistsError(`A document with target.id \`${pythonStr(doc.target.id)}\`, and creator.id \`${pythonStr(doc.creator.id)}\` already exists`);
}

/**
 * The statement of a document search (exported for the paging specs). A pattern without wildcards
 * is compared with `=` (the same match as its LIKE): the planner then knows the column is fixed and
 * reads a creator's documents in order from documents_creator_seq, a page at a time.
 */
export function documentSearch(query: DocumentSearch): SqlList {
  const params = new SqlParams();
  const conditions: string[] = [];
  const match = (column: string, pattern: string | undefined) => {
    const like = wildcardToLike(pattern);
    if (like === null || pattern === undefined) return;
    if (/[*?]/.test(pattern)) conditions.push(`${column} LIKE ${params.add(like)} ESCAPE '\\'`);
    else conditions.push(`${column} = ${params.add(pattern)}`);
  };
  match('d.target_id', query.targetId);
  match('d.creator_id', query.creatorId);
  return { list: 'documents', from: 'documents AS d', alias: 'd', columns: COLUMNS, conditions, params };
}

export class SqlDocumentRepository implements DocumentRepository {
  /** Concurrent single registrations (POST /DANE/document/) folded into one multi-row insert. */
  private readonly inserts = new MicroBatcher<DaneDocument, BulkOutcome<DaneDocument>>((docs) => this.insertMany(docs));

  constructor(
    private readonly db: SqlExecutor,
    private readonly paging: SqlPagingOptions = {},
  ) {}

  async insert(doc: DaneDocument): Promise<void> {
    const outcome = await this.inserts.submit(doc);
    if (outcome.error) throw outcome.error;
  }

  /** One INSERT … SELECT FROM unnest … ON CONFLICT DO NOTHING; rows not returned already existed. */
  async insertMany(docs: DaneDocument[]): Promise<BulkOutcome<DaneDocument>[]> {
    if (docs.length === 0) return [];
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO documents (id, target_id, creator_id, target_type, target, creator, created_at, updated_at)
       SELECT x.id, x.target_id, x.creator_id, x.target_type, x.target::jsonb, x.creator::jsonb, x.created_at, x.updated_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         WITH ORDINALITY AS x(id, target_id, creator_id, target_type, target, creator, created_at, updated_at, ord)
       ORDER BY x.ord
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [
        docs.map((d) => d._id),
        docs.map((d) => pythonStr(d.target.id)),
        docs.map((d) => pythonStr(d.creator.id)),
        docs.map((d) => d.target.type),
        docs.map((d) => JSON.stringify(d.target)),
        docs.map((d) => JSON.stringify(d.creator)),
        docs.map((d) => d.created_at),
        docs.map((d) => d.updated_at),
      ],
      PREPARED,
    );
    // A repeated id inside one batch is inserted once: the first occurrence wins.
    const inserted = new Set(rows.map((r) => r.id));
    return docs.map((item) => {
      if (inserted.delete(item._id)) return { item };
      return { item, error: existsError(item) };
    });
  }

  async findById(id: string): Promise<DaneDocument | null> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM documents AS d WHERE d.id = $1`, [id]);
    return rows.length ? documentFromRow(rows[0]) : null;
  }

  async findByIds(ids: string[]): Promise<DaneDocument[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM documents AS d WHERE d.id = ANY($1::text[]) ORDER BY d.seq`, [ids], PREPARED);
    return rows.map((r) => documentFromRow(r));
  }

  /** Case-sensitive wildcard search on the Python str() of target.id / creator.id, oldest first (by cursor or page; readSqlPage). */
  async search(query: DocumentSearch, page: PageRequest): Promise<Page<DaneDocument>> {
    return readSqlPage(this.db, documentSearch(query), page, (r) => documentFromRow(r), this.paging);
  }

  /** Tasks and results go with it (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM documents WHERE id = $1', [id]);
    return rowCount > 0;
  }

  async deleteMany(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { rowCount } = await this.db.query('DELETE FROM documents WHERE id = ANY($1::text[])', [ids]);
    return rowCount;
  }
}
