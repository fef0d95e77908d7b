import { createSqlStore } from './create-store';
import { describeStoreContract } from './store-contract';

// One in-memory PGlite for the whole file: starting one costs seconds.
describeStoreContract('PGlite', () => createSqlStore({ kind: 'pglite' }));
