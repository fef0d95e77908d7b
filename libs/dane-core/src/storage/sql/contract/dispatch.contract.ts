import { TaskState } from '@dane/protocol';
import { DaneStore } from '../../store.port';
import { makeDocument, makeTask, seed, sleep } from '../store-contract.fixtures';

const S = TaskState;
const LONG_LEASE = 60_000;

export function dispatchContract(store: () => DaneStore): void {
  describe('dispatch', () => {
    it('claims dispatchable tasks by priority, then insertion order, with their state before the claim', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      await store().tasks.insertMany([
        makeTask(doc, 'LOW', { priority: 1 }),
        makeTask(doc, 'HIGH', { priority: 9, state: S.ERROR_PROXY, msg: 'Proxy error' }),
        makeTask(doc, 'MID1', { priority: 5, state: S.TASK_RESET, msg: 'Manual reset' }),
        makeTask(doc, 'MID2', { priority: 5, state: S.ERROR_INVALID_INPUT, msg: 'Invalid input' }),
        makeTask(doc, 'FAILED', { priority: 10, state: S.ERROR }),
        makeTask(doc, 'WAITING', { priority: 10, state: S.UNFINISHED_DEPENDENCY }),
        makeTask(doc, 'DONE', { priority: 10, state: S.SUCCESS }),
      ]);
      const before = Date.now();
      const first = await store().tasks.claimRunnable(3, LONG_LEASE);
      expect(first.map((c) => [c.task.key, c.task.state, c.task.msg, c.task.attempt])).toEqual([
        ['HIGH', S.ERROR_PROXY, 'Proxy error', 1],
        ['MID1', S.TASK_RESET, 'Manual reset', 1],
        ['MID2', S.ERROR_INVALID_INPUT, 'Invalid input', 1],
      ]);
      expect(first[0].document).toEqual(doc);
      expect(first[0].leaseUntil.getTime()).toBeGreaterThan(before + LONG_LEASE - 5_000);
      expect(await store().tasks.findById(first[0].task._id)).toMatchObject({ state: S.QUEUED, msg: 'Queued', attempt: 1 });
      expect((await store().tasks.claimRunnable(10, LONG_LEASE)).map((c) => c.task.key)).toEqual(['LOW']);
      expect(await store().tasks.claimRunnable(10, LONG_LEASE)).toEqual([]);
      expect(await store().tasks.claimRunnable(0, LONG_LEASE)).toEqual([]);
    });

    it('never hands the same task to two concurrent claimers', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      await store().tasks.insertMany(Array.from({ length: 30 }, (_, i) => makeTask(doc, `K${i}`)));
      const rounds = await Promise.all([0, 1, 2].map(() => store().tasks.claimRunnable(12, LONG_LEASE)));
      const ids = rounds.flat().map((c) => c.task._id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(30);
      expect(rounds.flat().every((c) => c.task.attempt === 1)).toBe(true);
    });

    it('waits for not_before, reports when it falls, and clears it on request', async () => {
      const { tasks } = await seed(store(), ['ASR', 'NER']);
      const due = new Date(Date.now() + 3_600_000);
      expect(await store().tasks.nextDueAt()).toBeNull();
      await store().tasks.transition({ id: tasks[0]._id, from: [S.CREATED], to: S.ERROR_PROXY, msg: 'retry later', notBefore: due, retries: 'increment' });
      await store().tasks.transition({ id: tasks[1]._id, from: [S.CREATED], to: S.ERROR_PROXY, msg: 'retry now', notBefore: new Date(Date.now() - 1000) });
      expect((await store().tasks.nextDueAt())?.getTime()).toBeLessThan(Date.now());
      expect((await store().tasks.claimRunnable(10, LONG_LEASE)).map((c) => c.task.key)).toEqual(['NER']);
      expect((await store().tasks.nextDueAt())?.getTime()).toBe(due.getTime());
      // Leaving notBefore out keeps it; a retry with retries 'reset' and null clears it.
      await store().tasks.transition({ id: tasks[0]._id, from: [S.ERROR_PROXY], to: S.ERROR_PROXY, msg: 'still later' });
      expect(await store().tasks.claimRunnable(10, LONG_LEASE)).toEqual([]);
      await store().tasks.transition({ id: tasks[0]._id, from: [S.ERROR_PROXY], to: S.CREATED, msg: 'Retry', retries: 'reset', notBefore: null });
      expect(await store().tasks.nextDueAt()).toBeNull();
      expect((await store().tasks.claimRunnable(10, LONG_LEASE)).map((c) => c.task.key)).toEqual(['ASR']);
    });

    it('extends the lease of a task in 102 at the current attempt only', async () => {
      const { tasks } = await seed(store(), ['ASR', 'NER']);
      const [claim] = await store().tasks.claimRunnable(1, 50);
      expect(await store().tasks.heartbeat(claim.task._id, 0, LONG_LEASE)).toBe(false);
      expect(await store().tasks.heartbeat(claim.task._id, 1, LONG_LEASE, '40% done')).toBe(true);
      expect(await store().tasks.heartbeat(claim.task._id, undefined, LONG_LEASE)).toBe(true);
      expect(await store().tasks.heartbeat(tasks[1]._id, undefined, LONG_LEASE)).toBe(false);
      expect((await store().tasks.findById(claim.task._id))?.msg).toBe('40% done');
      await sleep(100);
      expect(await store().tasks.expireLeases(10)).toEqual([]);
    });

    it('sends a task whose lease ran out back to 201', async () => {
      await seed(store(), ['ASR', 'NER']);
      const [short] = await store().tasks.claimRunnable(1, 1);
      const [long] = await store().tasks.claimRunnable(1, LONG_LEASE);
      await sleep(50);
      const expired = await store().tasks.expireLeases(10);
      expect(expired.map((t) => [t._id, t.state, t.msg, t.attempt])).toEqual([[short.task._id, S.CREATED, 'Lease expired (attempt 1); dispatching again', 1]]);
      expect(await store().tasks.heartbeat(short.task._id, 1, LONG_LEASE)).toBe(false);
      expect((await store().tasks.findById(long.task._id))?.state).toBe(S.QUEUED);
      const [again] = await store().tasks.claimRunnable(10, LONG_LEASE);
      expect(again.task).toMatchObject({ _id: short.task._id, attempt: 2, msg: 'Lease expired (attempt 1); dispatching again' });
      expect(await store().tasks.expireLeases(0)).toEqual([]);
    });

    it('releases 412 tasks once every dependency is in 200', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      const wait = (key: string, dependsOn: string[]) => makeTask(doc, key, { state: S.UNFINISHED_DEPENDENCY, dependsOn });
      await store().tasks.insertMany([
        makeTask(doc, 'DOWNLOAD'),
        makeTask(doc, 'SHOTS'),
        wait('ASR', ['DOWNLOAD']),
        wait('NER', ['DOWNLOAD', 'ASR']),
        wait('FACES', ['DOWNLOAD', 'SHOTS']),
        wait('OCR', []),
      ]);
      const done = (key: string) => store().tasks.transition({ id: makeTask(doc, key)._id, from: [S.CREATED, S.QUEUED], to: S.SUCCESS, msg: 'Success' });
      expect(await store().tasks.releaseDependants([doc._id])).toEqual([]);
      await done('DOWNLOAD');
      const released = await store().tasks.releaseDependants([doc._id]);
      expect(released.map((t) => [t.key, t.state, t.msg])).toEqual([['ASR', S.CREATED, 'Dependencies done']]);
      await done('ASR');
      await done('SHOTS');
      expect((await store().tasks.releaseDependants([doc._id], 1)).map((t) => t.key)).toEqual(['NER']);
      expect((await store().tasks.releaseDependants([doc._id])).map((t) => t.key)).toEqual(['FACES']);
      expect((await store().tasks.findById(makeTask(doc, 'OCR')._id))?.state).toBe(S.UNFINISHED_DEPENDENCY);
      expect(await store().tasks.releaseDependants([])).toEqual([]);
    });

    it('transitions and releases the dependants they complete in one operation', async () => {
      const doc = makeDocument();
      const other = makeDocument();
      await store().documents.insertMany([doc, other]);
      await store().tasks.insertMany([
        makeTask(doc, 'DOWNLOAD', { state: S.QUEUED }),
        makeTask(doc, 'SHOTS', { state: S.SUCCESS }),
        makeTask(doc, 'X', { state: S.QUEUED }),
        makeTask(doc, 'ASR', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['DOWNLOAD'] }),
        makeTask(doc, 'FACES', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['DOWNLOAD', 'SHOTS'] }),
        makeTask(doc, 'OCR', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['DOWNLOAD', 'X'] }),
        makeTask(other, 'DOWNLOAD', { state: S.QUEUED }),
        makeTask(other, 'ASR', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['DOWNLOAD'] }),
      ]);
      const id = (d: typeof doc, key: string) => makeTask(d, key)._id;
      const { stored, released } = await store().tasks.transitionManyAndRelease([
        { id: id(doc, 'DOWNLOAD'), from: [S.QUEUED], to: S.SUCCESS, msg: 'Success' },
        // The other document's DOWNLOAD fails: its ASR stays waiting.
        { id: id(other, 'DOWNLOAD'), from: [S.QUEUED], to: S.ERROR, msg: 'Error' },
        // A condition that does not hold: null, and nothing released because of it.
        { id: id(doc, 'X'), from: [S.CREATED], to: S.SUCCESS, msg: 'Success' },
      ]);
      expect(stored.map((t) => t && [t.key, t.state])).toEqual([['DOWNLOAD', S.SUCCESS], ['DOWNLOAD', S.ERROR], null]);
      // ASR (DOWNLOAD only) and FACES (DOWNLOAD, and SHOTS done before) go; OCR still waits for X.
      expect(released.map((t) => [t.document_id, t.key, t.state, t.msg]).sort()).toEqual(
        [
          [doc._id, 'ASR', S.CREATED, 'Dependencies done'],
          [doc._id, 'FACES', S.CREATED, 'Dependencies done'],
        ].sort(),
      );
      expect((await store().tasks.findById(id(doc, 'OCR')))?.state).toBe(S.UNFINISHED_DEPENDENCY);
      expect((await store().tasks.findById(id(other, 'ASR')))?.state).toBe(S.UNFINISHED_DEPENDENCY);
      expect(await store().tasks.transitionManyAndRelease([])).toEqual({ stored: [], released: [] });
    });

    it('releases dependants across all documents, within the limit', async () => {
      const docs = [makeDocument(), makeDocument(), makeDocument()];
      for (const doc of docs) {
        await store().documents.insert(doc);
        await store().tasks.insertMany([makeTask(doc, 'DOWNLOAD', { state: S.SUCCESS }), makeTask(doc, 'ASR', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['DOWNLOAD'] })]);
      }
      expect(await store().tasks.releaseDependants(undefined, 2)).toHaveLength(2);
      expect(await store().tasks.releaseDependants()).toHaveLength(1);
      expect(await store().tasks.releaseDependants()).toEqual([]);
    });

    it('claims one task by id from the given states, whatever its back-off, once among concurrent claimers', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      await store().tasks.insertMany([makeTask(doc, 'LATER', { state: S.ERROR_PROXY, msg: 'Proxy error' }), makeTask(doc, 'DONE', { state: S.SUCCESS }), makeTask(doc, 'RACE')]);
      const [later, done, race] = ['LATER', 'DONE', 'RACE'].map((key) => makeTask(doc, key)._id);
      await store().tasks.transition({ id: later, from: [S.ERROR_PROXY], to: S.ERROR_PROXY, msg: 'Proxy error', notBefore: new Date(Date.now() + 3_600_000) });
      const claimed = await store().tasks.claimOne(later, [S.CREATED, S.ERROR_PROXY], LONG_LEASE, 'Claimed by batch run');
      expect(claimed).toMatchObject({ _id: later, state: S.QUEUED, msg: 'Claimed by batch run', attempt: 1 });
      expect(await store().tasks.claimOne(later, [S.CREATED, S.ERROR_PROXY], LONG_LEASE, 'again')).toBeNull();
      expect(await store().tasks.claimOne(done, [S.CREATED], LONG_LEASE, 'not done')).toBeNull();
      expect(await store().tasks.claimOne(done, [S.SUCCESS], LONG_LEASE, 'forced')).toMatchObject({ state: S.QUEUED, attempt: 1 });
      expect(await store().tasks.claimOne('0'.repeat(40), [S.CREATED], LONG_LEASE, 'unknown')).toBeNull();
      expect(await store().tasks.claimOne(race, [], LONG_LEASE, 'no states')).toBeNull();
      // The lease is the claim's: a heartbeat at the attempt extends it, the sweep does not take it yet.
      expect(await store().tasks.heartbeat(later, 1, LONG_LEASE, 'half way')).toBe(true);
      expect(await store().tasks.expireLeases(10)).toEqual([]);
      expect(await store().tasks.claimRunnable(10, LONG_LEASE)).toEqual([expect.objectContaining({ task: expect.objectContaining({ _id: race }) })]);

      await store().tasks.transition({ id: race, from: [S.QUEUED], to: S.CREATED, msg: 'Created' });
      const rivals = await Promise.all([0, 1, 2, 3].map((i) => store().tasks.claimOne(race, [S.CREATED], LONG_LEASE, `claimer ${i}`)));
      expect(rivals.filter((t) => t !== null)).toHaveLength(1);
      expect(await store().tasks.findById(race)).toMatchObject({ state: S.QUEUED, attempt: 2 });
    });
  });
}
