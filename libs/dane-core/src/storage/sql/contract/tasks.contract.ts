import { NotFoundError, TaskAssignedError, TaskState } from '@dane/protocol';
import { PARKED_UNTIL } from '../../../lifecycle/retry-policy';
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

    it('tells the tasks that need a person (lifecycle/needs-person.ts): manual states, retries spent, blocked by such a task', async () => {
      const a = makeDocument();
      const b = makeDocument();
      await store().documents.insertMany([a, b]);
      const download = makeTask(a, 'DOWNLOAD', { state: S.ERROR });
      const asr = makeTask(a, 'ASR', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['DOWNLOAD'] });
      const ner = makeTask(a, 'NER', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['ASR'] });
      const filesize = makeTask(b, 'FILESIZE');
      const ocr = makeTask(b, 'OCR');
      const retrying = makeTask(b, 'ASR');
      const waiting = makeTask(b, 'NER', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['ASR'] });
      const blockedByRefusals = makeTask(b, 'SPLIT', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['OCR'] });
      const unassigned = makeTask(b, 'LATER', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['ASR', 'NEVER'] });
      await store().tasks.insertMany([download, asr, ner, filesize, ocr, retrying, waiting, blockedByRefusals, unassigned]);
      // Retries spent: 503 and (refusals) 201 parked at PARKED_UNTIL; an auto-retry whose back-off is ahead is not.
      await store().tasks.transition({ id: filesize._id, from: [S.CREATED], to: S.ERROR_PROXY, msg: 'down — retries spent (5 of 5), attempt 13', notBefore: PARKED_UNTIL });
      await store().tasks.transition({ id: ocr._id, from: [S.CREATED], to: S.CREATED, msg: 'Refused — retries spent (1 of 1), attempt 2', notBefore: PARKED_UNTIL });
      await store().tasks.transition({ id: retrying._id, from: [S.CREATED], to: S.ERROR_PROXY, msg: 'down — retry 1 of 5, attempt 1', notBefore: new Date(Date.now() + 60_000) });

      const ids = async (filter: Parameters<DaneStore['tasks']['list']>[0]) => {
        const p = await store().tasks.list(filter, { page: 1, size: 20 });
        return { total: p.total, ids: p.items.map((t) => t._id) };
      };
      // LATER waits for a key its document has no task of: nothing will assign it.
      expect(await ids({ needsPerson: true })).toEqual({ total: 7, ids: [download._id, asr._id, ner._id, filesize._id, ocr._id, blockedByRefusals._id, unassigned._id] });
      expect(await ids({ needsPerson: false })).toEqual({ total: 2, ids: [retrying._id, waiting._id] });
      expect(await ids({ needsPerson: true, key: 'NER' })).toEqual({ total: 1, ids: [ner._id] });
      expect(await ids({ needsPerson: true, documentId: b._id, states: [S.ERROR_PROXY, S.UNFINISHED_DEPENDENCY] })).toEqual({
        total: 3,
        ids: [filesize._id, blockedByRefusals._id, unassigned._id],
      });
      expect(await store().tasks.countNeedingPerson()).toEqual([
        { key: 'ASR', count: 1 },
        { key: 'DOWNLOAD', count: 1 },
        { key: 'FILESIZE', count: 1 },
        { key: 'LATER', count: 1 },
        { key: 'NER', count: 1 },
        { key: 'OCR', count: 1 },
        { key: 'SPLIT', count: 1 },
      ]);
      expect(await store().tasks.countNeedingPerson('FILESIZE')).toEqual([{ key: 'FILESIZE', count: 1 }]);
      // A person retries the download: nothing on document a needs a person any more.
      await store().tasks.transition({ id: download._id, from: [S.ERROR], to: S.CREATED, msg: 'Retried', notBefore: null });
      expect((await ids({ needsPerson: true, documentId: a._id })).total).toBe(0);
    });

    it('counts the 412 dependants of a cancelled task (499) as needing a person, not the cancelled task itself', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      const download = makeTask(doc, 'DOWNLOAD');
      const asr = makeTask(doc, 'ASR', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['DOWNLOAD'] });
      const ner = makeTask(doc, 'NER', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['ASR'] });
      await store().tasks.insertMany([download, asr, ner]);
      const list = async () => (await store().tasks.list({ needsPerson: true, documentId: doc._id }, { page: 1, size: 20 })).items.map((t) => t._id);
      expect(await list()).toEqual([]);
      expect(await store().tasks.transition({ id: download._id, from: [S.CREATED], to: S.CANCELLED, msg: 'Cancelled' })).toMatchObject({ state: S.CANCELLED });
      expect(await list()).toEqual([asr._id, ner._id]);
      expect((await store().tasks.releaseDependants([doc._id])).length).toBe(0);
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
