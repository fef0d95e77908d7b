import type { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { ConfirmChannel, ConsumeMessage, MessageProperties, Options } from 'amqplib';

export type PublishOutcome = { kind: 'confirmed' } | { kind: 'returned' } | { kind: 'failed'; reason: string };

/** What identifies a message in a basic.return (the broker sends back its properties). */
export type ReturnKey = (properties: MessageProperties | Options.Publish) => string | undefined;

/**
 * Publishes on the connection's default confirm channel (golevelup's managed channel, which
 * reconnects and re-sends what was not confirmed) and tells a confirmed message from one the broker
 * returned as unroutable (`mandatory`). basic.return precedes the confirm of the same message on its
 * channel, so by the time the confirm resolves the publish, a return has been recorded.
 */
export class ConfirmPublisher {
  private readonly returned = new Set<string>();

  constructor(
    private readonly amqp: AmqpConnection,
    private readonly returnKey: ReturnKey,
    /** Runs on every (re)opened publish channel, after the return listener is set; part of the channel's setup. */
    onChannel?: (channel: ConfirmChannel) => void | Promise<void>,
  ) {
    // A setup function of the managed channel runs on each channel it opens (reconnects included).
    void amqp.managedChannel.addSetup(async (channel: ConfirmChannel) => {
      channel.on('return', (msg: ConsumeMessage) => {
        const key = this.returnKey(msg.properties);
        if (key !== undefined) this.returned.add(key);
      });
      await onChannel?.(channel);
    });
  }

  /** Resolves when the broker confirmed (or returned) the message, or with the reason it failed. */
  async publish(exchange: string, routingKey: string, body: Buffer, options: Options.Publish & { timeout?: number }): Promise<PublishOutcome> {
    const key = options.mandatory ? this.returnKey(options) : undefined;
    try {
      await this.amqp.publish(exchange, routingKey, body, options);
    } catch (err) {
      if (key !== undefined) this.returned.delete(key);
      return { kind: 'failed', reason: err?.message ?? String(err) };
    }
    return key !== undefined && this.returned.delete(key) ? { kind: 'returned' } : { kind: 'confirmed' };
  }
}
