import * as amqp from 'amqplib';
import { randomUUID } from 'node:crypto';

export interface CeilingOptions {
  url: string;
  tasks: number;
  workers: number;
  /** Publisher confirm window: messages in flight before waiting for confirms. */
  window: number;
}

export interface CeilingResult {
  tasks: number;
  seconds: number;
  tasksPerSecond: number;
}

/**
 * The broker's own ceiling with our guarantees: persistent messages with publisher confirms and
 * `mandatory` through a topic exchange to a durable priority queue, W consumers that ack and publish
 * a persistent reply with correlation_id to a durable response queue, and a reply consumer.
 */
export async function runCeiling(o: CeilingOptions): Promise<CeilingResult> {
  const tag = randomUUID().slice(0, 8);
  const exchange = `bench-ceiling-${tag}`;
  const queue = `bench-ceiling-work-${tag}`;
  const replies = `bench-ceiling-replies-${tag}`;
  const conn = await amqp.connect(o.url, { noDelay: true });
  const admin = await conn.createChannel();
  await admin.assertExchange(exchange, 'topic', { durable: false });
  await admin.assertQueue(queue, { durable: true, arguments: { 'x-max-priority': 10 } });
  await admin.bindQueue(queue, exchange, '#.NOOP');
  await admin.assertQueue(replies, { durable: true });

  const workerConns: amqp.ChannelModel[] = [];
  for (let w = 0; w < o.workers; w++) {
    const wc = await amqp.connect(o.url, { noDelay: true });
    workerConns.push(wc);
    const ch = await wc.createChannel();
    await ch.prefetch(1);
    await ch.consume(queue, (msg) => {
      if (!msg) return;
      ch.sendToQueue(msg.properties.replyTo, Buffer.from('{"state": 200, "message": "Success"}'), {
        correlationId: msg.properties.correlationId,
        persistent: true,
      });
      ch.ack(msg);
    });
  }

  let received = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const replyCh = await conn.createChannel();
  await replyCh.prefetch(500);
  await replyCh.consume(replies, (msg) => {
    if (!msg) return;
    JSON.parse(msg.content.toString());
    replyCh.ack(msg);
    if (++received === o.tasks) resolveDone();
  });

  const pub = await conn.createConfirmChannel();
  const body = Buffer.from(JSON.stringify({ task: { key: 'NOOP', state: 201, msg: 'Created', priority: 1 }, document: { target: { id: 'x', url: 'http://x', type: 'Video' }, creator: { id: 'c', type: 'Organization' } } }));
  const start = process.hrtime.bigint();
  for (let i = 0; i < o.tasks; i += o.window) {
    const n = Math.min(o.window, o.tasks - i);
    for (let j = 0; j < n; j++) {
      pub.publish(exchange, 'Video.NOOP', body, { mandatory: true, persistent: true, replyTo: replies, correlationId: String(i + j), priority: 1 });
    }
    await pub.waitForConfirms();
  }
  await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;

  await admin.deleteQueue(queue);
  await admin.deleteQueue(replies);
  await admin.deleteExchange(exchange);
  for (const wc of workerConns) await wc.close();
  await conn.close();
  return { tasks: o.tasks, seconds, tasksPerSecond: o.tasks / seconds };
}
