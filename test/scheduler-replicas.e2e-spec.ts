import { TestingModule } from '@nestjs/testing';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { DaneStore, TaskState, createTask } from '@dane/core';
import { DispatchService, SchedulerModule } from '@dane/scheduler';
import { TestBroker, TestWorker, newDocument, startApp, storeFor, storeOf, testEnv, waitFor, waitForState } from './support/scheduler-harness';

describe('scheduler replicas and reconnects (postgres)', () => {
  const broker = new TestBroker('replicas');
  const storage = storeFor('postgres', 'replicas');
  const apps: TestingModule[] = [];
  let store: DaneStore;
  const workers: TestWorker[] = [];

  beforeAll(async () => {
    await storage.schema?.create();
    // Two scheduler replicas, each with its own store pool and broker connection; small batches so
    // both keep claiming side by side.
    for (let i = 0; i < 2; i++) apps.push(await startApp(testEnv(broker, storage, { BATCH_SIZE: 20 }), SchedulerModule));
    store = storeOf(apps[0]);
  });

  afterAll(async () => {
    for (const w of workers) await w.stop();
    for (const app of apps) await app.close();
    await broker.cleanup();
    await storage.schema?.drop();
  });

  it('never dispatches the same attempt twice with two dispatchers on one store and one broker', async () => {
    const w = await new TestWorker(broker, 'TWIN', () => ({ state: TaskState.SUCCESS, message: 'ok' }), 50).start();
    workers.push(w);
    const docs = await Promise.all(Array.from({ length: 300 }, () => newDocument(store)));
    const tasks = docs.map((d) => createTask(d._id, { key: 'TWIN', priority: 1, args: {}, depends_on: [] }));
    // Inserted in one go, then both replicas are woken at once and race for the same rows.
    await store.tasks.insertMany(tasks);
    apps.forEach((app) => app.get(DispatchService).wake());
    await waitFor('all 300 done', async () => (await store.tasks.list({ key: 'TWIN', states: [TaskState.SUCCESS] }, { page: 1, size: 1 })).total === 300);

    const deliveries = new Map<string, number>();
    for (const r of w.received) deliveries.set(r.msg.properties.correlationId, (deliveries.get(r.msg.properties.correlationId) ?? 0) + 1);
    expect(deliveries.size).toBe(300);
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
    const [first, second] = apps.map((app) => app.get(DispatchService).counters.dispatched);
    expect(first + second).toBe(300);
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);
  });

  it('reconnects by itself when the broker connection drops, and keeps dispatching and consuming', async () => {
    // One task is in flight (its worker holds it) while the connections drop; another is assigned during the outage.
    const w = await new TestWorker(broker, 'AFTERDROP', (r) => (r.body.task.args ? undefined : { state: TaskState.SUCCESS, message: 'after the drop' })).start();
    workers.push(w);
    const held = createTask((await newDocument(store))._id, { key: 'AFTERDROP', priority: 1, args: { hold: true }, depends_on: [] });
    // The store publishes task.AFTERDROP.201 on DANE-events; the replicas' wake-up queue hears it.
    await store.tasks.insert(held);
    await waitFor('held task delivered', () => w.tasksReceived(held._id).length === 1);

    const connections = apps.map((app) => app.get(AmqpConnection));
    type Socketed = { connection: { stream: { destroy(e: Error): void } } };
    const model = (c: AmqpConnection) => c.managedConnection.connection as unknown as Socketed | undefined;
    const before = connections.map(model);
    // Cut both replicas' sockets from under them (as a network cut or broker crash would).
    for (const m of before) m!.connection.stream.destroy(new Error('connection reset (test)'));
    const fresh = createTask((await newDocument(store))._id, { key: 'AFTERDROP', priority: 1, args: {}, depends_on: [] });
    await store.tasks.insert(fresh);
    // The held task's reply waits in the durable response queue until a consumer is back.
    w.reply(w.tasksReceived(held._id)[0].msg, { state: TaskState.SUCCESS, message: 'answered across the drop' });

    await waitFor('new connections', () => connections.every((c, i) => c.connected && model(c) !== undefined && model(c) !== before[i]), 30_000);
    expect((await waitForState(store, fresh._id, TaskState.SUCCESS, 30_000)).msg).toBe('after the drop');
    expect((await waitForState(store, held._id, TaskState.SUCCESS, 30_000)).msg).toBe('answered across the drop');
  });
});
