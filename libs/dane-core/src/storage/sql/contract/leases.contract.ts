import { LeaseExpiryBudget, leaseExpiredMessage, workerLostMessage, workerLostRetryMessage } from '../../../lifecycle/lease-expiry';
import { TaskState } from '@dane/protocol';
import { DaneStore, StuckTask } from '../../store.port';
import { makeDocument, makeTask, seed, sleep } from '../store-contract.fixtures';

const S = TaskState;
const LONG_LEASE = 60_000;
/** The lease of these tests: short, so it runs out while the test waits. */
const LEASE = 40;

/**
 * Claims every runnable task with a short lease; the ones named in `beating` get one heartbeat (a
 * worker had them), then all leases run out.
 */
async function claimAndLose(store: DaneStore, beating: 'all' | string[] = 'all', expected = 1): Promise<void> {
  const claimed = await store.tasks.claimRunnable(10, LEASE);
  expect(claimed).toHaveLength(expected);
  await sleep(5);
  for (const c of claimed) {
    if (beating === 'all' || beating.includes(c.task.key)) expect(await store.tasks.heartbeat(c.task._id, c.task.attempt, LEASE)).toBe(true);
  }
  await sleep(LEASE + 40);
}

function ofTask(stuck: StuckTask[], id: string): StuckTask[] {
  return stuck.filter((s) => s.task._id === id);
}

