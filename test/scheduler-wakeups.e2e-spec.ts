import { Logger, Type } from '@nestjs/common';
import { TestingModule } from '@nestjs/testing';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import * as amqp from 'amqplib';
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { AMQP_SETTINGS, DaneStore, TaskState, createTask } from '@dane/core';
import { queueState } from './support/amqp-queues';
import { DispatchService, EventWakeupsConsumer, LegacyWakeupQueue, SchedulerModule } from '@dane/scheduler';
import {
  AMQP_URL,
  TestBroker,
  TestWorker,
  isTransientWakeupQueue,
  newDocument,
  sleep,
  startApp,
  storeFor,
  storeOf,
  testEnv,
  waitFor,
  wakeupQueueOf,
} from './support/scheduler-harness';

/** No periodic sweep: a task reaches its worker soon only if a wake-up event wakes a scheduler. */
const NO_SWEEP = { SWEEP_INTERVAL_MS: 600_000 };

/**
 * A TCP relay to the broker whose client sides can be cut while the broker's sides stay open and
 * silent: half-open connections, as a network cut leaves them. The broker keeps such a
 * connection, and its exclusive queues, until the connection's heartbeat times out.
 */
class BrokerRelay {
  private readonly server: Server = createServer((client) => this.relay(client));
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private readonly held: Socket[] = [];
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  private relay(client: Socket): void {
    const upstream = connect(5672, '127.0.0.1');
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) s.on('error', end).on('close', end);
  }

  /** Cuts every relayed connection on the client's side only; the broker's sides stay open until `close`. */
  cutClients(): void {
    for (const pair of [...this.pairs]) {
      this.pairs.delete(pair);
      pair.client.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.client);
      pair.upstream.pause();
      pair.client.destroy();
      this.held.push(pair.upstream);
    }
  }

  async close(): Promise<void> {
    for (const s of this.held) s.destroy();
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise((r) => this.server.close(r));
  }
}

