import { NotFoundError, ValidationError, TaskState } from '@dane/protocol';
import { DaneStore, ResultQuery } from '../../store.port';
import { makeDocument, makeResult, makeTask, seed } from '../store-contract.fixtures';

export function resultContract(store: () => DaneStore): void {
  describe('results', () => {
    it('stores a result and reads it back', async () => {
      const { tasks } = await seed(store(), ['ASR']);
      const result = makeResult(tasks[0], 'ASR', 'abc123', { text: 'hallo', words: [{ w: 'hallo', t: 0.5 }] });
      expect(await store().results.insert(result)).toEqual(result);
      expect(await store().results.findById(result._id)).toEqual(result);
      expect(await store().results.findById('nope')).toBeNull();
    });

    it('refuses a result for an unknown task', async () => {
      const task = makeTask(makeDocument(), 'ASR');
      await expect(store().results.insert(makeResult(task))).rejects.toThrow(new NotFoundError(`No task with id \`${task._id}\` found`));
    });

    it('refuses text with a NUL character as bad input and stores nothing', async () => {
      const { tasks } = await seed(store(), ['ASR']);
      await expect(store().results.insert(makeResult(tasks[0], 'ASR', 'g', { text: 'a\u0000b' }))).rejects.toThrow(ValidationError);
      const reply = { id: tasks[0]._id, from: [TaskState.CREATED], to: TaskState.ERROR, msg: 'bad \u0000 byte' };
      await expect(store().tasks.transition(reply)).rejects.toThrow(ValidationError);
      expect((await store().results.find({ taskId: tasks[0]._id }, { page: 1, size: 10 })).total).toBe(0);
      expect((await store().tasks.findById(tasks[0]._id))?.state).toBe(TaskState.CREATED);
    });

    it('answers each of many concurrent inserts on its own: stored, unknown task, bad input', async () => {
      const { tasks } = await seed(store(), ['ASR']);
      const good = makeResult(tasks[0], 'ASR', 'g1', { n: 1 });
      const orphan = makeResult(makeTask(makeDocument(), 'ASR'));
      const bad = makeResult(tasks[0], 'ASR', 'g2', { text: 'a\u0000b' });
      const good2 = makeResult(tasks[0], 'ASR', 'g3', { n: 2 });
      const outcomes = await Promise.allSettled([good, orphan, bad, good2].map((r) => store().results.insert(r)));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((outcomes[0] as PromiseFulfilledResult<unknown>).value).toEqual(good);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
      expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
      expect((await store().results.find({ taskId: tasks[0]._id }, { page: 1, size: 10 })).total).toBe(2);
    });

    it('stores a redelivered result once when it carries a dedup key', async () => {
      const { tasks } = await seed(store(), ['ASR']);
      const first = await store().results.insert(makeResult(tasks[0], 'ASR', 'v1', { n: 1 }), 'reply-1');
      const second = await store().results.insert(makeResult(tasks[0], 'ASR', 'v1', { n: 2 }), 'reply-1');
      expect(second).toEqual(first);
      const [c, d] = await Promise.all([
        store().results.insert(makeResult(tasks[0], 'ASR', 'v1', { n: 3 }), 'reply-2'),
        store().results.insert(makeResult(tasks[0], 'ASR', 'v1', { n: 4 }), 'reply-2'),
      ]);
      expect(c).toEqual(d);
      // Without a key every insert adds a result, like the original (docs/protocol.md, Result id).
      await store().results.insert(makeResult(tasks[0]));
      await store().results.insert(makeResult(tasks[0]));
      expect((await store().results.find({ taskId: tasks[0]._id }, { page: 1, size: 10 })).total).toBe(4);
    });

    it('finds results by each query field, oldest first, paged with a total', async () => {
      const a = await seed(store(), ['ASR', 'NER']);
      const b = await seed(store(), ['ASR'], makeDocument(undefined, 'Other'));
      const r1 = await store().results.insert(makeResult(a.tasks[0], 'ASR', 'g1'));
      const r2 = await store().results.insert(makeResult(a.tasks[1], 'NER', 'g1'));
      const r3 = await store().results.insert(makeResult(b.tasks[0], 'ASR', 'g2'));
      const r4 = await store().results.insert(makeResult(a.tasks[0], 'ASR', 'g2'));
      const ids = async (query: ResultQuery, page = 1, size = 10) => {
        const p = await store().results.find(query, { page, size });
        return [p.total, p.items.map((r) => r._id)];
      };
      expect(await ids({})).toEqual([4, [r1._id, r2._id, r3._id, r4._id]]);
      expect(await ids({}, 2, 3)).toEqual([4, [r4._id]]);
      expect(await ids({ taskId: a.tasks[0]._id })).toEqual([2, [r1._id, r4._id]]);
      expect(await ids({ documentId: a.doc._id })).toEqual([3, [r1._id, r2._id, r4._id]]);
      expect(await ids({ documentId: a.doc._id, taskKey: 'ASR' })).toEqual([2, [r1._id, r4._id]]);
      expect(await ids({ taskKey: 'ASR' })).toEqual([3, [r1._id, r3._id, r4._id]]);
      expect(await ids({ creatorId: 'Other', taskKey: 'ASR' })).toEqual([1, [r3._id]]);
      expect(await ids({ generatorName: 'ASR', generatorId: 'g2' })).toEqual([2, [r3._id, r4._id]]);
      expect(await ids({ generatorId: 'g1' })).toEqual([2, [r1._id, r2._id]]);
      expect(r3).toMatchObject({ document_id: b.doc._id, task_key: 'ASR', task_id: b.tasks[0]._id });
    });

    it('deletes a result, and a task with its results', async () => {
      const { tasks } = await seed(store(), ['ASR']);
      const r1 = await store().results.insert(makeResult(tasks[0]));
      const r2 = await store().results.insert(makeResult(tasks[0]));
      expect(await store().results.delete(r1._id)).toBe(true);
      expect(await store().results.delete(r1._id)).toBe(false);
      expect(await store().tasks.delete(tasks[0]._id)).toBe(true);
      expect(await store().results.findById(r2._id)).toBeNull();
    });
  });
}
