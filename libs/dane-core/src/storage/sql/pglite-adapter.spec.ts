import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageUnavailableError } from '@dane/protocol';
import { createSqlStore } from './create-store';
import { migrate } from './migrations';
import { PgliteSqlClient } from './pglite-client';
import { makeDocument, makeTask } from './store-contract.fixtures';

/** PGlite-only behaviour: a data directory that survives a restart, the thread it runs on, its own maintenance. */
describe('PGlite adapter', () => {
  const root = mkdtempSync(join(tmpdir(), 'dane-pglite-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('keeps its data in the data directory (created if missing) across a restart', async () => {
    const dataDir = join(root, 'nested', 'db');
    const doc = makeDocument();
    const task = makeTask(doc, 'ASR');
    const first = await createSqlStore({ kind: 'pglite', dataDir });
    await first.documents.insert(doc);
    await first.tasks.insert(task);
    await first.close();
    await first.close();
    await expect(first.ping()).rejects.toThrow(StorageUnavailableError);

    const second = await createSqlStore({ kind: 'pglite', dataDir });
    try {
      expect(await second.documents.findById(doc._id)).toEqual(doc);
      expect(await second.tasks.findById(task._id)).toEqual(task);
    } finally {
      await second.close();
    }
  });

  it('runs statements on its own thread: the event loop keeps turning during a long statement', async () => {
    const client = await PgliteSqlClient.open();
    try {
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      const started = Date.now();
      await client.query('SELECT pg_sleep(0.3)');
      clearInterval(ticker);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      // In-process WebAssembly would have held the loop for the whole 300 ms (0 or 1 tick).
      expect(ticks).toBeGreaterThanOrEqual(10);
    } finally {
      await client.close();
    }
  });

  it('carries the SQLSTATE of an error across the thread, rolls a failed transaction back, and refuses work once closed', async () => {
    const client = await PgliteSqlClient.open();
    await client.query('CREATE TABLE t (id int PRIMARY KEY)');
    await client.query('INSERT INTO t VALUES (1)');
    await expect(client.query('INSERT INTO t VALUES (1)')).rejects.toMatchObject({ code: '23505', constraint: 't_pkey' });
    await expect(
      client.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (2)');
        await tx.query('INSERT INTO t VALUES (1)');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await client.query<{ id: number }>('SELECT id FROM t ORDER BY id')).rows).toEqual([{ id: 1 }]);
    expect(await client.transaction(async (tx) => (await tx.query('INSERT INTO t VALUES (3)')).rowCount)).toBe(1);
    expect((await client.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 2 }]);
    await client.close();
    await expect(client.query('SELECT 1')).rejects.toThrow(StorageUnavailableError);
  });

  it('vacuums and analyzes itself (PGlite has no autovacuum): the planner then knows the tables', async () => {
    const client = await PgliteSqlClient.open();
    try {
      await migrate(client);
      await client.query(
        `INSERT INTO documents (id, target_id, creator_id, target_type, target, creator, created_at, updated_at)
         SELECT 'd' || i, 't' || i, 'c', 'Video', '{}', '{}', '', '' FROM generate_series(1, 500) AS i`,
      );
      const reltuples = async () => Number((await client.query<{ n: number }>(`SELECT reltuples AS n FROM pg_class WHERE relname = 'documents'`)).rows[0].n);
      // Never analyzed: PostgreSQL says -1 (unknown).
      expect(await reltuples()).toBe(-1);
      await client.maintain();
      expect(await reltuples()).toBe(500);
    } finally {
      await client.close();
    }
  });
});
