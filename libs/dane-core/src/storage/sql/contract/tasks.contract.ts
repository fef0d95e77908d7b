import { NotFoundError, TaskAssignedError, TaskState } from '@dane/protocol';
import { DaneStore } from '../../store.port';
import { OLD_TIMESTAMP, makeDocument, makeTask, seed } from '../store-contract.fixtures';

const S = TaskState;

export function taskContract(store: () => DaneStore): void {
  describe('tasks', () => {
    it('stores a task and reads it back', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      const task = makeTask(doc, 'ASR', { priority: 7, args: { lang: 'nl', n: 2 }, dependsOn: ['DOWNLOAD'], state: S.UNFINISHED_DEPENDENCY });
      await store().tasks.insert(task);
      expect(await store().tasks.findById(task._id)).toEqual(task);
      expect(await store().tasks.findById('0'.repeat(40))).toBeNull();
    });

    it('refuses a task for an unknown document and a key already assigned', async () => {
      const { doc } = await seed(store(), ['ASR']);
      const orphan = makeTask(makeDocument(), 'ASR');
      await expect(store().tasks.insert(orphan)).rejects.toThrow(new NotFoundError(`No document with id \`${orphan.document_id}\` found`));
      const again = store().tasks.insert(makeTask(doc, 'ASR'));
      await expect(again).rejects.toBeInstanceOf(TaskAssignedError);
      await expect(again).rejects.toThrow(`Task \`ASR\` already assigned to document \`${doc._id}\``);
    });

    it('inserts many in one go and reports each failure', async () => {
      const { doc } = await seed(store(), ['ASR']);
      const orphan = makeDocument();
      const items = [makeTask(doc, 'NER'), makeTask(doc, 'ASR'), makeTask(orphan, 'ASR'), makeTask(doc, 'NER'), makeTask(doc, 'OCR')];
      const outcome = await store().tasks.insertMany(items);
      expect(outcome.map((o) => o.error?.constructor)).toEqual([undefined, TaskAssignedError, NotFoundError, TaskAssignedError, undefined]);
      expect(outcome[2].error?.message).toBe(`No document with id \`${orphan._id}\` found`);
      expect((await store().tasks.list({ documentId: doc._id }, { page: 1, size: 10 })).items.map((t) => t.key)).toEqual(['ASR', 'NER', 'OCR']);
      expect(await store().tasks.insertMany([])).toEqual([]);
    });

    it('lists by every filter in insertion order, with totals', async () => {
      const a = await seed(store(), ['ASR', 'NER', 'OCR']);
      const b = await seed(store(), ['ASR'], makeDocument(undefined, 'Other'));
      await store().tasks.transition({ id: a.tasks[1]._id, from: [S.CREATED], to: S.ERROR, msg: 'boom' });
      const keys = async (filter: Parameters<DaneStore['tasks']['list']>[0], page = 1, size = 10) => {
        const p = await store().tasks.list(filter, { page, size });
        return [p.total, p.items.map((t) => `${t.document_id === a.doc._id ? 'a' : 'b'}:${t.key}`)];
      };
      expect(await keys({})).toEqual([4, ['a:ASR', 'a:NER', 'a:OCR', 'b:ASR']]);
      expect(await keys({}, 2, 3)).toEqual([4, ['b:ASR']]);
      expect(await keys({ key: 'ASR' })).toEqual([2, ['a:ASR', 'b:ASR']]);
      expect(await keys({ states: [S.ERROR] })).toEqual([1, ['a:NER']]);
      expect(await keys({ states: [] })).toEqual([0, []]);
      expect(await keys({ notStates: [S.ERROR, S.SUCCESS] })).toEqual([3, ['a:ASR', 'a:OCR', 'b:ASR']]);
      expect(await keys({ documentId: b.doc._id })).toEqual([1, ['b:ASR']]);
      expect(await keys({ creatorId: 'Other' })).toEqual([1, ['b:ASR']]);
      expect(await keys({ creatorId: 'NISV', key: 'OCR', states: [S.CREATED] })).toEqual([1, ['a:OCR']]);
    });

    it('counts tasks by key and state', async () => {
      const a = await seed(store(), ['ASR', 'NER']);
      await seed(store(), ['ASR']);
      await store().tasks.transition({ id: a.tasks[0]._id, from: [S.CREATED], to: S.SUCCESS, msg: 'Success' });
      expect(await store().tasks.countByKeyAndState()).toEqual([
        { key: 'ASR', state: S.SUCCESS, count: 1 },
        { key: 'ASR', state: S.CREATED, count: 1 },
        { key: 'NER', state: S.CREATED, count: 1 },
      ]);
    });

    it('deletes a task', async () => {
      const { tasks } = await seed(store(), ['ASR']);
      expect(await store().tasks.delete(tasks[0]._id)).toBe(true);
      expect(await store().tasks.delete(tasks[0]._id)).toBe(false);
      expect(await store().tasks.findById(tasks[0]._id)).toBeNull();
    });

    it('finds the tasks that depend on a key, and annotates only those waiting in 412', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      const waiting = makeTask(doc, 'ASR', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['DOWNLOAD'], old: true });
      const created = makeTask(doc, 'NER', { dependsOn: ['DOWNLOAD', 'ASR'] });
      await store().tasks.insertMany([makeTask(doc, 'DOWNLOAD'), waiting, created]);
      expect((await store().tasks.findDependants(doc._id, 'DOWNLOAD')).map((t) => t.key)).toEqual(['ASR', 'NER']);
      expect(await store().tasks.findDependants(doc._id, 'OCR')).toEqual([]);
      expect(await store().tasks.annotateDependants(doc._id, 'DOWNLOAD', 'Dependency DOWNLOAD failed: 500')).toBe(1);
      const after = await store().tasks.findById(waiting._id);
      expect(after).toMatchObject({ state: S.UNFINISHED_DEPENDENCY, msg: 'Dependency DOWNLOAD failed: 500', updated_at: OLD_TIMESTAMP });
      expect((await store().tasks.findById(created._id))?.msg).toBe('Created');
    });
  });
}
