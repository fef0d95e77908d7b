import { TIMESTAMP_PATTERN, TRANSITIONS, TaskState } from '@dane/protocol';
import { DaneStore } from '../../store.port';
import { OLD_TIMESTAMP, makeDocument, makeTask, seed } from '../store-contract.fixtures';

const S = TaskState;
const LONG_LEASE = 60_000;

export function transitionContract(store: () => DaneStore): void {
  describe('transitions', () => {
    /** A task claimed once: in 102 at attempt 1. */
    async function claimedTask() {
      const doc = makeDocument();
      await store().documents.insert(doc);
      const task = makeTask(doc, 'ASR', { old: true });
      await store().tasks.insert(task);
      const [claim] = await store().tasks.claimRunnable(1, LONG_LEASE);
      expect(claim.task._id).toBe(task._id);
      return claim.task;
    }

    it('applies a transition only from the expected states, refreshing updated_at', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      const task = makeTask(doc, 'ASR', { old: true });
      await store().tasks.insert(task);
      expect(await store().tasks.transition({ id: task._id, from: [S.QUEUED], to: S.SUCCESS, msg: 'x' })).toBeNull();
      expect(await store().tasks.transition({ id: 'f'.repeat(40), from: [S.CREATED], to: S.SUCCESS, msg: 'x' })).toBeNull();
      const after = await store().tasks.transition({ id: task._id, from: TRANSITIONS.retry.from, to: S.ERROR, msg: 'It broke', dependsOn: ['DOWNLOAD'] });
      expect(after).toMatchObject({ state: S.ERROR, msg: 'It broke', depends_on: ['DOWNLOAD'], created_at: OLD_TIMESTAMP, attempt: 0 });
      expect(after?.updated_at).toMatch(TIMESTAMP_PATTERN);
      expect(after?.updated_at).not.toBe(OLD_TIMESTAMP);
      expect(await store().tasks.findById(task._id)).toEqual(after);
    });

    it('keeps updated_at when asked to', async () => {
      const { doc } = await seed(store());
      const task = makeTask(doc, 'ASR', { old: true });
      await store().tasks.insert(task);
      const after = await store().tasks.transition({ id: task._id, from: [S.CREATED], to: S.TASK_RESET, msg: 'Manual reset', keepUpdatedAt: true });
      expect(after).toMatchObject({ state: S.TASK_RESET, updated_at: OLD_TIMESTAMP });
    });

    it('rejects a reply for a stale attempt', async () => {
      const task = await claimedTask();
      expect(task.attempt).toBe(1);
      expect(await store().tasks.transition({ id: task._id, from: [S.QUEUED], to: S.SUCCESS, msg: 'late', attempt: 0 })).toBeNull();
      expect(await store().tasks.transition({ id: task._id, from: [S.QUEUED], to: S.SUCCESS, msg: 'done', attempt: 1 })).toMatchObject({ state: S.SUCCESS, attempt: 1 });
    });

    it('lets exactly one of two concurrent transitions of the same task win', async () => {
      for (let round = 0; round < 5; round++) {
        const task = await claimedTask();
        const [a, b] = await Promise.all([
          store().tasks.transition({ id: task._id, from: [S.QUEUED], to: S.SUCCESS, msg: 'worker A', attempt: 1 }),
          store().tasks.transition({ id: task._id, from: [S.QUEUED], to: S.ERROR, msg: 'worker B', attempt: 1 }),
        ]);
        const winners = [a, b].filter((t) => t !== null);
        expect(winners).toHaveLength(1);
        expect(await store().tasks.findById(task._id)).toMatchObject({ state: winners[0]!.state, msg: winners[0]!.msg });
      }
    });

    it('applies many transitions in one call, each with its own condition', async () => {
      const { doc, tasks } = await seed(store(), ['A', 'B', 'C', 'D']);
      const [a, b, c, d] = tasks;
      const results = await store().tasks.transitionMany([
        { id: a._id, from: [S.CREATED], to: S.SUCCESS, msg: 'a done' },
        { id: b._id, from: [S.QUEUED], to: S.SUCCESS, msg: 'b wrong state' },
        { id: c._id, from: [S.CREATED], to: S.UNFINISHED_DEPENDENCY, msg: 'c waits', dependsOn: ['A', 'B'] },
        { id: d._id, from: [S.CREATED], to: S.ERROR, msg: 'd stale', attempt: 3 },
        { id: 'f'.repeat(40), from: [S.CREATED], to: S.ERROR, msg: 'unknown' },
        { id: d._id, from: [], to: S.ERROR, msg: 'no from state' },
      ]);
      expect(results.map((t) => t && [t.key, t.state, t.msg, t.depends_on])).toEqual([
        ['A', S.SUCCESS, 'a done', []],
        null,
        ['C', S.UNFINISHED_DEPENDENCY, 'c waits', ['A', 'B']],
        null,
        null,
        null,
      ]);
      expect((await store().tasks.list({ documentId: doc._id, states: [S.CREATED] }, { page: 1, size: 10 })).items.map((t) => t.key)).toEqual(['B', 'D']);
      expect(await store().tasks.transitionMany([])).toEqual([]);
    });

    it('mass-resets every task of a key in a state, keeping updated_at', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      const other = makeDocument();
      await store().documents.insert(other);
      await store().tasks.insertMany([
        makeTask(doc, 'ASR', { state: S.ERROR, old: true }),
        makeTask(other, 'ASR', { state: S.ERROR, old: true }),
        makeTask(doc, 'NER', { state: S.ERROR, old: true }),
        makeTask(doc, 'OCR', { state: S.NOT_FOUND, old: true }),
      ]);
      expect(await store().tasks.transitionAll({ key: 'ASR', state: S.ERROR }, S.TASK_RESET, 'Manual reset')).toBe(2);
      const reset = await store().tasks.list({ states: [S.TASK_RESET] }, { page: 1, size: 10 });
      expect(reset.items.map((t) => [t.key, t.msg, t.updated_at])).toEqual([
        ['ASR', 'Manual reset', OLD_TIMESTAMP],
        ['ASR', 'Manual reset', OLD_TIMESTAMP],
      ]);
      expect(await store().tasks.transitionAll({ key: 'ASR', state: S.ERROR }, S.TASK_RESET, 'Manual reset')).toBe(0);
    });
  });
}
