import { Logger } from '@nestjs/common';
import { DatabaseError, Pool, PoolClient } from 'pg';
import { createHash } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { DaneError, StorageUnavailableError } from '@dane/protocol';
import { SqlClient, SqlExecutor, SqlQueryOptions, SqlRows } from './sql-client';
import { translateInputError } from './sql-errors';

const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|connection error|Connection refused/i;

/** `host:port/database` of a PostgreSQL URL — what error messages and logs show (never the password). */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    const db = u.pathname.length > 1 ? u.pathname : '';
    return `${host}:${u.port || '5432'}${decodeURIComponent(db)}`;
  } catch {
    return '<unparsable PostgreSQL URL>';
  }
}

/** True for errors that mean "the server cannot be used right now", as opposed to a bad statement. */
function isConnectionError(err: unknown): boolean {
  if (err instanceof DatabaseError) {
    // 08: connection exception, 28: authentication, 57P: shutdown/cannot connect, 53300: too many
    // connections, 3D000: the database does not exist.
    const code = err.code ?? '';
    return code.startsWith('08') || code.startsWith('28') || code.startsWith('57P') || code === '53300' || code === '3D000';
  }
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && CONNECTION_ERRNOS.has(e.code)) return true;
  return CONNECTION_MESSAGES.test(String(e?.message ?? ''));
}

/** Connection-level failures become StorageUnavailableError naming the server; bad input a ValidationError. */
function translatePostgresError(err: unknown, where: string): unknown {
  if (err instanceof DaneError || !isConnectionError(err)) return translateInputError(err);
  return new StorageUnavailableError(`PostgreSQL at ${where} is unavailable: ${(err as Error).message || String(err)}`);
}

/**
 * Distinct statement texts kept prepared at most: a text built from varying input (a mistake: see
 * SqlQueryOptions.prepare) then runs unprepared instead of growing every connection's cache.
 */
const MAX_PREPARED_TEXTS = 256;

/**
 * The name a prepared statement text runs under: derived from the text, so one name never stands
 * for two texts (node-postgres prepares it on each connection the first time it runs there).
 */
export class PreparedNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly max = MAX_PREPARED_TEXTS) {}

  nameFor(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < this.max) {
      name = `dane_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      this.names.set(text, name);
    }
    return name;
  }
}

/** node-postgres pool behind the SqlClient interface. */
export class PostgresSqlClient implements SqlClient {
  private readonly logger = new Logger('PostgresStore');
  private readonly pool: Pool;
  private closed = false;
  private readonly prepared = new PreparedNames();
  readonly where: string;

  constructor(url: string, poolSize = 10, ssl?: ConnectionOptions) {
    this.where = describePostgresUrl(url);
    this.pool = new Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000, ...(ssl ? { ssl } : {}) });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', (err) => this.logger.warn(`Idle connection to ${this.where} failed: ${err.message}`));
  }

  async query<R>(text: string, params?: readonly unknown[], options?: SqlQueryOptions): Promise<SqlRows<R>> {
    this.assertOpen();
    try {
      const res = await this.pool.query(this.config(text, params, options));
      return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
    } catch (err) {
      throw translatePostgresError(err, this.where);
    }
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.assertOpen();
    let conn: PoolClient;
    try {
      conn = await this.pool.connect();
    } catch (err) {
      throw translatePostgresError(err, this.where);
    }
    let discard: Error | undefined;
    try {
      await conn.query('BEGIN');
      const tx: SqlExecutor = {
        query: async <R>(text: string, params?: readonly unknown[], options?: SqlQueryOptions) => {
          const res = await conn.query(this.config(text, params, options));
          return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
        },
      };
      const result = await fn(tx);
      await conn.query('COMMIT');
      return result;
    } catch (err) {
      if (isConnectionError(err)) discard = err as Error;
      else await conn.query('ROLLBACK').catch((rollbackErr: Error) => (discard = rollbackErr));
      throw translatePostgresError(err, this.where);
    } finally {
      conn.release(discard);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private config(text: string, params: readonly unknown[] | undefined, options: SqlQueryOptions | undefined) {
    const name = options?.prepare ? this.prepared.nameFor(text) : undefined;
    return { text, values: params as unknown[] | undefined, ...(name ? { name } : {}) };
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageUnavailableError(`PostgreSQL at ${this.where}: the store is closed`);
  }
}
