import * as amqp from 'amqplib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskState } from '@dane/core';
import {
  BrokerNames,
  Build,
  DaneServer,
  DaneSetup,
  NodeProcess,
  PrivateRabbit,
  TestDatabase,
  buildPrivateDist,
  createDatabase,
  startTestkitWorker,
  taskRow,
  waitFor,
} from './support/dane-processes';

const CONSUMER_TIMEOUT_MS = 3_000;

/**
 * RabbitMQ closes the channel of a consumer that holds a delivery longer than its consumer timeout (30 min by
 * default, what killed long Python tasks; docs/protocol.md, Connections and long tasks). RabbitMQ 3.10 has no
 * per-queue x-consumer-timeout, and the shared broker's global setting must not change under other tests, so
 * this file starts a RabbitMQ node of its own with consumer_timeout = 3 s and runs the compiled server and an
 * SDK worker against it: a task of 9 s must complete normally.
 */
describe('flow across processes: a task longer than the broker consumer timeout (private RabbitMQ, consumer_timeout 3 s)', () => {
  const names = new BrokerNames('acktimeout');
  const key = names.key('LONG');
  const rabbit = new PrivateRabbit();
  let build: Build;
  let db: TestDatabase;
  let home: string;
  let setup: DaneSetup;
  let server: DaneServer;
  const workers: NodeProcess[] = [];

  beforeAll(async () => {
    if (!PrivateRabbit.available()) throw new Error(`This test starts its own RabbitMQ node and needs the server scripts in ${PrivateRabbit.SBIN}`);
    [build, db, home] = await Promise.all([
      buildPrivateDist('acktimeout'),
      createDatabase('acktimeout'),
      mkdtemp(join(tmpdir(), 'dane-e2e-home-')),
      rabbit.start(CONSUMER_TIMEOUT_MS),
    ]);
    setup = { build, db, names, home, amqpPort: rabbit.port };
    server = await new DaneServer(setup, { LEASE_SECONDS: 3, SWEEP_INTERVAL_MS: 200 }).start();
  }, 300_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await server?.stop();
    await rabbit.stop();
    await db?.drop();
    await build?.remove();
    if (home) await rm(home, { recursive: true, force: true });
  }, 120_000);

  it('runs a node whose consumer timeout really closes the channel of a consumer that holds a delivery too long', async () => {
    const env = await rabbit.environment();
    expect(env).toContain(`{consumer_timeout,${CONSUMER_TIMEOUT_MS}}`);
    expect(env).toContain('{channel_tick_interval,1000}');

    // The control: a plain consumer that never acks is cut off by the broker.
    const conn = await amqp.connect(rabbit.url);
    try {
      const ch = await conn.createChannel();
      const closed = new Promise<string>((resolve) => {
        ch.on('error', (err: Error) => resolve(err.message));
        ch.on('close', () => resolve('closed'));
      });
      const q = `control-${names.id}`;
      await ch.assertQueue(q, { durable: false, autoDelete: true });
      ch.sendToQueue(q, Buffer.from('hold me'));
      let delivered = false;
      await ch.consume(q, () => (delivered = true), { noAck: false });
      let timer: NodeJS.Timeout | undefined;
      const reason = await Promise.race([closed, new Promise<string>((r) => (timer = setTimeout(() => r('still open after 20 s'), 20_000)))]);
      clearTimeout(timer);
      expect(delivered).toBe(true);
      expect(reason).toMatch(/PRECONDITION_FAILED - delivery acknowledgement on channel \d+ timed out/);
    } finally {
      await conn.close().catch(() => undefined);
    }
  }, 30_000);

  it('completes a 9 s task: the SDK acks it early and the server lease, kept alive by heartbeats, covers it', async () => {
    const w = await startTestkitWorker(setup, { key, name: 'worker-long', sleepMs: 9_000, heartbeatMs: 500, ackDeadlineMs: 1_000 });
    workers.push(w);
    const { taskId } = await server.submit(key);
    await w.waitForEvent('task started', (e) => e.event === 'testkit_sleeping' && e.task_id === taskId, 30_000);
    await w.waitForEvent('early ack', (e) => e.event === 'task_acked_early' && e.task_id === taskId, 10_000);

    const done = await waitFor('the task done', async () => ((await taskRow(db, taskId))?.state === TaskState.SUCCESS ? taskRow(db, taskId) : undefined), 40_000).catch((err) => {
      throw new Error(`${err.message}\n${server.process.tail(30)}\n${w.tail(30)}`);
    });
    // One delivery, one attempt: the channel was never closed under it, the lease never ran out.
    expect(done).toMatchObject({ attempt: 1, retries: 0, msg: 'Done by worker-long' });
    expect(w.events((e) => e.event === 'testkit_sleeping' && e.task_id === taskId)).toHaveLength(1);
    expect(w.lines.filter((l) => /PRECONDITION_FAILED|timed out|consumer_cancelled|ack_failed/.test(l))).toEqual([]);
    expect(server.process.events((e) => e.event === 'lease_expired' && e.task_id === taskId)).toEqual([]);
    expect(w.running).toBe(true);
  }, 60_000);
});
