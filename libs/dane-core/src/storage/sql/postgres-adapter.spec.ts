import { StorageUnavailableError } from '@dane/protocol';
import { DaneStore } from '../store.port';
import { createSqlStore } from './create-store';
import { MIGRATIONS } from './migrations';
import { adminQuery, testSchema } from './postgres-test-db';
import { describePostgresUrl } from './postgres-client';

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

  it('refuses work after close with StorageUnavailableError', async () => {
    const store = await createSqlStore({ kind: 'postgres', url: schema.url, poolSize: 1 });
    await store.close();
    await expect(store.ping()).rejects.toThrow(StorageUnavailableError);
    await expect(store.documents.findById('x')).rejects.toThrow(StorageUnavailableError);
  });
});
