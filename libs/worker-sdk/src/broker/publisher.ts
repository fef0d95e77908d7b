import type { ConfirmChannel, Options } from 'amqplib';
import { AmqpConnection, ManagedChannel } from './amqp-connection';

/**
 * Publishes on a confirm channel and resolves only once the broker has taken the message, so
 * "reply, then ack" means the reply is safe before the task message goes away. While the
 * connection is being re-established it waits and retries (up to `waitMs`); a message that was
 * sent twice is harmless: replies are idempotent and results are de-duplicated by messageId.
 */
export class BrokerPublisher {
  private readonly channel: ManagedChannel;
  private closed = false;

  constructor(
    private readonly connection: AmqpConnection,
    /** Queues this publisher writes to that must exist (durable) before the first publish. */
    queuesToDeclare: string[] = [],
  ) {
    this.channel = connection.channel({
      confirm: true,
      setup: async (ch) => {
        for (const q of queuesToDeclare) await ch.assertQueue(q, { durable: true });
      },
    });
  }

  /** Default exchange, routing key = queue name (docs/protocol.md, Replies). */
  async sendToQueue(queue: string, body: Buffer, options: Options.Publish, waitMs = 30_000): Promise<void> {
    const deadline = Date.now() + waitMs;
    let lastError: Error | undefined;
    while (!this.closed) {
      const ch = this.channel.current as ConfirmChannel | undefined;
      if (ch) {
        try {
          await new Promise<void>((resolve, reject) => {
            ch.sendToQueue(queue, body, options, (err) => (err ? reject(err) : resolve()));
          });
          return;
        } catch (e) {
          lastError = e instanceof Error ? e : new Error(String(e));
        }
      }
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`Could not publish to ${queue}: ${lastError?.message ?? (this.closed ? 'publisher closed' : 'broker unavailable')}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.channel.close();
  }
}
