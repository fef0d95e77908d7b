import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL the tests run against (DANE_TEST_POSTGRES_URL overrides it). */
export const TEST_POSTGRES_URL = process.env.DANE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs one statement on the test database outside any store. */
export async function adminQuery<R extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export interface TestSchema {
  name: string;
  /** The test URL with `search_path` set to this schema. */
  url: string;
  create(): Promise<void>;
  drop(): Promise<void>;
}

/** A schema of its own per test file, so parallel jest workers never share tables. */
export function testSchema(label: string): TestSchema {
  const name = `dane_test_${label}_${randomBytes(4).toString('hex')}`;
  const sep = TEST_POSTGRES_URL.includes('?') ? '&' : '?';
  return {
    name,
    url: `${TEST_POSTGRES_URL}${sep}options=${encodeURIComponent(`-c search_path=${name}`)}`,
    create: async () => {
      await adminQuery(`CREATE SCHEMA ${name}`);
    },
    drop: async () => {
      await adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    },
  };
}
