import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { brokerUri, declareExchange, declareResponseQueue, resultQueueName, tlsSocketOptions, TaskState, type AmqpSettings, type EncodedTaskFrame } from '@dane/protocol';

/** The private names of one run: nothing a server or another worker uses. */
export interface PrivateNames {
  exchange: string;
  responseQueue: string;
  resultQueue: string;
}

function privateNames(settings: AmqpSettings): PrivateNames & { settings: AmqpSettings } {
  const id = randomBytes(4).toString('hex');
  const exchange = `dane-conformance-${id}-exchange`;
  const responseQueue = `dane-conformance-${id}-response-queue`;
  const named = { ...settings, exchange, responseQueue };
  return { exchange, responseQueue, resultQueue: resultQueueName(named), settings: named };
}

/** One message on the private response queue. */
export interface SeenReply {
  taskId?: string;
  /** A 102 (with or without `x-dane-kind: heartbeat`) is a heartbeat; everything else an outcome. */
  kind: 'outcome' | 'heartbeat' | 'invalid';
  state?: number;
  message?: unknown;
  /** The `dependencies` of a 412, as sent. */
  dependencies?: unknown;
  /** Why it is invalid: not JSON, no state, a state outside the table. */
  problem?: string;
  at: number;
}

export interface QueueState {
  messages: number;
  consumers: number;
}

/**
 * The kit's side of the broker: the private exchange, response queue and results queue it declares
 * (the worker declares its own queue on the private exchange), a consumer of the response queue that
 * keeps every reply, and the publishing of frames as the scheduler does (confirm channel, mandatory).
 */
export class ConformanceBroker {
  readonly replies: SeenReply[] = [];
  private readonly returned = new Set<string>();
  private declaredQueue = false;

  private constructor(
    private readonly conn: ChannelModel,
    private readonly ch: ConfirmChannel,
    readonly names: PrivateNames & { settings: AmqpSettings },
  ) {}

  static async open(settings: AmqpSettings): Promise<ConformanceBroker> {
    const names = privateNames(settings);
    const conn = await amqp.connect(brokerUri(settings), tlsSocketOptions(settings));
    conn.on('error', () => undefined);
    const ch = await conn.createConfirmChannel();
    const broker = new ConformanceBroker(conn, ch, names);
    await declareExchange(ch, names.settings);
    await declareResponseQueue(ch, names.settings);
    await ch.assertQueue(names.resultQueue, { durable: true });
    ch.on('return', (msg: ConsumeMessage) => {
      const id = msg.properties.correlationId as string | undefined;
      if (id) broker.returned.add(id);
    });
    await ch.consume(names.responseQueue, (msg) => msg && broker.record(msg), { noAck: true });
    return broker;
  }

  private record(msg: ConsumeMessage): void {
    const taskId = typeof msg.properties.correlationId === 'string' && msg.properties.correlationId ? msg.properties.correlationId : undefined;
    const at = Date.now();
    let data: unknown;
    try {
      data = JSON.parse(msg.content.toString('utf8'));
      if (typeof data === 'string') data = JSON.parse(data);
    } catch {
      this.replies.push({ taskId, kind: 'invalid', problem: 'the reply is not JSON', at });
      return;
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      this.replies.push({ taskId, kind: 'invalid', problem: 'the reply is not a JSON object', at });
      return;
    }
    const body = data as Record<string, unknown>;
    const raw = body.state;
    const state = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d{3}\s*$/.test(raw) ? Number(raw) : NaN;
    const kind = state === TaskState.QUEUED ? 'heartbeat' : 'outcome';
    this.replies.push({ taskId, kind, state: Number.isInteger(state) ? state : undefined, message: body.message, dependencies: body.dependencies, at });
  }

  /** Replies (outcomes by default) correlated to a task id. */
  repliesFor(taskId: string, kind: SeenReply['kind'] | 'any' = 'outcome'): SeenReply[] {
    return this.replies.filter((r) => r.taskId === taskId && (kind === 'any' ? r.kind !== 'heartbeat' : r.kind === kind));
  }

  wasReturned(taskId: string): boolean {
    return this.returned.has(taskId);
  }

  /** Publishes a frame to the private exchange as the scheduler does (mandatory, confirmed). */
  async publish(frame: Pick<EncodedTaskFrame, 'routingKey' | 'body'> & { properties: Options.Publish }): Promise<void> {
    this.ch.publish(this.names.exchange, frame.routingKey, frame.body, frame.properties);
    await this.ch.waitForConfirms();
  }

  /** Publishes many frames, then waits for the confirms once; returns when each was handed over. */
  async publishMany(frames: Array<Pick<EncodedTaskFrame, 'routingKey' | 'body'> & { properties: Options.Publish }>, sent: (i: number) => void): Promise<void> {
    frames.forEach((f, i) => {
      sent(i);
      this.ch.publish(this.names.exchange, f.routingKey, f.body, f.properties);
    });
    await this.ch.waitForConfirms();
  }

  /** Messages and consumers of a queue, or undefined when it does not exist. */
  async queueState(queue: string): Promise<QueueState | undefined> {
    const ch = await this.conn.createChannel();
    ch.on('error', () => undefined);
    try {
      const q = await ch.checkQueue(queue);
      return { messages: q.messageCount, consumers: q.consumerCount };
    } catch {
      return undefined;
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  /** The worker queue is ours to delete at the end only when it did not exist before the run. */
  claimQueue(): void {
    this.declaredQueue = true;
  }

  async purge(queue: string): Promise<void> {
    await this.ch.purgeQueue(queue).catch(() => undefined);
  }

  /**
   * Puts a frame into the (consumer-less) worker queue with redelivered=true: published to the queue,
   * taken by the kit without ack and handed back with nack(requeue), as the broker does when a consumer dies.
   */
  async putRedelivered(queue: string, frame: Pick<EncodedTaskFrame, 'body'> & { properties: Options.Publish }): Promise<boolean> {
    const ch = await this.conn.createChannel();
    try {
      ch.sendToQueue(queue, frame.body, frame.properties);
      for (let i = 0; i < 100; i++) {
        const msg = await ch.get(queue, { noAck: false });
        if (msg) {
          ch.nack(msg, false, true);
          return true;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  /** Deletes everything the run declared, then closes the connection. */
  async cleanup(queue: string): Promise<void> {
    const queues = [...(this.declaredQueue ? [queue] : []), this.names.responseQueue, this.names.resultQueue];
    for (const q of queues) await this.onChannel((ch) => ch.deleteQueue(q));
    await this.onChannel((ch) => ch.deleteExchange(this.names.exchange));
    await this.conn.close().catch(() => undefined);
  }

  /** One operation on a channel of its own: a failure closes only that channel. */
  private async onChannel(op: (ch: Channel) => Promise<unknown>): Promise<void> {
    const ch = await this.conn.createChannel().catch(() => undefined);
    if (!ch) return;
    ch.on('error', () => undefined);
    await op(ch).catch(() => undefined);
    await ch.close().catch(() => undefined);
  }
}
