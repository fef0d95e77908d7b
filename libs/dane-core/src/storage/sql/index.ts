export { createSqlStore } from './create-store';
export { SqlStore } from './sql-store';
export { migrate } from './migrations';