/** The JSON lines the scheduler logged with this `event` (Nest's Logger, spied on). */
function logged(spy: jest.SpyInstance, event: string): Array<Record<string, unknown>> {
  return spy.mock.calls
    .map(([line]) => {
      try {
        return JSON.parse(String(line)) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })
    .filter((l): l is Record<string, unknown> => l?.event === event);
}

describe('scheduler wake-up queues (postgres, real RabbitMQ)', () => {
  const broker = new TestBroker('wakeups');
  const storage = storeFor('postgres', 'wakeups');
  const apps: TestingModule[] = [];
  const workers: TestWorker[] = [];
  let conn: amqp.ChannelModel;

  /** Whether the broker has the queue now (another connection's exclusive queue counts), asked from the test's own connection. */
  const queueExists = async (queue: string): Promise<boolean> => (await queueState(conn, queue)) !== 'missing';
  /** Whether the queue is exclusive to another connection than the test's. */
  const lockedToAnother = async (queue: string): Promise<boolean> => (await queueState(conn, queue)) === 'locked';
  /** The durable queue earlier versions' schedulers shared, as they declared it (bound to DANE-events). */
  const declareLegacyQueue = async (b: TestBroker, queueType: 'classic' | 'quorum', waiting = 0): Promise<void> => {
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange(b.eventsExchange, 'topic', { durable: true, autoDelete: false });
    await ch.assertQueue(b.legacyWakeupQueue, { durable: true, arguments: { ...(queueType === 'quorum' ? { 'x-queue-type': 'quorum' } : {}), 'x-message-ttl': 60_000 } });
    await ch.bindQueue(b.legacyWakeupQueue, b.eventsExchange, 'task.#.201');
    for (let i = 0; i < waiting; i++) ch.sendToQueue(b.legacyWakeupQueue, Buffer.from('{}'), { persistent: true });
    await ch.waitForConfirms();
    await ch.close();
  };
  const start = async (b: TestBroker = broker, rabbit: Record<string, string> = {}, ...modules: Type<unknown>[]) => {
    const app = await startApp(testEnv(b, storage, NO_SWEEP, rabbit), ...modules);
    apps.push(app);
    return app;
  };
  /** Closes an app; golevelup then closes every broker connection of this process, so only when no other app runs. */
  const stop = async (app: TestingModule) => {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  };

  beforeAll(async () => {
    await storage.schema?.create();
    conn = await amqp.connect(AMQP_URL);
  });

  afterAll(async () => {
    for (const w of workers) await w.stop();
    for (const app of apps) await app.close();
    await conn?.close().catch(() => undefined);
    await broker.cleanup();
    await storage.schema?.drop();
  });

  describe('the durable queue earlier versions shared', () => {
    let log: jest.SpyInstance;
    beforeEach(() => {
      log = jest.spyOn(Logger.prototype, 'log');
    });
    afterEach(() => log.mockRestore());

    it('is deleted at start when no one consumes it, with one log line', async () => {
      await declareLegacyQueue(broker, 'classic', 2);
      const app = await start(broker, {}, SchedulerModule);
      await waitFor('the legacy queue deleted', async () => !(await queueExists(broker.legacyWakeupQueue)));
      await waitFor('the deletion logged', () => logged(log, 'legacy_wakeup_queue_deleted').length === 1);
      expect(logged(log, 'legacy_wakeup_queue_deleted')).toEqual([{ event: 'legacy_wakeup_queue_deleted', queue: broker.legacyWakeupQueue, messages_dropped: 2 }]);
      expect(logged(log, 'legacy_wakeup_queue_kept')).toEqual([]);
      await stop(app);
    });

    it('is kept while a scheduler of the earlier version consumes it, and deleted once that one is gone', async () => {
      await declareLegacyQueue(broker, 'classic');
      const old = await amqp.connect(AMQP_URL);
      const oldChannel = await old.createChannel();
      await oldChannel.consume(broker.legacyWakeupQueue, () => undefined);
      const app = await start(broker, {}, SchedulerModule);
      await waitFor('kept logged', () => logged(log, 'legacy_wakeup_queue_kept').length === 1);
      expect(logged(log, 'legacy_wakeup_queue_kept')[0]).toMatchObject({
        queue: broker.legacyWakeupQueue,
        reason: expect.stringMatching(/^in use/),
        consumers: 1,
        recheck_in_ms: 60_000,
      });
      expect(await queueExists(broker.legacyWakeupQueue)).toBe(true);
      // The scheduler woke through its own queue meanwhile.
      expect(await isTransientWakeupQueue(app, await wakeupQueueOf(app))).toBe(true);

      await old.close();
      // What the scheduler's next look (every minute) does, once the broker has let go of the old consumer.
      const legacy = app.get(EventWakeupsConsumer).legacy;
      const outcome = await waitFor('deleted by a later look', async () => {
        const o = await legacy.check();
        return o?.outcome === 'kept' ? undefined : o;
      });
      expect(outcome).toEqual({ outcome: 'deleted', messages: 0 });
      expect(await queueExists(broker.legacyWakeupQueue)).toBe(false);
      expect(logged(log, 'legacy_wakeup_queue_deleted')).toHaveLength(1);
      // Gone for good: no more looks.
      expect(await legacy.check()).toBeUndefined();
      await stop(app);
    });

    it('is looked at again, on a timer, until the last earlier-version consumer is gone', async () => {
      await declareLegacyQueue(broker, 'classic');
      const old = await amqp.connect(AMQP_URL);
      await (await old.createChannel()).consume(broker.legacyWakeupQueue, () => undefined);
      // A broker connection without a scheduler (its own queue would look too).
      const app = await start(broker);
      await waitFor('connected', () => app.get(AmqpConnection).connected);
      const legacy = new LegacyWakeupQueue(app.get(AmqpConnection), app.get(AMQP_SETTINGS), 200);
      try {
        expect(await legacy.check()).toEqual({ outcome: 'kept', consumers: 1, messages: 0 });
        await old.close();
        await waitFor('deleted by a later look', async () => !(await queueExists(broker.legacyWakeupQueue)), 10_000);
      } finally {
        legacy.stop();
        await stop(app);
      }
    });

    it('is deleted when it is a quorum queue too (RABBITMQ.QUEUE_TYPE quorum: no if-unused, which closes the connection)', async () => {
      const quorum = new TestBroker('wakeups-quorum');
      try {
        await declareLegacyQueue(quorum, 'quorum', 1);
        const app = await start(quorum, { QUEUE_TYPE: 'quorum' }, SchedulerModule);
        const connection = app.get(AmqpConnection);
        await waitFor('connected', () => connection.connected);
        const model = connection.managedConnection.connection;
        await waitFor('the quorum legacy queue deleted', async () => !(await queueExists(quorum.legacyWakeupQueue)));
        await waitFor('the deletion logged', () => logged(log, 'legacy_wakeup_queue_deleted').length === 1);
        expect(logged(log, 'legacy_wakeup_queue_deleted')).toEqual([{ event: 'legacy_wakeup_queue_deleted', queue: quorum.legacyWakeupQueue, messages_dropped: 1 }]);
        // Same connection as before: nothing the look did closed it. (Compared as a boolean: a failed
        // matcher holding the connection itself cannot be reported by jest's workers, it is circular.)
        expect({ sameConnection: connection.managedConnection.connection === model }).toEqual({ sameConnection: true });
        expect(await isTransientWakeupQueue(app, await wakeupQueueOf(app))).toBe(true);
        await stop(app);
      } finally {
        await quorum.cleanup();
      }
    });
  });

  describe('one transient queue per scheduler process', () => {
    const relay = new BrokerRelay();
    let a: TestingModule;
    let b: TestingModule;
    /** A process that only writes to the store and publishes its DANE-events, like the api. */
    let publisher: TestingModule;
    let store: DaneStore;
    let worker: TestWorker;
    const KEY = `WAKE${broker.id.toUpperCase()}`;
    const consumerOf = (app: TestingModule) => app.get(EventWakeupsConsumer);
    const newTask = async (via: DaneStore) => {
      const task = createTask((await newDocument(via))._id, { key: KEY, priority: 1, args: {}, depends_on: [] });
      await via.tasks.insert(task);
      return task._id;
    };

    beforeAll(async () => {
      await relay.start();
      worker = await new TestWorker(broker, KEY, () => ({ state: TaskState.SUCCESS, message: 'ok' })).start();
      workers.push(worker);
      // Scheduler A reaches the broker through the relay, so the test can cut its connection.
      a = await start(broker, { PORT: String(relay.port) }, SchedulerModule);
      b = await start(broker, {}, SchedulerModule);
      publisher = await start(broker);
      store = storeOf(publisher);
    });

    afterAll(async () => {
      for (const app of [a, b, publisher]) if (app && apps.includes(app)) await stop(app);
      await relay.close();
    });

    it('gives each scheduler process its own exclusive, auto-delete, non-durable classic queue with the 60 s TTL', async () => {
      const [qa, qb] = [await wakeupQueueOf(a), await wakeupQueueOf(b)];
      const name = new RegExp(`^DANE-wakeups-${broker.id}-scheduler-wakeups-[0-9a-f]{12}$`);
      expect(qa).toMatch(name);
      expect(qb).toMatch(name);
      expect(qa).not.toBe(qb);
      expect(await isTransientWakeupQueue(a, qa)).toBe(true);
      expect(await isTransientWakeupQueue(b, qb)).toBe(true);
      // Each is exclusive to its own process's connection.
      expect(await isTransientWakeupQueue(a, qb)).toBe(false);
      expect(await lockedToAnother(qa)).toBe(true);
      expect(await lockedToAnother(qb)).toBe(true);
    });

    it('wakes every scheduler for a task assigned in another process; the claim lets one dispatch it', async () => {
      const before = [a, b].map((app) => ({ ...consumerOf(app).counters }));
      const dispatched = [a, b].map((app) => app.get(DispatchService).counters.dispatched);
      const id = await newTask(store);
      await waitFor('delivered to the worker', () => worker.tasksReceived(id).length === 1, 10_000);
      await waitFor('both schedulers heard it', () => [a, b].every((app, i) => consumerOf(app).counters.events > before[i].events));
      [a, b].forEach((app, i) => expect(consumerOf(app).counters.echoes).toBe(before[i].echoes));
      const sent = () => [a, b].reduce((n, app, i) => n + app.get(DispatchService).counters.dispatched - dispatched[i], 0);
      await waitFor('counted as dispatched', () => sent() === 1);
      await sleep(200);
      expect(sent()).toBe(1);
      expect(worker.tasksReceived(id)).toHaveLength(1);
    });

    it("wakes a scheduler in process for its own event; the broker's copy of it wakes that one nobody, the others as usual", async () => {
      const before = [a, b].map((app) => ({ ...consumerOf(app).counters }));
      const id = await newTask(storeOf(a));
      expect(consumerOf(a).counters.local).toBe(before[0].local + 1);
      await waitFor('delivered to the worker', () => worker.tasksReceived(id).length === 1, 10_000);
      await waitFor("A's echo", () => consumerOf(a).counters.echoes === before[0].echoes + 1);
      await waitFor('B heard it', () => consumerOf(b).counters.events > before[1].events);
      expect(consumerOf(b).counters.echoes).toBe(before[1].echoes);
    });

    it('after a cut connection, subscribes to a queue with a new name (the old one is still held by the half-open connection) and hears wake-ups through it', async () => {
      const old = await wakeupQueueOf(a);
      const connection = a.get(AmqpConnection);
      const oldModel = connection.managedConnection.connection;
      relay.cutClients();
      const fresh = await waitFor('a new wake-up queue', () => (consumerOf(a).queue !== old ? consumerOf(a).queue : undefined), 30_000);
      expect({ newConnection: connection.managedConnection.connection !== oldModel }).toEqual({ newConnection: true });
      expect(fresh).toMatch(new RegExp(`^DANE-wakeups-${broker.id}-scheduler-wakeups-[0-9a-f]{12}$`));
      expect(await isTransientWakeupQueue(a, fresh)).toBe(true);
      // The broker still holds the old connection and its exclusive queue: declaring that name
      // again, as a subscriber with a fixed name would on reconnect, is refused.
      expect(await lockedToAnother(old)).toBe(true);
      const ch = await (connection.managedConnection.connection as unknown as amqp.ChannelModel).createChannel();
      ch.on('error', () => undefined);
      await expect(
        ch.assertQueue(old, { exclusive: true, autoDelete: true, durable: false, arguments: { 'x-queue-type': 'classic', 'x-message-ttl': 60_000 } }),
      ).rejects.toMatchObject({
        code: 405,
      });

      // The new queue is bound: A hears the next task's event (A or B dispatches it).
      const events = consumerOf(a).counters.events;
      const id = await newTask(store);
      await waitFor('A woken through its new queue', () => consumerOf(a).counters.events > events, 10_000);
      await waitFor('delivered to the worker after the cut', () => worker.tasksReceived(id).length === 1, 10_000);
    });
  });
});
