import { TaskState } from '@dane/core';
import { SweeperService } from '@dane/scheduler';
import { useSchedulerApp, TestBroker, TestWorker, newDocument, sleep, storeFor, waitFor, waitForState } from './support/scheduler-harness';

describe('scheduler leases (postgres, LEASE_SECONDS 1)', () => {
  const ctx = useSchedulerApp(new TestBroker('leases'), storeFor('postgres', 'leases'), { LEASE_SECONDS: 1, QUEUE_LEASE_SECONDS: 1, SWEEP_INTERVAL_MS: 100 });
  const { broker, workers } = ctx;

  it('dispatches again a task whose worker never answered once its lease runs out', async () => {
    // The first delivery vanishes (a worker killed mid-task); the second one is answered.
    const w = await new TestWorker(broker, 'SILENT', (r, self) =>
      self.tasksReceived(r.body.task._id).length === 1 ? undefined : { state: TaskState.SUCCESS, message: 'second time lucky' },
    ).start();
    workers.push(w);
    const doc = await newDocument(ctx.store);
    const id = await ctx.assign(doc._id, 'SILENT');
    const done = await waitForState(ctx.store, id, TaskState.SUCCESS);
    expect(done).toMatchObject({ msg: 'second time lucky', attempt: 2 });
    const attempts = w.tasksReceived(id).map((r) => r.msg.properties.headers?.['x-dane-attempt']);
    expect(attempts).toEqual([1, 2]);
    // The re-dispatched body carries the state read before the claim: the lease-expiry message.
    expect(JSON.parse(w.tasksReceived(id)[1].msg.content.toString()).task).toMatchObject({ state: TaskState.CREATED, msg: 'Lease expired (attempt 1); dispatching again' });
    expect(ctx.app.get(SweeperService).counters.expired).toBeGreaterThanOrEqual(1);
  });

  it('keeps a task alive past its lease while the worker sends heartbeats', async () => {
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const w = await new TestWorker(broker, 'LONG', async (r, self) => {
      // State-102 replies every 300 ms, as our SDK sends them, for three lease lengths.
      for (let i = 1; i <= 10; i++) {
        self.replyWithAttempt(r.msg, { state: TaskState.QUEUED, message: `working ${i}/10` }, 'heartbeat');
        await sleep(300);
      }
      finish();
      return { state: TaskState.SUCCESS, message: 'long task done' };
    }).start();
    workers.push(w);
    const doc = await newDocument(ctx.store);
    const id = await ctx.assign(doc._id, 'LONG');
    await waitFor('progress stored', async () => (await ctx.store.tasks.findById(id))!.msg.startsWith('working'));
    await finished;
    const done = await waitForState(ctx.store, id, TaskState.SUCCESS);
    expect(done).toMatchObject({ msg: 'long task done', attempt: 1 });
    expect(w.tasksReceived(id)).toHaveLength(1);
  });

  it('accepts a Python-style heartbeat (state 102, no headers) as progress', async () => {
    const w = await new TestWorker(broker, 'PYBEAT', async (r, self) => {
      for (let i = 1; i <= 5; i++) {
        self.reply(r.msg, { state: TaskState.QUEUED, message: `step ${i}` });
        await sleep(300);
      }
      return { state: TaskState.SUCCESS, message: 'ok' };
    }).start();
    workers.push(w);
    const doc = await newDocument(ctx.store);
    const id = await ctx.assign(doc._id, 'PYBEAT');
    expect(await waitForState(ctx.store, id, TaskState.SUCCESS)).toMatchObject({ attempt: 1 });
    expect(w.tasksReceived(id)).toHaveLength(1);
  });
});
