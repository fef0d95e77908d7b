import { mkdirSync } from 'node:fs';
import { PGlite, Transaction } from '@electric-sql/pglite';
import { StorageUnavailableError } from '../../errors';
import { SqlClient, SqlExecutor, SqlRows } from './sql-client';
import { translateInputError } from './sql-errors';

type PgliteTarget = Pick<Transaction, 'query'>;

/**
 * PGlite (PostgreSQL in WebAssembly, in-process) behind the SqlClient interface. PGlite has a
 * single connection, so every statement and transaction is queued behind the previous one: a
 * transaction's statements never interleave with anyone else's.
 */
export class PgliteSqlClient implements SqlClient {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: PGlite,
    readonly where: string,
  ) {}

  /** File-backed under `dataDir` (created if missing), or in memory without one. */
  static async open(dataDir?: string): Promise<PgliteSqlClient> {
    const where = dataDir ? `PGlite at ${dataDir}` : 'in-memory PGlite';
    try {
      if (dataDir) mkdirSync(dataDir, { recursive: true });
      const db = dataDir ? new PGlite(dataDir) : new PGlite();
      await db.waitReady;
      return new PgliteSqlClient(db, where);
    } catch (err) {
      throw new StorageUnavailableError(`${where} could not be opened: ${(err as Error).message}`);
    }
  }

  query<R>(text: string, params?: readonly unknown[]): Promise<SqlRows<R>> {
    return this.exclusive(() => this.run<R>(this.db, text, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.db.transaction((tx) => fn({ query: (text, params) => this.run(tx, text, params) })));
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (!this.db.closed) await this.db.close();
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async run<R>(target: PgliteTarget, text: string, params?: readonly unknown[]): Promise<SqlRows<R>> {
    if (this.db.closed) throw new StorageUnavailableError(`${this.where} is closed`);
    const res = await target.query<R>(text, params as unknown[] | undefined).catch((err: unknown) => {
      throw translateInputError(err);
    });
    return { rows: res.rows, rowCount: res.rowCount ?? res.affectedRows ?? res.rows.length };
  }
}
