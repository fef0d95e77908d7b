import type { Channel } from 'amqplib';
import { AmqpSettings } from './amqp-settings';

/**
 * The DANE topology (docs/protocol.md, Topology). The exchange is topic and NON-durable: declaring it
 * durable makes Python workers fail with 406 PRECONDITION_FAILED.
 */
export async function declareExchange(ch: Channel, s: AmqpSettings): Promise<void> {
  await ch.assertExchange(s.exchange, 'topic', { durable: false, autoDelete: false, internal: false });
}

export async function declareResponseQueue(ch: Channel, s: AmqpSettings): Promise<void> {
  await ch.assertQueue(s.responseQueue, { durable: true, exclusive: false, autoDelete: false });
}

/** Worker queues: durable with x-max-priority 10; only workers declare them (docs/protocol.md, Topology). */
export async function declareWorkerQueue(ch: Channel, s: AmqpSettings, queue: string, bindingKeys: string[]): Promise<void> {
  await declareExchange(ch, s);
  await ch.assertQueue(queue, { durable: true, arguments: { 'x-max-priority': 10 } });
  for (const key of bindingKeys) await ch.bindQueue(queue, s.exchange, key);
}

/** Queue our results travel on (worker → results app); an extension the original did not have. */
export const RESULT_QUEUE_SUFFIX = '-results';
export function resultQueueName(s: AmqpSettings): string {
  return s.responseQueue.replace(/-response-queue$/, '') + RESULT_QUEUE_SUFFIX;
}
