import { createSqlStore } from './create-store';
import { testSchema } from './postgres-test-db';
import { describeStoreContract } from './store-contract';

const schema = testSchema('contract');

afterAll(() => schema.drop());

// A pool of 4 so the concurrency tests really run statements side by side.
describeStoreContract('PostgreSQL', async () => {
  await schema.create();
  return createSqlStore({ kind: 'postgres', url: schema.url, poolSize: 4 });
});
