import { TaskState, pythonJsonDumps, taskId } from '@dane/core';
import { DispatchService } from '@dane/scheduler';
import { useSchedulerApp, StoreKind, TestBroker, newDocument, storeFor, waitFor, waitForState } from './support/scheduler-harness';

describe.each<StoreKind>(['postgres', 'pglite'])('scheduler dispatch (%s)', (kind) => {
  const ctx = useSchedulerApp(new TestBroker(`dispatch-${kind}`), storeFor(kind, 'dispatch'));
  const { broker, worker } = ctx;

  it('publishes the exact task message and stores the 200 the worker answers', async () => {
    const w = await worker('ASR', () => ({ state: TaskState.SUCCESS, message: 'Success' }));
    const doc = await newDocument(ctx.store);
    const id = await ctx.assign(doc._id, 'asr', { priority: 7, args: { lang: 'nl' } });
    expect(id).toBe(taskId(doc._id, 'ASR'));

    const done = await waitForState(ctx.store, id, TaskState.SUCCESS);
    expect(done).toMatchObject({ msg: 'Success', attempt: 1 });

    const [{ msg, body }] = w.tasksReceived(id);
    expect(msg.fields.exchange).toBe(broker.exchange);
    expect(msg.fields.routingKey).toBe('Video.ASR');
    const p = msg.properties;
    expect(p).toMatchObject({ replyTo: broker.responseQueue, correlationId: id, priority: 7, deliveryMode: 2 });
    expect(p.contentType).toBeUndefined();
    expect(p.contentEncoding).toBeUndefined();
    expect(p.messageId).toBeUndefined();
    expect(p.expiration).toBeUndefined();
    expect(p.headers).toEqual({ 'x-dane-attempt': 1 });
    // The body as Python's json.dumps writes it, with the state read before the claim (201 "Created").
    const stored = (await ctx.store.tasks.findById(id))!;
    const expected = pythonJsonDumps({
      task: { key: 'ASR', _id: id, state: TaskState.CREATED, msg: 'Created', created_at: stored.created_at, updated_at: body.task.updated_at, priority: 7, args: { lang: 'nl' } },
      document: { target: doc.target, creator: doc.creator, created_at: doc.created_at, updated_at: doc.updated_at, _id: doc._id },
    });
    expect(msg.content.toString('utf8')).toBe(expected);
  });

  it('stores 422 "Unroutable task" when no queue is bound for the routing key, and says so on its dependants', async () => {
    const doc = await newDocument(ctx.store, 'Sound');
    const dependant = await ctx.assign(doc._id, 'AFTERNOBODY', { depends_on: ['NOBODY'] });
    const id = await ctx.assign(doc._id, 'NOBODY');
    const t = await waitForState(ctx.store, id, TaskState.NO_ROUTE_TO_QUEUE);
    expect(t).toMatchObject({ msg: 'Unroutable task', attempt: 1 });
    expect(ctx.app.get(DispatchService).counters.unroutable).toBeGreaterThanOrEqual(1);
    await waitFor('dependant annotated', async () => (await ctx.store.tasks.findById(dependant))!.msg === 'blocked by NOBODY: 422 NO_ROUTE_TO_QUEUE');
  });

  it('releases a depends_on chain A → B the moment A succeeds, without a worker round trip', async () => {
    const wa = await worker('STEPA', () => ({ state: TaskState.SUCCESS, message: 'A done' }));
    const wb = await worker('STEPB', () => ({ state: TaskState.SUCCESS, message: 'B done' }));
    const doc = await newDocument(ctx.store);
    const b = await ctx.assign(doc._id, 'STEPB', { depends_on: ['STEPA'] });
    expect((await ctx.store.tasks.findById(b))!.state).toBe(TaskState.UNFINISHED_DEPENDENCY);
    const a = await ctx.assign(doc._id, 'STEPA');

    await waitForState(ctx.store, a, TaskState.SUCCESS);
    const doneB = await waitForState(ctx.store, b, TaskState.SUCCESS);
    expect(doneB.msg).toBe('B done');
    // B went to its worker once, after A, and never came back with a 412.
    expect(wb.tasksReceived(b)).toHaveLength(1);
    expect(wa.tasksReceived(a)).toHaveLength(1);
    expect(JSON.parse(wb.tasksReceived(b)[0].msg.content.toString()).task.msg).toBe('Dependencies done');
  });

  it('dispatches higher priorities first', async () => {
    const order: string[] = [];
    const w = await worker('PRIO', (r) => {
      order.push(r.body.task._id);
      return { state: TaskState.SUCCESS, message: 'ok' };
    });
    await w.stop(); // the queue stays bound: messages wait in it, the broker orders them by priority
    const docs = await Promise.all([1, 2, 3].map(() => newDocument(ctx.store)));
    const low = await ctx.assign(docs[0]._id, 'PRIO', { priority: 1 });
    const high = await ctx.assign(docs[1]._id, 'PRIO', { priority: 9 });
    const mid = await ctx.assign(docs[2]._id, 'PRIO', { priority: 5 });
    await waitFor('all three claimed', async () => (await ctx.store.tasks.findByIds([low, high, mid])).every((t) => t.state === TaskState.QUEUED));
    const again = await worker('PRIO', (r) => {
      order.push(r.body.task._id);
      return { state: TaskState.SUCCESS, message: 'ok' };
    });
    await waitFor('three replies', () => order.length === 3);
    expect(order).toEqual([high, mid, low]);
    expect(again.received).toHaveLength(3);
  });
});
