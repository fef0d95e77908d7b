import { DocumentExistsError } from '@dane/protocol';
import { DaneStore } from '../../store.port';
import { makeDocument, makeResult, makeTask, seed, uniqueId } from '../store-contract.fixtures';

export function documentContract(store: () => DaneStore): void {
  describe('documents', () => {
    it('stores a document and reads it back unchanged, extra target keys and scalar ids included', async () => {
      const doc = makeDocument(12345, true, { title: 'Journaal', tags: ['a'] });
      await store().documents.insert(doc);
      expect(await store().documents.findById(doc._id)).toEqual(doc);
      expect(await store().documents.findById('0'.repeat(40))).toBeNull();
    });

    it('refuses a second document with the same ids, naming them as Python str() would', async () => {
      const doc = makeDocument(12345, true);
      await store().documents.insert(doc);
      const again = store().documents.insert(makeDocument(12345, true));
      await expect(again).rejects.toBeInstanceOf(DocumentExistsError);
      await expect(again).rejects.toThrow('A document with target.id `12345`, and creator.id `True` already exists');
    });

    it('inserts many in one go and reports each duplicate', async () => {
      const existing = makeDocument();
      await store().documents.insert(existing);
      const fresh = makeDocument();
      const outcome = await store().documents.insertMany([fresh, existing, makeDocument(fresh.target.id, fresh.creator.id)]);
      expect(outcome.map((o) => o.error?.constructor)).toEqual([undefined, DocumentExistsError, DocumentExistsError]);
      expect(outcome[1].error?.message).toBe(`A document with target.id \`${existing.target.id}\`, and creator.id \`NISV\` already exists`);
      expect(await store().documents.findByIds([fresh._id, existing._id, 'f'.repeat(40)])).toEqual([existing, fresh]);
      expect(await store().documents.insertMany([])).toEqual([]);
    });

    it('searches target and creator ids with case-sensitive wildcards, LIKE characters taken literally', async () => {
      const run = uniqueId('S');
      const ids = [`${run}-a%b`, `${run}-axb`, `${run}-a_b`, `${run}-A_B`, `${run}-abc`];
      for (const id of ids) await store().documents.insert(makeDocument(id, id.endsWith('abc') ? 'Other' : 'NISV'));
      const targets = async (targetId: string, creatorId?: string) =>
        (await store().documents.search({ targetId, creatorId }, { page: 1, size: 100 })).items.map((d) => d.target.id);
      expect(await targets(`${run}-a?b`)).toEqual([`${run}-a%b`, `${run}-axb`, `${run}-a_b`]);
      expect(await targets(`${run}-a%b`)).toEqual([`${run}-a%b`]);
      expect(await targets(`${run}-a_b`)).toEqual([`${run}-a_b`]);
      expect(await targets(`${run}-A*`)).toEqual([`${run}-A_B`]);
      expect(await targets(`${run}*`, 'Oth*')).toEqual([`${run}-abc`]);
      expect(await targets(`${run}*`, 'nisv')).toEqual([]);
      expect(await targets('*', '*')).toEqual(ids);
    });

    it('pages search results oldest first and reports the total on every page', async () => {
      const run = uniqueId('P');
      for (let i = 0; i < 5; i++) await store().documents.insert(makeDocument(`${run}-${i}`));
      const page = (n: number) => store().documents.search({ targetId: `${run}-*` }, { page: n, size: 2 });
      const pages = await Promise.all([page(1), page(2), page(3), page(4)]);
      expect(pages.map((p) => p.items.map((d) => d.target.id))).toEqual([[`${run}-0`, `${run}-1`], [`${run}-2`, `${run}-3`], [`${run}-4`], []]);
      expect(pages.map((p) => p.total)).toEqual([5, 5, 5, 5]);
      expect(pages[1]).toMatchObject({ page: 2, size: 2 });
    });

    it('deletes a document with its tasks and results', async () => {
      const { doc, tasks } = await seed(store(), ['ASR', 'DOWNLOAD']);
      const result = await store().results.insert(makeResult(tasks[0]));
      expect(await store().documents.delete(doc._id)).toBe(true);
      expect(await store().documents.findById(doc._id)).toBeNull();
      expect(await store().tasks.findByIds(tasks.map((t) => t._id))).toEqual([]);
      expect(await store().results.findById(result._id)).toBeNull();
      expect(await store().documents.delete(doc._id)).toBe(false);
    });

    it('deletes many and counts only those that existed', async () => {
      const a = await seed(store(), ['ASR']);
      const b = await seed(store());
      expect(await store().documents.deleteMany([a.doc._id, b.doc._id, 'e'.repeat(40)])).toBe(2);
      expect(await store().documents.deleteMany([])).toBe(0);
      expect(await store().tasks.findById(a.tasks[0]._id)).toBeNull();
      // A document deleted and assigned again gets the same task id back (docs/protocol.md, Task id).
      await store().documents.insert(a.doc);
      await store().tasks.insert(makeTask(a.doc, 'ASR'));
      expect((await store().tasks.findById(a.tasks[0]._id))?.key).toBe('ASR');
    });
  });
}
