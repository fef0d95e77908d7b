import type { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { Channel, ChannelModel } from 'amqplib';
import { within } from '../util/within';

export interface QueueCount {
  queue: string;
  messages: number;
  consumers: number;
}

/**
 * Messages and consumers of queues, asked with `queue.declare passive` on short-lived channels of the
 * process's golevelup connection (a missing queue closes its channel with 404, which would stay
 * closed on a managed channel until the next reconnect). Queues that do not exist are left out.
 */
export async function checkQueues(amqp: AmqpConnection, queues: readonly string[], timeoutMs = 3000): Promise<QueueCount[]> {
  if (!amqp.connected) return [];
  // amqp-connection-manager hands out amqplib's ChannelModel (typed there as the older Connection).
  const model = amqp.managedConnection.connection as unknown as ChannelModel | undefined;
  if (!model) return [];
  const counts: QueueCount[] = [];
  let ch: Channel | undefined;
  try {
    for (const queue of queues) {
      if (!ch) {
        ch = await model.createChannel();
        ch.on('error', () => undefined);
      }
      try {
        const ok = await within(ch.checkQueue(queue), timeoutMs);
        counts.push({ queue, messages: ok.messageCount, consumers: ok.consumerCount });
      } catch {
        // 404 (or no answer): this channel is gone, the next queue gets a new one.
        void ch.close().catch(() => undefined);
        ch = undefined;
      }
    }
  } finally {
    await ch?.close().catch(() => undefined);
  }
  return counts;
}
