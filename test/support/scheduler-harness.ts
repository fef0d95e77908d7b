import { ConsoleLogger, Type } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import * as amqp from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATTEMPT_HEADER, DANE_STORE, DaneConfigModule, DaneDocument, DaneStore, DaneTask, StorageModule, createDocument } from '@dane/core';
import { TaskAssignmentService } from '@dane/core/services/task-assignment.service';
import { TestSchema, testSchema } from '@dane/core/storage/sql/postgres-test-db';
import { sleep, waitFor } from './polling';

export { sleep, waitFor };
import { EventWakeupsConsumer, SchedulerModule } from '@dane/scheduler';

export const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

export type StoreKind = 'postgres' | 'pglite';

/**
 * One test file's world: its own exchange, response queue and PostgreSQL schema (or in-memory
 * PGlite), so files running side by side never see each other's messages or rows.
 */
export class TestBroker {
  readonly id = randomBytes(4).toString('hex');
  readonly exchange: string;
  readonly responseQueue: string;
  readonly resultQueue: string;
  readonly eventsExchange: string;
  /** The durable wake-up queue earlier versions' schedulers shared (each scheduler process now has its own, exclusive). */
  readonly legacyWakeupQueue: string;
  private readonly queues = new Set<string>();

  constructor(label: string) {
    this.exchange = `DANE-exchange-${label}-${this.id}`;
    this.responseQueue = `DANE-${label}-${this.id}-response-queue`;
    this.resultQueue = `DANE-${label}-${this.id}-results`;
    this.eventsExchange = `DANE-events-${label}-${this.id}`;
    this.legacyWakeupQueue = `DANE-${label}-${this.id}-scheduler-wakeups`;
  }

  queueName(name: string): string {
    const q = `${name}-${this.id}`;
    this.queues.add(q);
    return q;
  }

  /** Removes what this file declared (the server's queues too; the schedulers' exclusive wake-up queues went with their connections). */
  async cleanup(): Promise<void> {
    const conn = await amqp.connect(AMQP_URL);
    for (const q of [...this.queues, this.responseQueue, this.resultQueue, this.legacyWakeupQueue]) {
      const ch = await conn.createChannel();
      await ch.deleteQueue(q).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
    const ch = await conn.createChannel();
    await ch.deleteExchange(this.exchange).catch(() => undefined);
    await ch.deleteExchange(this.eventsExchange).catch(() => undefined);
    await conn.close();
  }
}

export interface Env {
  [key: string]: string;
}

/** The config environment for one app instance of this test file. */
export function testEnv(broker: TestBroker, store: { kind: StoreKind; url?: string }, scheduler: Record<string, number> = {}, rabbit: Record<string, string> = {}): Env {
  const env: Env = {
    DANE_HOME: join(tmpdir(), `dane-test-home-${broker.id}`),
    DANE_RABBITMQ__HOST: '127.0.0.1',
    DANE_RABBITMQ__EXCHANGE: broker.exchange,
    DANE_RABBITMQ__RESPONSE_QUEUE: broker.responseQueue,
    DANE_RABBITMQ__EVENTS_EXCHANGE: broker.eventsExchange,
    DANE_STORAGE__TYPE: store.kind,
    DANE_SCHEDULER__SWEEP_INTERVAL_MS: '200',
    DANE_SCHEDULER__RETRY_BASE_MS: '50',
    DANE_SCHEDULER__RETRY_MAX_MS: '200',
    // Unroutable → 422 at once in these tests; the grace window has its own test.
    DANE_SCHEDULER__UNROUTABLE_GRACE_SECONDS: '0',
  };
  if (store.kind === 'postgres') env.DANE_STORAGE__POSTGRES_URL = store.url!;
  else env.DANE_STORAGE__DATA_DIR = ':memory:';
  for (const [k, v] of Object.entries(scheduler)) env[`DANE_SCHEDULER__${k}`] = String(v);
  for (const [k, v] of Object.entries(rabbit)) env[`DANE_RABBITMQ__${k}`] = v;
  return env;
}

/** A running app (scheduler and/or results) with its own store, publishing its writes' events, and broker connection. */
export async function startApp(env: Env, ...modules: Type<unknown>[]): Promise<TestingModule> {
  const app = await Test.createTestingModule({ imports: [DaneConfigModule.forRoot({ env }), StorageModule.forRoot({ events: true }), ...modules] }).compile();
  // DANE_TEST_LOGS=1 shows the structured log lines of the apps under test (Nest's testing logger prints errors only).
  if (process.env.DANE_TEST_LOGS) app.useLogger(new ConsoleLogger({ logLevels: ['log', 'warn', 'error', 'debug'] }));
  await app.init();
  return app;
}

export function storeOf(app: TestingModule): DaneStore {
  return app.get<DaneStore>(DANE_STORE);
}

export type Assign = (documentId: string, key: string, extra?: Record<string, unknown>) => Promise<string>;

/** Assigns a task the way the API does (201, or 412 with unmet depends_on; wakes the dispatchers); returns its id. */
export function assigner(app: TestingModule): Assign {
  const assignment = app.get(TaskAssignmentService);
  return async (documentId, key, extra = {}) => ((await assignment.assign({ document_id: documentId, key, ...extra })) as { task: { _id: string } }).task._id;
}

/** A PostgreSQL schema for this file, or nothing for PGlite. */
export function storeFor(kind: StoreKind, label: string): { kind: StoreKind; url?: string; schema?: TestSchema } {
  if (kind === 'pglite') return { kind };
  const schema = testSchema(label);
  return { kind, url: schema.url, schema };
}

let documentCounter = 0;
export async function newDocument(store: DaneStore, type: 'Video' | 'Sound' = 'Video'): Promise<DaneDocument> {
  const doc = createDocument({
    target: { id: `ITM-${process.pid}-${Date.now().toString(36)}-${++documentCounter}`, url: 'http://example.com/a b.mp4', type },
    creator: { id: 'NISV', type: 'Organization' },
  });
  await store.documents.insert(doc);
  return doc;
}

export interface Received {
  msg: ConsumeMessage;
  body: { task: Record<string, unknown> & { _id: string; key: string }; document: Record<string, unknown> };
}

/** What the test worker does with a task: a reply body (sent like Python does), or nothing. */
export type Handler = (received: Received, worker: TestWorker) => unknown | Promise<unknown>;

/**
 * A worker made of raw amqplib, replying exactly as a Python DANE worker does (docs/protocol.md, Replies):
 * a durable queue with x-max-priority 10 bound to `#.KEY`, replies on the default exchange to
 * reply_to with correlation_id and delivery_mode 2, late ack. No headers: Python sends none.
 */
export class TestWorker {
  readonly received: Received[] = [];
  private conn?: ChannelModel;
  private ch?: Channel;

