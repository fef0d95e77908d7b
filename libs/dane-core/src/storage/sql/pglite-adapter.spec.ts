import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageUnavailableError } from '@dane/protocol';
import { createSqlStore } from './create-store';
import { makeDocument, makeTask } from './store-contract.fixtures';

/** PGlite-only behaviour: a data directory that survives a restart. */
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
});
