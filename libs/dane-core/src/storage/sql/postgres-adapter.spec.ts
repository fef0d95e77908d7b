import { StorageUnavailableError } from '@dane/protocol';
import { DaneStore } from '../store.port';
import { createSqlStore } from './create-store';
import { MIGRATIONS } from './migrations';
import { adminQuery, testSchema } from './postgres-test-db';
import { describePostgresUrl, PostgresSqlClient, PreparedNames } from './postgres-client';

/** PostgreSQL-only behaviour: connection failures, concurrent start-up. */
describe('PostgreSQL adapter', () => {
  const schema = testSchema('adapter');
  const stores: DaneStore[] = [];

  beforeAll(() => schema.create());
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await schema.drop();
  });

  it('reports an unreachable server as StorageUnavailableError naming the host, never the password', async () => {
    const opening = createSqlStore({ kind: 'postgres', url: 'postgres://dane:s3cret@127.0.0.1:1/dane' });
    await expect(opening).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(opening).rejects.toThrow(/^PostgreSQL at 127\.0\.0\.1:1\/dane is unavailable: .*ECONNREFUSED/);
    await expect(opening).rejects.not.toThrow(/s3cret/);
  });

  it('reports a missing database as StorageUnavailableError', async () => {
    const url = new URL(schema.url);
    url.pathname = '/dane_no_such_database';
    await expect(createSqlStore({ kind: 'postgres', url: url.toString() })).rejects.toThrow(StorageUnavailableError);
  });

  it('describes URLs without credentials', () => {
    expect(describePostgresUrl('postgres://u:pw@db.example:6543/dane?sslmode=require')).toBe('db.example:6543/dane');
    expect(describePostgresUrl('postgresql://db/dane')).toBe('db:5432/dane');
    expect(describePostgresUrl('not a url')).toBe('<unparsable PostgreSQL URL>');
  });

  it('applies the migrations once when two processes start together', async () => {
    stores.push(...(await Promise.all([0, 1, 2].map(() => createSqlStore({ kind: 'postgres', url: schema.url, poolSize: 2 })))));
    const rows = await adminQuery<{ version: number }>(`SELECT version FROM ${schema.name}.dane_migrations ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('names a prepared text after the text, the same on every call, and stops naming new texts at its cap', () => {
    const names = new PreparedNames(2);
    const a = names.nameFor('SELECT 1');
    expect(a).toMatch(/^dane_[0-9a-f]{24}$/);
    expect(names.nameFor('SELECT 1')).toBe(a);
    const b = names.nameFor('SELECT 2');
    expect(b).not.toBe(a);
    expect(names.nameFor('SELECT 3')).toBeUndefined();
    expect(names.nameFor('SELECT 2')).toBe(b);
  });

  it('keeps a statement marked prepare prepared on its connection, with right answers past the planner’s custom plans', async () => {
    const client = new PostgresSqlClient(schema.url, 1);
    try {
      const text = 'SELECT $1::int * 2 AS doubled';
      // PostgreSQL plans the first five runs for their values, then may switch to a generic plan.
      for (let i = 0; i < 8; i++) expect((await client.query<{ doubled: number }>(text, [i], { prepare: true })).rows).toEqual([{ doubled: 2 * i }]);
      await client.transaction(async (tx) => expect((await tx.query<{ doubled: number }>(text, [21], { prepare: true })).rows).toEqual([{ doubled: 42 }]));
      const { rows } = await client.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
      expect(rows.map((r) => r.statement)).toEqual([text]);
      // Without the option a statement is not kept.
      await client.query('SELECT 3 AS three');
      expect((await client.query('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows).toEqual([{ n: 1 }]);
    } finally {
      await client.close();
    }
  });

  it('refuses work after close with StorageUnavailableError', async () => {
    const store = await createSqlStore({ kind: 'postgres', url: schema.url, poolSize: 1 });
    await store.close();
    await expect(store.ping()).rejects.toThrow(StorageUnavailableError);
    await expect(store.documents.findById('x')).rejects.toThrow(StorageUnavailableError);
  });
});
