import { PARKED_UNTIL, TaskState } from '@dane/core';
import { makeTask } from '@dane/core/storage/sql/store-contract.fixtures';
import { useSchedulerApp, TestBroker, newDocument, sleep, storeFor, waitFor } from './support/scheduler-harness';

/**
 * A worker that keeps answering 412 for what the server sees otherwise (issue 13, item 4; docs/protocol.md,
 * Dependencies): a Python DANE worker reading its dependencies from Elasticsearch while the server stores in
 * PostgreSQL says DOWNLOAD is unfinished for ever, though the server has it in 200. Waiting in 412 would release
 * the task at once and dispatch it again, without end. Each such 412 counts against the retry budget instead (with
 * back-off); then the task waits for a person with a message naming the dependency and the likely cause. The
 * worker is raw amqplib replying as Python does (TestWorker), against the real RabbitMQ and PostgreSQL.
 */
describe('a worker that answers 412 for dependencies the server has done (postgres)', () => {
  const MAX_RETRIES = 2;
  const ctx = useSchedulerApp(new TestBroker('disputed'), storeFor('postgres', 'disputed'), { MAX_RETRIES });
  const { worker } = ctx;

  /** A document whose `key` task the server has in 200. */
  async function documentWithDone(key: string): Promise<string> {
    const doc = await newDocument(ctx.store);
    // Nobody serves `key` here: it is stored done, as a worker's 200 would have left it.
    await ctx.store.tasks.insert(makeTask(doc, key, { state: TaskState.SUCCESS, msg: 'downloaded' }));
    return doc._id;
  }

  /** Waits until the task's retries are spent, then checks nothing dispatches it again. */
  async function parkedAfter(id: string, deliveries: () => number) {
    const parked = await waitFor('retries spent', async () => {
      const t = await ctx.store.tasks.findById(id);
      return t?.msg.includes('retries spent') ? t : null;
    });
    const seen = deliveries();
    await sleep(1000);
    expect(deliveries()).toBe(seen);
    expect((await ctx.store.tasks.findById(id))!).toMatchObject({ state: parked.state, attempt: parked.attempt, msg: parked.msg });
    expect((await ctx.store.tasks.nextDueAt())!.getTime()).toBeGreaterThanOrEqual(PARKED_UNTIL.getTime());
    // It needs a person by the one definition the API, the dashboard and `dane watch` ask (lifecycle/needs-person.ts).
    expect((await ctx.store.tasks.list({ needsPerson: true }, { page: 1, size: 100 })).items.map((t) => t._id)).toContain(id);
    return { parked, deliveries: seen };
  }

  it('the Python way (the worker names DOWNLOAD in its 412): a bounded number of deliveries, then waits for a person, naming DOWNLOAD', async () => {
    const w = await worker('PYDIARIZE', () => ({ state: TaskState.UNFINISHED_DEPENDENCY, message: 'Unfinished dependencies', dependencies: ['DOWNLOAD'] }));
    const docId = await documentWithDone('DOWNLOAD');
    const id = await ctx.assign(docId, 'PYDIARIZE');
    const { parked, deliveries } = await parkedAfter(id, () => w.tasksReceived(id).length);
    // One run, then one per retry of the budget.
    expect(deliveries).toBe(MAX_RETRIES + 1);
    expect(parked).toMatchObject({
      state: TaskState.CREATED,
      attempt: MAX_RETRIES + 1,
      retries: MAX_RETRIES,
      msg: `Unfinished dependencies: the worker says DOWNLOAD is unfinished but the server has it done (200) — does the worker read another store? — retries spent (${MAX_RETRIES} of ${MAX_RETRIES}), attempt ${MAX_RETRIES + 1}`,
    });
  });

  it('with depends_on declared by the submitter (dispatched as dependencies-done): the same bound and message', async () => {
    const w = await worker('DECLARED', () => ({ state: TaskState.UNFINISHED_DEPENDENCY, message: 'Unfinished dependencies', dependencies: [{ key: 'DOWNLOAD' }] }));
    const docId = await documentWithDone('DOWNLOAD');
    const id = await ctx.assign(docId, 'DECLARED', { depends_on: ['DOWNLOAD'] });
    const { parked, deliveries } = await parkedAfter(id, () => w.tasksReceived(id).length);
    expect(deliveries).toBe(MAX_RETRIES + 1);
    expect(w.tasksReceived(id).every((r) => r.msg.properties.headers?.['x-dane-dependencies-done'] === true)).toBe(true);
    expect(parked.msg).toMatch(/the worker says DOWNLOAD is unfinished but the server has it done \(200\) — does the worker read another store\? — retries spent/);
  });

  it('a worker that keeps naming a key the server cannot assign: bounded too, the key named', async () => {
    const w = await worker('BADDEP', () => ({ state: TaskState.UNFINISHED_DEPENDENCY, message: 'Unfinished dependencies', dependencies: ['down load'] }));
    const doc = await newDocument(ctx.store);
    const id = await ctx.assign(doc._id, 'BADDEP');
    const { parked, deliveries } = await parkedAfter(id, () => w.tasksReceived(id).length);
    expect(deliveries).toBe(MAX_RETRIES + 1);
    expect(parked.state).toBe(TaskState.CREATED);
    expect(parked.msg).toMatch(
      /^Unfinished dependencies: the worker names a dependency the server cannot assign: "down load" \(.+\) — is the worker's dependency list wrong\? — retries spent \(2 of 2\), attempt 3$/,
    );
    // Nothing was assigned for it.
    expect((await ctx.store.tasks.list({ documentId: doc._id }, { page: 1, size: 10 })).items.map((t) => t.key)).toEqual(['BADDEP']);
  });
});