  constructor(
    private readonly broker: TestBroker,
    readonly key: string,
    private handler: Handler,
    private readonly prefetch = 10,
  ) {}

  async start(): Promise<this> {
    this.conn = await amqp.connect(AMQP_URL);
    this.ch = await this.conn.createChannel();
    const queue = this.broker.queueName(this.key);
    await this.ch.assertExchange(this.broker.exchange, 'topic', { durable: false });
    await this.ch.assertQueue(queue, { durable: true, arguments: { 'x-max-priority': 10 } });
    await this.ch.bindQueue(queue, this.broker.exchange, `#.${this.key}`);
    await this.ch.prefetch(this.prefetch);
    await this.ch.consume(queue, (msg) => msg && void this.handle(msg), { noAck: false });
    return this;
  }

  setHandler(handler: Handler): void {
    this.handler = handler;
  }

  private async handle(msg: ConsumeMessage): Promise<void> {
    const received: Received = { msg, body: JSON.parse(msg.content.toString('utf8')) };
    this.received.push(received);
    const reply = await this.handler(received, this);
    if (reply !== undefined && reply !== null) this.reply(msg, reply);
    this.ch!.ack(msg);
  }

  /** Publishes a reply to the message's reply_to (a string body is sent as is). */
  reply(msg: ConsumeMessage, body: unknown, headers?: Record<string, unknown>): void {
    const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    this.ch!.publish('', msg.properties.replyTo, content, { correlationId: msg.properties.correlationId, persistent: true, headers });
  }

  /** Sends one of our extensions' replies for the message (attempt echoed, like the SDK). */
  replyWithAttempt(msg: ConsumeMessage, body: unknown, kind?: string): void {
    const headers: Record<string, unknown> = { [ATTEMPT_HEADER]: msg.properties.headers?.[ATTEMPT_HEADER] };
    if (kind) headers['x-dane-kind'] = kind;
    this.reply(msg, body, headers);
  }

  tasksReceived(taskId: string): Received[] {
    return this.received.filter((r) => r.msg.properties.correlationId === taskId);
  }

