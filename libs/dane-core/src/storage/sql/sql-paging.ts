import { CursorList, cursorKey, encodeCursor, EXACT_TOTAL_LIMIT, Page, PageRequest, pageOfItems } from '@dane/protocol';
import { SqlExecutor } from './sql-client';
import { SqlParams, whereClause } from './sql-params';

export interface SqlPagingOptions {
  /** See EXACT_TOTAL_LIMIT; tests lower it. */
  exactTotalLimit?: number;
}

/** One list statement: `SELECT <columns> FROM <from> WHERE <conditions> ORDER BY <alias>.seq`. */
export interface SqlList {
  list: CursorList;
  /** `tasks AS t` */
  from: string;
  alias: string;
  columns: string;
  conditions: string[];
  /** The values of the conditions' placeholders. */
  params: SqlParams;
}

type Row = Record<string, unknown>;

/** The state codes of a filter as SQL text, sorted: the same text the partial indexes of migration 5 carry. */
export function sqlStateSet(codes: readonly number[]): string {
  const set = [...new Set(codes)].sort((a, b) => a - b);
  if (set.length === 0) throw new Error('An SQL state set must not be empty');
  for (const c of set) if (!Number.isInteger(c)) throw new Error(`Not a state code: ${c}`);
  return set.join(', ');
}

/**
 * The SELECT of one page, one row more than `size`: `seq > <cursor>` with a cursor (a bad one is a
 * 400 naming `cursor`), else LIMIT/OFFSET of the 1-based page.
 */
export function pageStatement(q: SqlList, request: PageRequest): { text: string; values: unknown[]; size: number; offset: number } {
  const size = Math.max(1, Math.trunc(request.size));
  const params = new SqlParams();
  params.values.push(...q.params.values);
  const conditions = [...q.conditions];
  let offset = 0;
  let paging: string;
  if (request.cursor !== undefined) {
    const [after] = cursorKey(request.cursor, q.list, 1);
    conditions.push(`${q.alias}.seq > ${params.add(after)}`);
    paging = `LIMIT ${params.add(size + 1)}`;
  } else {
    offset = (Math.max(1, Math.trunc(request.page)) - 1) * size;
    paging = `LIMIT ${params.add(size + 1)} OFFSET ${params.add(offset)}`;
  }
  const text = `SELECT ${q.columns}, ${q.alias}.seq AS page_seq FROM ${q.from} ${whereClause(conditions)} ORDER BY ${q.alias}.seq ${paging}`;
  return { text, values: params.values, size, offset };
}

/** `seq` of a row as a number (node-postgres reads bigint as text, PGlite as a bigint or number). */
function seqOf(row: Row): number {
  const seq = Number(row.page_seq);
  if (!Number.isSafeInteger(seq)) throw new Error(`seq out of range: ${String(row.page_seq)}`);
  return seq;
}

/**
 * One page of a list in insertion order (`seq`). With a cursor: `seq > <cursor>` on the index that
 * serves the filter, O(page) at any depth. Without: `OFFSET (page - 1) * size`, as the original
 * clients page. One row more than the page is read, so `next` is set exactly when a next page exists.
 *
 * The total: on the last page (or a short first page) it is known from the offset; else a count
 * that stops after `exactTotalLimit` + 1 rows answers it exactly when the list is no larger; else it
 * is the planner's estimate (EXPLAIN; `pg_class.reltuples` and column statistics), never less than
 * what this page proves exists, marked `totalEstimated`.
 */
export async function readSqlPage<T>(db: SqlExecutor, q: SqlList, request: PageRequest, toItem: (row: Row) => T, options: SqlPagingOptions = {}): Promise<Page<T>> {
  const limit = options.exactTotalLimit ?? EXACT_TOTAL_LIMIT;
  const { text, values, size, offset } = pageStatement(q, request);
  const filterValues = [...q.params.values];
  const { rows } = await db.query<Row>(text, values);
  const hasNext = rows.length > size;
  const pageRows = hasNext ? rows.slice(0, size) : rows;
  const next = hasNext ? encodeCursor(q.list, [seqOf(pageRows[pageRows.length - 1])]) : undefined;
  const items = pageRows.map(toItem);

  if (request.cursor === undefined && !hasNext && (pageRows.length > 0 || offset === 0)) {
    return pageOfItems(items, request, offset + pageRows.length, { next });
  }
  const where = whereClause(q.conditions);
  const counted = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM (SELECT 1 FROM ${q.from} ${where} LIMIT ${limit + 1}) AS bounded`, filterValues);
  const exact = Number(counted.rows[0].n);
  if (exact <= limit) return pageOfItems(items, request, exact, { next });

  let estimate = Math.max(await plannedRows(db, `SELECT 1 FROM ${q.from} ${where}`, filterValues), limit + 1);
  if (request.cursor === undefined) {
    if (pageRows.length > 0) estimate = Math.max(estimate, offset + pageRows.length + (hasNext ? 1 : 0));
    else estimate = Math.min(estimate, offset);
  }
  return pageOfItems(items, request, estimate, { next, totalEstimated: true });
}

/** The planner's row estimate of a statement (EXPLAIN, nothing executed). */
async function plannedRows(db: SqlExecutor, statement: string, values: unknown[]): Promise<number> {
  const { rows } = await db.query<Record<string, unknown>>(`EXPLAIN (FORMAT JSON) ${statement}`, values);
  const raw = Object.values(rows[0] ?? {})[0];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: { 'Plan Rows'?: number } }[];
  const estimate = Number(plan?.[0]?.Plan?.['Plan Rows']);
  return Number.isFinite(estimate) ? Math.round(estimate) : 0;
}
