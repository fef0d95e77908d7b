import type { ConnectionOptions } from 'node:tls';
import { DaneStore } from '../store.port';
import { migrate } from './migrations';
import { PgliteMemorySettings, PgliteSqlClient } from './pglite-client';
import { PostgresSqlClient } from './postgres-client';
import { SqlClient } from './sql-client';
import { SqlStore } from './sql-store';

export type SqlStoreOptions =
  /** `ssl`: TLS options for every connection (STORAGE.POSTGRES_SSL…). */
  | { kind: 'postgres'; url: string; poolSize?: number; ssl?: ConnectionOptions }
  /**
   * File-backed under `dataDir` (created if missing); in memory without it. `memory`: PostgreSQL
   * memory settings inside PGlite (STORAGE.PGLITE_…), PGLITE_MEMORY_DEFAULTS where not given.
   */
  | { kind: 'pglite'; dataDir?: string; memory?: PgliteMemorySettings };

async function migrated(client: SqlClient): Promise<void> {
  try {
    await migrate(client);
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Opens the store and brings its schema up to date. An unreachable PostgreSQL server (or a PGlite
 * directory that cannot be opened) is a StorageUnavailableError naming it.
 */
export async function createSqlStore(options: SqlStoreOptions): Promise<DaneStore> {
  if (options.kind === 'postgres') {
    const client = new PostgresSqlClient(options.url, options.poolSize, options.ssl);
    await migrated(client);
    return new SqlStore('postgres', client, `PostgreSQL at ${client.where}`);
  }
  const client = await PgliteSqlClient.open(options.dataDir, options.memory);
  await migrated(client);
  return new SqlStore('pglite', client, client.where);
}
