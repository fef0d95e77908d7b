/**
 * The little the SQL repositories need from a database: run one statement, or several in a
 * transaction. PostgreSQL (node-postgres pool) and PGlite (in-process) each implement it, so the
 * repositories hold ONE SQL implementation for both.
 */
export interface SqlRows<R> {
  rows: R[];
  /** Rows written by an INSERT/UPDATE/DELETE, or returned by a SELECT. */
  rowCount: number;
}

export interface SqlQueryOptions {
  /**
   * The statement is on a hot path and its text never varies: a client that can keeps it prepared
   * per connection, so it is parsed and planned once instead of on every run (PostgreSQL; PGlite
   * ignores it). Only for texts built from constants: each distinct text holds a prepared statement
   * on every connection.
   */
  prepare?: boolean;
}

/** SqlQueryOptions of a statement on the hot path (constant text): prepared where the client can. */
export const PREPARED: SqlQueryOptions = { prepare: true };

export interface SqlExecutor {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: SqlQueryOptions): Promise<SqlRows<R>>;
}

export interface SqlClient extends SqlExecutor {
  /** Runs `fn` in BEGIN … COMMIT on one connection; any throw rolls back. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
