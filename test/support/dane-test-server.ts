import * as amqp from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage, MessageProperties, Options } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDocument,
  createTask,
  parseTaskSpec,
  type DaneDocument,
  type DaneTask,
  amqpSettings,
  loadConfig,
  resultQueueName,
  type DaneConfig,
  ATTEMPT_HEADER,
  routingKeyFor,
  taskMessageBody,
  type ResultMessage,
} from '@dane/protocol';

export interface ReceivedReply {
  body: Record<string, unknown>;
  raw: string;
  properties: MessageProperties;
}

export interface ReceivedResult {
  body: ResultMessage;
  properties: MessageProperties;
}

export interface PublishTaskOptions {
  task?: DaneTask;
  document?: DaneDocument;
  /** Send these bytes instead of the body of docs/protocol.md, Task message. */
  body?: Buffer | string;
  routingKey?: string;
  attempt?: number | null;
  headers?: Record<string, unknown>;
  /** null = no reply_to at all. */
  replyTo?: string | null;
}

/**
 * The server side of the DANE protocol, written with raw amqplib as the original server would speak it
 * (docs/protocol.md, Task message): its own exchange and response queue per test file (unique names, deleted
 * after), task messages with Python json.dumps bodies, and collectors for replies and results.
 */
export class DaneTestServer {
  readonly id = randomBytes(4).toString('hex');
  readonly exchange: string;
  readonly responseQueue: string;
  readonly resultQueue: string;
  readonly home = mkdtempSync(join(tmpdir(), 'dane-worker-test-'));
  readonly replies: ReceivedReply[] = [];
  readonly results: ReceivedResult[] = [];
  private readonly queues = new Set<string>();
  private readonly waiters: Array<() => void> = [];
  private model!: ChannelModel;
  private ch!: Channel;

  private constructor(readonly prefix: string) {
    this.exchange = `${prefix}-${this.id}-exchange`;
    this.responseQueue = `${prefix}-${this.id}-response-queue`;
    this.resultQueue = resultQueueName(amqpSettings(this.config()));
  }

  static async start(prefix: string): Promise<DaneTestServer> {
    const server = new DaneTestServer(prefix);
    server.model = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    server.ch = await server.model.createChannel();
    await server.ch.assertExchange(server.exchange, 'topic', { durable: false });
    await server.ch.assertQueue(server.responseQueue, { durable: true });
    await server.ch.assertQueue(server.resultQueue, { durable: true });
    await server.ch.consume(server.responseQueue, (m) => m && server.onReply(m), { noAck: true });
    await server.ch.consume(server.resultQueue, (m) => m && server.onResult(m), { noAck: true });
    return server;
  }

  /** Environment a worker process needs to talk to this server. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { DANE_HOME: this.home, DANE_RABBITMQ__EXCHANGE: this.exchange, DANE_RABBITMQ__RESPONSE_QUEUE: this.responseQueue, ...extra };
  }

  /** Config of an in-process worker; quiet (errors only) unless `extra` says otherwise. */
  config(extra: Record<string, string> = {}, cwd = this.home): DaneConfig {
    return loadConfig({ env: this.env({ DANE_LOGGING__LEVEL: 'ERROR', ...extra }), cwd }).config;
  }

  /** A unique worker queue name, deleted in cleanup(). */
  queue(name: string): string {
    const q = `${this.prefix}-${this.id}-${name}`;
    this.queues.add(q);
    return q;
  }

  document(url = 'http://example.com/video.mp4', type = 'Video', targetId: string = randomBytes(6).toString('hex')): DaneDocument {
    return createDocument({ target: { id: targetId, url, type }, creator: { id: 'NISV', type: 'Organization' } });
  }

  task(document: DaneDocument, key: string, extra: Record<string, unknown> = {}): DaneTask {
    return createTask(document._id, parseTaskSpec({ key, ...extra }));
  }

  /** Publishes a task message as the server does (docs/protocol.md, Task message) and returns its correlation id. */
  async publishTask(options: PublishTaskOptions & { key?: string } = {}): Promise<string> {
    const document = options.document ?? this.document();
    const task = options.task ?? this.task(document, options.key ?? 'TEST');
    const headers: Record<string, unknown> = { ...options.headers };
    if (options.attempt !== null) headers[ATTEMPT_HEADER] = options.attempt ?? 1;
    const props: Options.Publish = { correlationId: task._id, priority: task.priority, persistent: true, headers, mandatory: true };
    if (options.replyTo !== null) props.replyTo = options.replyTo ?? this.responseQueue;
    const body = options.body === undefined ? taskMessageBody(task, document) : Buffer.from(options.body);
    this.ch.publish(this.exchange, options.routingKey ?? routingKeyFor(document, task), body, props);
    return task._id;
  }

  /** Waits for the first reply matching `match` that arrived (or arrives) after index `from`. */
  async reply(match: (r: ReceivedReply) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedReply> {
    return this.waitFor(() => this.replies.find(match), timeoutMs, 'reply');
  }

  async result(match: (r: ReceivedResult) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedResult> {
    return this.waitFor(() => this.results.find(match), timeoutMs, 'result');
  }

  /** Final replies (not heartbeats) for one task. */
  finalRepliesFor(taskId: string): ReceivedReply[] {
    return this.replies.filter((r) => r.properties.correlationId === taskId && r.properties.headers?.['x-dane-kind'] !== 'heartbeat');
  }

  /** Ready messages in a queue (delivered-but-unacked ones are not counted). */
  async ready(queue: string): Promise<number> {
    return (await this.ch.checkQueue(queue)).messageCount;
  }

  /** Deletes a queue now (e.g. to see a worker declare it again). */
  async deleteQueue(queue: string): Promise<void> {
    await this.ch.deleteQueue(queue);
  }

  async cleanup(): Promise<void> {
    for (const q of this.queues) await this.ch.deleteQueue(q).catch(() => undefined);
    await this.ch.deleteQueue(this.responseQueue).catch(() => undefined);
    await this.ch.deleteQueue(this.resultQueue).catch(() => undefined);
    await this.ch.deleteExchange(this.exchange).catch(() => undefined);
    await this.model.close().catch(() => undefined);
    rmSync(this.home, { recursive: true, force: true });
  }

  private onReply(m: ConsumeMessage): void {
    const raw = m.content.toString('utf8');
    this.replies.push({ raw, body: JSON.parse(raw), properties: m.properties });
    this.waiters.splice(0).forEach((w) => w());
  }

  private onResult(m: ConsumeMessage): void {
    this.results.push({ body: JSON.parse(m.content.toString('utf8')), properties: m.properties });
    this.waiters.splice(0).forEach((w) => w());
  }

  private async waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No matching ${what} within ${timeoutMs} ms (got ${this.replies.length} replies, ${this.results.length} results)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** A promise you resolve from outside: lets a test hold a callback open. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