  async stop(): Promise<void> {
    await this.conn?.close().catch(() => undefined);
  }
}

/**
 * The type of a durable queue, told by RabbitMQ itself: re-declaring a classic queue as quorum (or
 * the reverse) is refused with 406 PRECONDITION_FAILED.
 */
export async function queueTypeOf(queue: string, otherArguments: Record<string, unknown> = {}): Promise<'classic' | 'quorum'> {
  const conn = await amqp.connect(AMQP_URL);
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    try {
      await ch.assertQueue(queue, { durable: true, arguments: { ...otherArguments, 'x-queue-type': 'quorum' } });
      return 'quorum';
    } catch {
      return 'classic';
    }
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** The wake-up queue of the scheduler in `app`, once it is subscribed (a new one after each reconnect). */
export function wakeupQueueOf(app: TestingModule): Promise<string> {
  return waitFor('the scheduler subscribed to its wake-up queue', () => app.get(EventWakeupsConsumer).queue);
}

/**
 * Whether `queue` is declared as a scheduler wake-up queue should be: exclusive to the connection
 * of `app`, auto-delete, classic, 60 s message TTL. Told by RabbitMQ itself: it accepts a
 * re-declaration only with the same auto-delete flag and arguments (406 PRECONDITION_FAILED
 * otherwise) and an exclusive queue's only from its own connection (405 RESOURCE_LOCKED). An
 * exclusive queue is never kept past its connection (RabbitMQ does not compare `durable` for one),
 * and a quorum queue cannot be exclusive.
 */
export async function isTransientWakeupQueue(app: TestingModule, queue: string): Promise<boolean> {
  const model = app.get(AmqpConnection).managedConnection.connection as unknown as ChannelModel;
  const ch = await model.createChannel();
  ch.on('error', () => undefined);
  try {
    // Passive first: a re-declaration of a missing queue would create it.
    await ch.checkQueue(queue);
    await ch.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false, arguments: { 'x-queue-type': 'classic', 'x-message-ttl': 60_000 } });
    return true;
  } catch {
    return false;
  } finally {
    await ch.close().catch(() => undefined);
  }
}

/** Publishes raw bytes to the response queue, as anything on the network could. */
export async function publishRawReply(broker: TestBroker, content: string | Buffer, properties: amqp.Options.Publish = {}): Promise<void> {
  const conn = await amqp.connect(AMQP_URL);
  const ch = await conn.createConfirmChannel();
  ch.publish('', broker.responseQueue, Buffer.isBuffer(content) ? content : Buffer.from(content), { persistent: true, ...properties });
  await ch.waitForConfirms();
  await conn.close();
}

/** Resolves once the task is in `state` (its stored view). */
export function waitForState(store: DaneStore, taskId: string, state: number, timeoutMs?: number): Promise<DaneTask> {
  return waitFor(
    `task ${taskId} in ${state}`,
    async () => {
      const t = await store.tasks.findById(taskId);
      if (t?.state === state) return t;
      throw new Error(`state ${t?.state} (${t?.msg})`);
    },
    timeoutMs,
  );
}

export interface SchedulerTestApp {
  readonly broker: TestBroker;
  /** Workers the test started; all are stopped after the file. */
  readonly workers: TestWorker[];
  readonly app: TestingModule;
  readonly store: DaneStore;
  readonly assign: Assign;
  /** Starts a TestWorker for `key` on this file's broker, stopped after the file. */
  worker(key: string, handler: Handler): Promise<TestWorker>;
}

/**
 * Registers the beforeAll/afterAll of a scheduler test file: creates the schema of `storage`,
 * starts the SchedulerModule on it with the `scheduler` settings, and afterwards stops the
 * workers, closes the app and removes the broker's queues and the schema.
 */
export function useSchedulerApp(
  broker: TestBroker,
  storage: ReturnType<typeof storeFor>,
  scheduler: Record<string, number> = {},
  startTimeoutMs?: number,
  rabbit: Record<string, string> = {},
): SchedulerTestApp {
  let app: TestingModule;
  let store: DaneStore;
  let assign: Assign;
  const workers: TestWorker[] = [];

  beforeAll(async () => {
    await storage.schema?.create();
    app = await startApp(testEnv(broker, storage, scheduler, rabbit), SchedulerModule);
    store = storeOf(app);
    assign = assigner(app);
  }, startTimeoutMs);

  afterAll(async () => {
    for (const w of workers) await w.stop();
    await app?.close();
    await broker.cleanup();
    await storage.schema?.drop();
  });

  return {
    broker,
    workers,
    get app() {
      return app;
    },
    get store() {
      return store;
    },
    assign: (documentId, key, extra) => assign(documentId, key, extra),
    async worker(key, handler) {
      const w = await new TestWorker(broker, key, handler).start();
      workers.push(w);
      return w;
    },
  };
}
