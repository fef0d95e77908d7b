import { TaskState } from '@dane/core';
import { DispatchService } from '@dane/scheduler';
import { useSchedulerApp, TestBroker, newDocument, storeFor, waitFor, waitForState } from './support/scheduler-harness';

// After a broker restart the exchange's bindings are gone until workers re-declare them (docs/protocol.md, Topology): a task
// published in that window must not be parked in 422 waiting for a person.
describe('scheduler: unroutable just after the broker connection opened (postgres, grace 60 s)', () => {
  const ctx = useSchedulerApp(new TestBroker('unroutable-grace'), storeFor('postgres', 'unroutable_grace'), { UNROUTABLE_GRACE_SECONDS: 60 });

  it('retries an unroutable task within the grace window, and runs it once a worker binds its queue', async () => {
    const doc = await newDocument(ctx.store);
    const id = await ctx.assign(doc._id, 'LATEBIND');
    const retried = await waitFor('an unroutable attempt retried', async () => {
      const t = (await ctx.store.tasks.findById(id))!;
      return t.attempt >= 2 ? t : undefined;
    });
    expect(retried!.state).not.toBe(TaskState.NO_ROUTE_TO_QUEUE);
    expect(ctx.app.get(DispatchService).counters.unroutable).toBe(0);
    await ctx.worker('LATEBIND', () => ({ state: TaskState.SUCCESS, message: 'bound late, done' }));
    const done = await waitForState(ctx.store, id, TaskState.SUCCESS);
    expect(done.msg).toBe('bound late, done');
  });
});
