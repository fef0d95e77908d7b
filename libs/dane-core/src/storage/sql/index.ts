export { createSqlStore } from './create-store';
export type { SqlStoreOptions } from './create-store';
export { SqlStore } from './sql-store';
export { MIGRATIONS, migrate } from './migrations';
export type { Migration } from './migrations';
export type { SqlClient, SqlExecutor, SqlRows } from './sql-client';
export { describePostgresUrl } from './postgres-client';
export { wildcardToLike } from './wildcard';
