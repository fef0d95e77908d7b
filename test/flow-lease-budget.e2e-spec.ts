import { TestingModule } from '@nestjs/testing';
import { DaneStore, TaskState, createTask } from '@dane/core';
import { SchedulerModule, SweeperService } from '@dane/scheduler';
import { useSchedulerApp, TestBroker, TestWorker, newDocument, sleep, startApp, storeFor, storeOf, testEnv, waitFor, waitForState } from './support/scheduler-harness';

/**
 * A worker that dies on every task (the message vanishes, no reply ever comes) must not make the
 * task loop forever: each lost lease is a retry of the key, and once they are spent the task waits
 * in 500 for a person, its dependants saying what blocks them.
 */
describe('flow: lease expiries spend the retry budget (postgres, LEASE_SECONDS 1, MAX_RETRIES 2)', () => {
  const ctx = useSchedulerApp(
    new TestBroker('flowbudget'),
    storeFor('postgres', 'flowbudget'),
    { LEASE_SECONDS: 1, QUEUE_LEASE_SECONDS: 1, SWEEP_INTERVAL_MS: 100, MAX_RETRIES: 2 },
    30_000,
  );
  const { broker, workers } = ctx;

  it('parks a task whose worker is lost on every attempt in 500 after MAX_RETRIES re-dispatches, blocking its dependants', async () => {
    // Starts the task (one heartbeat, as the SDK sends while a callback runs), then goes silent
    // for good and acknowledges the message: the worker "died" mid-task.
    const w = await new TestWorker(broker, 'CRASHY', (r, self) => {
      self.replyWithAttempt(r.msg, { state: TaskState.QUEUED, message: 'started' }, 'heartbeat');
      return undefined;
    }).start();
    workers.push(w);
    const doc = await newDocument(ctx.store);
    const dependant = await ctx.assign(doc._id, 'AFTERCRASHY', { depends_on: ['CRASHY'] });
    const id = await ctx.assign(doc._id, 'CRASHY');

    const lost = await waitForState(ctx.store, id, TaskState.ERROR, 30_000);
    expect(lost).toMatchObject({ attempt: 3, retries: 2, msg: 'Worker lost (lease expired on attempt 3) — retries spent (2 of 2)' });
    expect(w.tasksReceived(id).map((r) => r.msg.properties.headers?.['x-dane-attempt'])).toEqual([1, 2, 3]);
    await waitFor('dependant annotated', async () => (await ctx.store.tasks.findById(dependant))!.msg === 'blocked by CRASHY: 500 ERROR');
    expect((await ctx.store.tasks.findById(dependant))!.state).toBe(TaskState.UNFINISHED_DEPENDENCY);
    expect(ctx.app.get(SweeperService).counters.workerLost).toBeGreaterThanOrEqual(1);

    // Nothing loops: two more lease lengths later it was not dispatched again.
    await sleep(2_500);
    expect(w.tasksReceived(id)).toHaveLength(3);
    expect((await ctx.store.tasks.findById(id))!.state).toBe(TaskState.ERROR);
  });

  it('counts a lost worker once, and a success clears the retries used', async () => {
    const w = await new TestWorker(broker, 'FLAKY', (r, self) => {
      if (self.tasksReceived(r.body.task._id).length > 1) return { state: TaskState.SUCCESS, message: 'ok' };
      self.replyWithAttempt(r.msg, { state: TaskState.QUEUED, message: 'started' }, 'heartbeat');
      return undefined;
    }).start();
    workers.push(w);
    const doc = await newDocument(ctx.store);
    const id = await ctx.assign(doc._id, 'FLAKY');
    expect(await waitForState(ctx.store, id, TaskState.SUCCESS, 20_000)).toMatchObject({ attempt: 2, retries: 0 });
    // The second dispatch carries the state read before its claim: the lost worker, counted once.
    expect(w.tasksReceived(id)[1].body.task).toMatchObject({ state: TaskState.CREATED, msg: 'Worker lost (lease expired on attempt 1); dispatching again — retry 1 of 2' });
  });

  it('never parks a task that only waited in a queue nobody consumes (no heartbeat: no worker was lost)', async () => {
    // A bound queue whose only consumer has gone: messages pile up, leases run out, nothing answers.
    const gone = await new TestWorker(broker, 'BACKLOG', () => undefined).start();
    await gone.stop();
    const doc = await newDocument(ctx.store);
    const id = await ctx.assign(doc._id, 'BACKLOG');
    // Four lease lengths: more expiries than MAX_RETRIES (2).
    await waitFor('three lease expiries', async () => (await ctx.store.tasks.findById(id))!.attempt >= 4, 20_000);
    const t = (await ctx.store.tasks.findById(id))!;
    expect(t.state === TaskState.QUEUED || t.state === TaskState.CREATED).toBe(true);
    expect(t.retries).toBe(0);
  });
});

describe('flow: the stuck-task report (postgres, STUCK_AFTER_SECONDS 1, no periodic sweep)', () => {
  const broker = new TestBroker('flowstuck');
  const storage = storeFor('postgres', 'flowstuck');
  let app: TestingModule;
  let store: DaneStore;

  beforeAll(async () => {
    await storage.schema?.create();
    // One sweep at start-up, then none for ten minutes: the test plays a scheduler whose release is lost.
    app = await startApp(testEnv(broker, storage, { SWEEP_INTERVAL_MS: 600_000, STUCK_AFTER_SECONDS: 1 }), SchedulerModule);
    store = storeOf(app);
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await broker.cleanup();
    await storage.schema?.drop();
  });

  it('reports a 412 task whose dependencies are all done, and no task that is merely waiting', async () => {
    const sweeper = app.get(SweeperService);
    // The start-up sweep must be over, or it would release the task this test "loses" (sweep() joins one in flight).
    await waitFor('the start-up sweep', () => sweeper.counters.sweeps >= 1);
    await sweeper.sweep();
    const doc = await newDocument(store);
    const done = { ...createTask(doc._id, { key: 'DOWNLOAD', priority: 1, args: {}, depends_on: [] }), state: TaskState.SUCCESS, msg: 'Success' };
    const failed = { ...createTask(doc._id, { key: 'SHOTS', priority: 1, args: {}, depends_on: [] }), state: TaskState.ERROR, msg: 'Error' };
    const missed = { ...createTask(doc._id, { key: 'ASR', priority: 1, args: {}, depends_on: ['DOWNLOAD'] }), state: TaskState.UNFINISHED_DEPENDENCY };
    const blocked = { ...createTask(doc._id, { key: 'FACES', priority: 1, args: {}, depends_on: ['SHOTS'] }), state: TaskState.UNFINISHED_DEPENDENCY };
    // Written straight into the store, so no release runs: the "lost release" an operator must hear about.
    await store.tasks.insertMany([done, failed, missed, blocked]);
    expect((await sweeper.reportStuck()).release_missed).toBe(0);
    await sleep(1_300);
    const counts = await sweeper.reportStuck();
    expect(counts).toEqual({ lease_not_swept: 0, not_dispatched: 0, release_missed: 1 });
    expect(sweeper.counters.stuck).toBe(1);
    // The sweep heals it; the next report is clean.
    await sweeper.sweep();
    expect((await store.tasks.findById(missed._id))!.state).not.toBe(TaskState.UNFINISHED_DEPENDENCY);
    expect((await sweeper.reportStuck()).release_missed).toBe(0);
  });
});
