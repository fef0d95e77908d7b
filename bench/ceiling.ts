import * as amqp from 'amqplib';
import { randomUUID } from 'node:crypto';

export interface CeilingOptions {
  url: string;
  tasks: number;
  /** Consumer connections (each one channel). */
  consumers: number;
  /** Prefetch window of each consumer channel. */
  prefetch: number;
  /** Publisher confirm window: messages published and not yet confirmed, at most. */
  window: number;
}

export interface CeilingResult extends CeilingOptions {
  seconds: number;
  tasksPerSecond: number;
  /** The configuration in words, for the bench's output. */
  configuration: string;
}

/** The tuned ceiling (best measured on a 2-core box) and the prefetch-1 one a naive worker pool reaches. */
export const TUNED_CEILING = { consumers: 2, prefetch: 50, window: 100 } as const;
export const PREFETCH_ONE_CEILING = { consumers: 4, prefetch: 1, window: 100 } as const;

function describeCeiling(o: Pick<CeilingOptions, 'consumers' | 'prefetch' | 'window'>): string {
  return `persistent, confirms (≤ ${o.window} unconfirmed), mandatory, durable queues, ${o.consumers} consumers × prefetch ${o.prefetch}, persistent replies`;
}

/**
 * The broker's own ceiling with our guarantees: persistent messages published with `mandatory` to a
 * topic exchange and a sliding publisher-confirm window, a durable priority work queue, consumers with
 * a prefetch window that publish a persistent reply with correlation_id to a durable response queue
 * and ack, and a reply consumer. Everything it declares is deleted afterwards.
 */
export async function runCeiling(o: CeilingOptions): Promise<CeilingResult> {
  const tag = randomUUID().slice(0, 8);
  const exchange = `bench-ceiling-${tag}`;
  const queue = `bench-ceiling-work-${tag}`;
  const replies = `bench-ceiling-replies-${tag}`;
  const conn = await amqp.connect(o.url, { noDelay: true });
  const admin = await conn.createChannel();
  const workerConns: amqp.ChannelModel[] = [];
  try {
    await admin.assertExchange(exchange, 'topic', { durable: false });
    await admin.assertQueue(queue, { durable: true, arguments: { 'x-max-priority': 10 } });
    await admin.bindQueue(queue, exchange, '#.NOOP');
    await admin.assertQueue(replies, { durable: true });

    for (let w = 0; w < o.consumers; w++) {
      const wc = await amqp.connect(o.url, { noDelay: true });
      workerConns.push(wc);
      const ch = await wc.createChannel();
      await ch.prefetch(o.prefetch);
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
    const body = Buffer.from(
      JSON.stringify({
        task: { key: 'NOOP', state: 201, msg: 'Created', priority: 1 },
        document: { target: { id: 'x', url: 'http://x', type: 'Video' }, creator: { id: 'c', type: 'Organization' } },
      }),
    );
    const start = process.hrtime.bigint();
    // Sliding window: publish while fewer than `window` are unconfirmed; each confirm lets one more go.
    let published = 0;
    let unconfirmed = 0;
    let failed: Error | undefined;
    await new Promise<void>((resolve, reject) => {
      const pump = () => {
        if (failed) return reject(failed);
        while (unconfirmed < o.window && published < o.tasks) {
          unconfirmed++;
          pub.publish(exchange, 'Video.NOOP', body, { mandatory: true, persistent: true, replyTo: replies, correlationId: String(published++), priority: 1 }, (err) => {
            unconfirmed--;
            if (err) failed = err;
            if (published === o.tasks && unconfirmed === 0) resolve();
            else pump();
          });
        }
      };
      pump();
    });
    await done;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { ...o, seconds, tasksPerSecond: o.tasks / seconds, configuration: describeCeiling(o) };
  } finally {
    await admin.deleteQueue(queue).catch(() => undefined);
    await admin.deleteQueue(replies).catch(() => undefined);
    await admin.deleteExchange(exchange).catch(() => undefined);
    for (const wc of workerConns) await wc.close().catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
}
