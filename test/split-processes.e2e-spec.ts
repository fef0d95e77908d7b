import * as amqp from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DaneEvent, TaskState, decodeEvent, encodeReply, encodeResultMessage } from '@dane/core';
import { BrokerNames, Build, DaneSetup, NodeProcess, TestDatabase, buildPrivateDist, commonEnv, createDatabase, freePort, waitFor } from './support/dane-processes';

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
const SAMPLES = 20;

/**
 * The design card's shape as separate processes: `apps/api`, `apps/scheduler` and `apps/results`
 * (their compiled `main.js`, as the containers run them) on one PostgreSQL database, talking only
 * over RabbitMQ. The scheduler's periodic sweep is off (10 minutes), so a task reaches its worker
 * quickly only if the api's DANE-event wakes the scheduler: the store has no NOTIFY path.
 */
describe('api, scheduler and results as three processes (postgres, RabbitMQ, DANE-events)', () => {
  const names = new BrokerNames('split');
  const key = names.key('SPLIT');
  const workerQueue = `SPLIT-${names.id}`;
  const eventQueue = `SPLIT-${names.id}-events`;
  let build: Build;
  let db: TestDatabase;
  let home: string;
  let setup: DaneSetup;
  const token = randomBytes(24).toString('hex');
  const processes: NodeProcess[] = [];
  let apiUrl: string;
  let conn: ChannelModel;
  let ch: Channel;
  /** Task id → when its frame reached the worker. */
  const delivered = new Map<string, number>();
  const events: Array<{ routingKey: string; event: DaneEvent }> = [];
  /** When set, the worker answers 200 and sends a result; otherwise it only acks. */
  let complete = false;

  function start(label: string, app: string, env: Record<string, string>): NodeProcess {
    const p = new NodeProcess(label, join(build.dir, `apps/${app}/src/main.js`), { ...commonEnv(setup), ...storeEnv(), ...env }, home);
    processes.push(p);
    return p;
  }

  function storeEnv(): Record<string, string> {
    return { DANE_STORAGE__TYPE: 'postgres', DANE_STORAGE__POSTGRES_URL: db.url, DANE_STORAGE__POOL_SIZE: '4', DANE_AUTH__ADMIN_TOKEN: token };
  }

  async function api<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  async function newDocument(): Promise<string> {
    const doc = await api('POST', '/DANE/document/', {
      target: { id: `ITM-split-${randomBytes(6).toString('hex')}`, url: 'http://example.com/a.mp4', type: 'Video' },
      creator: { id: 'NISV', type: 'Organization' },
    });
    return doc._id;
  }

  function onTask(msg: ConsumeMessage): void {
    const taskId = String(msg.properties.correlationId);
    delivered.set(taskId, Date.now());
    if (complete) {
      const attempt = msg.properties.headers?.['x-dane-attempt'] as number | undefined;
      const result = encodeResultMessage({
        taskId,
        attempt,
        generator: { id: 'split-test', type: 'Software', name: 'SPLIT', homepage: 'http://example.com' },
        payload: { ok: true },
      });
      ch.sendToQueue(names.resultQueue, result.body, result.properties);
      const reply = encodeReply({ replyTo: msg.properties.replyTo, taskId, attempt }, { state: TaskState.SUCCESS, message: 'done' });
      ch.sendToQueue(reply.queue, reply.body, reply.properties);
    }
    ch.ack(msg);
  }

  beforeAll(async () => {
    [build, db, home] = await Promise.all([buildPrivateDist('split'), createDatabase('split'), mkdtemp(join(tmpdir(), 'dane-e2e-split-'))]);
    setup = { build, db, names, home, amqpPort: 5672 };
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    const apiProcess = start('api', 'api', { DANE_DANE__HOST: '127.0.0.1', DANE_DANE__PORT: String(port) });
    const scheduler = start('scheduler', 'scheduler', { DANE_SCHEDULER__SWEEP_INTERVAL_MS: '600000' });
    const results = start('results', 'results', {});
    await apiProcess.waitForEvent('api listening', (e) => e.event === 'api_listening', 60_000);
    await scheduler.waitForEvent('scheduler started', (e) => e.event === 'scheduler_started', 60_000);
    await results.waitForEvent('results started', (e) => e.event === 'results_started', 60_000);
    for (const p of [apiProcess, scheduler, results]) await p.waitForEvent(`${p.label} connected`, (e) => e.event === 'broker_connected', 30_000);

    // A worker of the test's own, and a queue of a user's own bound to every task event.
    conn = await amqp.connect(AMQP_URL, { noDelay: true });
    ch = await conn.createChannel();
    await ch.assertExchange(names.exchange, 'topic', { durable: false });
    await ch.assertQueue(workerQueue, { durable: true });
    await ch.bindQueue(workerQueue, names.exchange, `#.${key}`);
    await ch.assertExchange(names.eventsExchange, 'topic', { durable: true });
    await ch.assertQueue(eventQueue, { durable: false, exclusive: true });
    await ch.bindQueue(eventQueue, names.eventsExchange, 'task.#');
    await ch.bindQueue(eventQueue, names.eventsExchange, 'result.#');
    await ch.consume(eventQueue, (msg) => {
      if (!msg) return;
      const decoded = decodeEvent(msg.content, msg.fields.routingKey);
      if (decoded.ok) events.push({ routingKey: msg.fields.routingKey, event: decoded.event });
      ch.ack(msg);
    });
    await ch.consume(workerQueue, (msg) => msg && onTask(msg));
    // Warm-up: the first assignment also proves the wake-up queue is bound.
    const warm = await api('POST', '/DANE/task/', { document_id: await newDocument(), key });
    await waitFor('the warm-up task delivered', () => delivered.has(warm._id), 30_000);
  }, 300_000);

  afterAll(async () => {
    await conn?.close().catch(() => undefined);
    await Promise.all(processes.map((p) => p.stop()));
    await names.cleanup(AMQP_URL, [workerQueue]).catch(() => undefined);
    await db?.drop();
    await build?.remove();
    if (home) await rm(home, { recursive: true, force: true });
  }, 120_000);

  function showOnFailure<T>(p: Promise<T>): Promise<T> {
    return p.catch((err) => {
      for (const proc of processes) err.message += `\n--- ${proc.label} ---\n${proc.tail(15)}`;
      throw err;
    });
  }

  it(`delivers a new task to its worker within 100 ms of the assignment's answer (median of ${SAMPLES}), woken by DANE-events`, () =>
    showOnFailure(
      (async () => {
        const latencies: number[] = [];
        for (let i = 0; i < SAMPLES; i++) {
          const documentId = await newDocument();
          const task = await api('POST', '/DANE/task/', { document_id: documentId, key });
          const answered = Date.now();
          await waitFor(`task ${i + 1} delivered`, () => delivered.has(task._id), 10_000, 2);
          latencies.push(Math.max(0, delivered.get(task._id)! - answered));
        }
        latencies.sort((a, b) => a - b);
        const median = (latencies[SAMPLES / 2 - 1] + latencies[SAMPLES / 2]) / 2;
        process.stdout.write(`assignment answer → worker: median ${median} ms, max ${latencies[SAMPLES - 1]} ms\n`);
        expect(median).toBeLessThan(100);
        // The wake-up came from the api's event, not from a PostgreSQL NOTIFY (no session of the database listens).
        const listening = await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'LISTEN%'`, [db.name]);
        expect(Number(listening[0].n)).toBe(0);
      })(),
    ));

  it('a queue bound to task.# receives task.<KEY>.201, 102 and 200 for a completed task, and result.<KEY>.stored from the results process', () =>
    showOnFailure(
      (async () => {
        complete = true;
        const documentId = await newDocument();
        const task = await api('POST', '/DANE/task/', { document_id: documentId, key });
        await waitFor('task.<KEY>.200 event', () => events.find((e) => e.routingKey === `task.${key}.200` && e.event.type === 'task' && e.event.task_id === task._id), 20_000);
        const mine = events.filter((e) => e.event.type !== 'document.registered' && 'task_id' in e.event && e.event.task_id === task._id);
        expect(mine.map((e) => e.routingKey)).toEqual(expect.arrayContaining([`task.${key}.201`, `task.${key}.102`, `task.${key}.200`]));
        const done = mine.find((e) => e.routingKey === `task.${key}.200`)!.event;
        expect(done).toMatchObject({ type: 'task', document_id: documentId, key, state: 200, previous_state: 102, msg: 'done' });
        await waitFor(
          'result stored event',
          () => mine.length && events.find((e) => e.routingKey === `result.${key}.stored` && 'task_id' in e.event && e.event.task_id === task._id),
          20_000,
        );
        // The event is a notification: the store has the truth.
        expect((await api('GET', `/DANE/task/${task._id}`)).state).toBe('200');
        expect(await api('GET', `/DANE/task/${task._id}/results`)).toHaveLength(1);
      })(),
    ));
});