export function leaseContract(store: () => DaneStore): void {
  describe('lease budget and stuck tasks', () => {
    it('counts a lost worker as a retry of the key and parks the task in 500 once they are spent', async () => {
      const budget: LeaseExpiryBudget = { maxRetries: 2, maxRetriesPerKey: {} };
      const { tasks } = await seed(store(), ['ASR']);
      const id = tasks[0]._id;
      for (let attempt = 1; attempt <= 2; attempt++) {
        await claimAndLose(store());
        const [expired] = await store().tasks.expireLeases(10, budget);
        expect(expired).toMatchObject({ _id: id, state: S.CREATED, msg: workerLostRetryMessage(attempt, attempt, 2), attempt, retries: attempt });
      }
      expect((await store().tasks.findById(id))!.msg).toBe('Worker lost (lease expired on attempt 2); dispatching again — retry 2 of 2');
      await claimAndLose(store());
      const [lost] = await store().tasks.expireLeases(10, budget);
      expect(lost).toMatchObject({ _id: id, state: S.ERROR, attempt: 3, retries: 2 });
      expect(lost.msg).toBe(workerLostMessage(3, 2));
      expect(lost.msg).toBe('Worker lost (lease expired on attempt 3) — retries spent (2 of 2)');
      // A person's decision now: never claimed again, nothing left to expire.
      expect(await store().tasks.claimRunnable(10, LONG_LEASE)).toEqual([]);
      expect(await store().tasks.expireLeases(10, budget)).toEqual([]);
      expect(await store().tasks.findById(id)).toMatchObject({ state: S.ERROR, retries: 2 });
    });

    it('gives a published task nobody started the queue lease, but not a started one or another attempt', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      await store().tasks.insertMany(['QUEUED', 'STARTED', 'STALE'].map((k) => makeTask(doc, k)));
      const claimed = await store().tasks.claimRunnable(10, LEASE);
      const byKey = Object.fromEntries(claimed.map((c) => [c.task.key, c.task]));
      expect(await store().tasks.heartbeat(byKey.STARTED._id, byKey.STARTED.attempt, LEASE)).toBe(true);
      const confirmed = ['QUEUED', 'STARTED'].map((k) => ({ id: byKey[k]._id, attempt: byKey[k].attempt }));
      confirmed.push({ id: byKey.STALE._id, attempt: byKey.STALE.attempt + 1 });
      expect(await store().tasks.confirmPublished(confirmed, LONG_LEASE)).toBe(1);
      expect(await store().tasks.confirmPublished([], LONG_LEASE)).toBe(0);
      await sleep(LEASE + 40);
      const expired = await store().tasks.expireLeases(10);
      expect(expired.map((t) => t.key).sort()).toEqual(['STALE', 'STARTED']);
      expect(await store().tasks.findById(byKey.QUEUED._id)).toMatchObject({ state: S.QUEUED });
    });

    it('takes the per-key limit over the default', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      await store().tasks.insertMany([makeTask(doc, 'ASR'), makeTask(doc, 'NER')]);
      const budget: LeaseExpiryBudget = { maxRetries: 3, maxRetriesPerKey: { ASR: 0 } };
      await claimAndLose(store(), 'all', 2);
      const expired = await store().tasks.expireLeases(10, budget);
      expect(Object.fromEntries(expired.map((t) => [t.key, [t.state, t.retries, t.msg]]))).toEqual({
        ASR: [S.ERROR, 0, workerLostMessage(1, 0)],
        NER: [S.CREATED, 1, workerLostRetryMessage(1, 1, 3)],
      });
    });

    it('does not count a lease that ran out without a heartbeat (still queued), nor anything without a budget', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      await store().tasks.insertMany([makeTask(doc, 'QUEUED'), makeTask(doc, 'WORKED')]);
      const budget: LeaseExpiryBudget = { maxRetries: 0, maxRetriesPerKey: {} };
      // With no retries at all, a worker-lost task is parked at once; a never-picked-up one never is.
      for (let attempt = 1; attempt <= 3; attempt++) {
        await claimAndLose(store(), attempt === 3 ? ['WORKED'] : [], 2);
        const expired = await store().tasks.expireLeases(10, budget);
        const byKey = Object.fromEntries(expired.map((t) => [t.key, t]));
        expect(byKey.QUEUED).toMatchObject({ state: S.CREATED, retries: 0, attempt, msg: leaseExpiredMessage(attempt) });
        expect(byKey.WORKED).toMatchObject(attempt === 3 ? { state: S.ERROR, msg: workerLostMessage(3, 0) } : { state: S.CREATED, retries: 0 });
      }
      // No budget: the old rule, nothing counted even after a heartbeat.
      await claimAndLose(store(), 'all', 1);
      expect(await store().tasks.expireLeases(10)).toEqual([expect.objectContaining({ key: 'QUEUED', state: S.CREATED, retries: 0, msg: leaseExpiredMessage(4) })]);
    });

    it('leaves a task whose lease is fresh alone, and expires in batches of the limit', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      await store().tasks.insertMany(['A', 'B', 'C'].map((k) => makeTask(doc, k)));
      await store().tasks.claimRunnable(2, 1);
      await store().tasks.claimRunnable(1, LONG_LEASE);
      await sleep(20);
      const budget = { maxRetries: 5, maxRetriesPerKey: {} };
      expect(await store().tasks.expireLeases(1, budget)).toHaveLength(1);
      expect(await store().tasks.expireLeases(10, budget)).toHaveLength(1);
      expect(await store().tasks.expireLeases(10, budget)).toEqual([]);
      expect(await store().tasks.expireLeases(0, budget)).toEqual([]);
    });

    it('reports runnable tasks nobody claimed, but not fresh ones or parked back-offs', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      const [waiting, parked, due] = [makeTask(doc, 'ASR'), makeTask(doc, 'NER'), makeTask(doc, 'OCR')];
      await store().tasks.insertMany([waiting, parked, due]);
      await store().tasks.transition({ id: parked._id, from: [S.CREATED], to: S.ERROR_PROXY, msg: 'parked', notBefore: new Date('9999-12-31T00:00:00Z') });
      await store().tasks.transition({ id: due._id, from: [S.CREATED], to: S.ERROR_PROXY, msg: 'due', notBefore: new Date(Date.now() - 60_000) });
      expect(await store().tasks.findStuck(60_000, 10)).toEqual([]);
      await sleep(60);
      const stuck = await store().tasks.findStuck(30, 10);
      expect(stuck.map((s) => [s.reason, s.task.key]).sort()).toEqual([
        ['not_dispatched', 'ASR'],
        ['not_dispatched', 'OCR'],
      ]);
      const [asr] = ofTask(stuck, waiting._id);
      expect(asr.task).toMatchObject({ state: S.CREATED, document_id: doc._id });
      expect(asr.since.getTime()).toBeLessThan(Date.now() - 30);
      expect(await store().tasks.findStuck(30, 1)).toHaveLength(1);
      expect(await store().tasks.findStuck(30, 0)).toEqual([]);
    });

    it('reports a 102 task whose lease ran out and was not swept, never one whose lease is fresh', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      await store().tasks.insertMany([makeTask(doc, 'LOST', { priority: 9 }), makeTask(doc, 'ALIVE', { priority: 1 })]);
      const [lost] = await store().tasks.claimRunnable(1, 1);
      const [alive] = await store().tasks.claimRunnable(1, 100);
      await sleep(60);
      // The live one heartbeats; the lost one does not.
      expect(await store().tasks.heartbeat(alive.task._id, 1, LONG_LEASE, 'working')).toBe(true);
      const stuck = await store().tasks.findStuck(30, 10);
      expect(stuck.map((s) => [s.reason, s.task._id])).toEqual([['lease_not_swept', lost.task._id]]);
      expect(stuck[0].task.state).toBe(S.QUEUED);
      expect(stuck[0].since.getTime()).toBeLessThanOrEqual(lost.leaseUntil.getTime() + 1000);
      await store().tasks.expireLeases(10);
      expect(await store().tasks.findStuck(30, 10)).toEqual(expect.not.arrayContaining([expect.objectContaining({ reason: 'lease_not_swept' })]));
    });

    it('reports a 412 task whose dependencies are all done, not one blocked by a failed dependency', async () => {
      const doc = makeDocument();
      await store().documents.insert(doc);
      await store().tasks.insertMany([
        makeTask(doc, 'DOWNLOAD', { state: S.SUCCESS }),
        makeTask(doc, 'SHOTS', { state: S.ERROR }),
        makeTask(doc, 'ASR', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['DOWNLOAD'] }),
        makeTask(doc, 'FACES', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['DOWNLOAD', 'SHOTS'] }),
        makeTask(doc, 'OCR', { state: S.UNFINISHED_DEPENDENCY, dependsOn: ['MISSING'] }),
      ]);
      expect(await store().tasks.findStuck(60_000, 10)).toEqual([]);
      await sleep(60);
      const stuck = await store().tasks.findStuck(30, 10);
      expect(stuck.map((s) => [s.reason, s.task.key])).toEqual([['release_missed', 'ASR']]);
      expect(stuck[0].task.depends_on).toEqual(['DOWNLOAD']);
      // Released: no longer stuck.
      await store().tasks.releaseDependants([doc._id]);
      expect((await store().tasks.findStuck(30, 10)).filter((s) => s.reason === 'release_missed')).toEqual([]);
    });
  });
}
