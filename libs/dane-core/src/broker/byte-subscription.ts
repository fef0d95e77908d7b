import { Logger } from '@nestjs/common';
import { AmqpConnection, Nack, QueueOptions } from '@golevelup/nestjs-rabbitmq';
import type { ConsumeMessage } from 'amqplib';

/** How long stopping waits for the broker to have named the consumer before giving up on cancelling it. */
const CANCEL_WAIT_MS = 100;

export interface ByteSubscriptionOptions {
  /** For log lines, and golevelup's name of the subscriber. */
  name: string;
  queue: string;
  /** A named channel of the RabbitMQ module (its prefetch bounds how many messages are in hand at once). */
  channel: string;
  queueOptions: Omit<QueueOptions, 'channel'>;
  /** Bindings declared with the queue. */
  bindings?: Array<{ exchange: string; routingKey: string }>;
}

/**
 * A golevelup subscriber that hands over the raw message (the protocol module reads the bytes,
 * leniently): the queue declared (and bound) on every (re)connect, resolving the handler with
 * nothing acknowledges, with a Nack keeps the message. The server's consumers are built on it.
 */
export class ByteSubscription {
  private readonly logger: Logger;
  private consumerTag?: Promise<string | undefined>;

  constructor(
    private readonly amqp: AmqpConnection,
    readonly options: ByteSubscriptionOptions,
    private readonly handler: (msg: ConsumeMessage) => Promise<void | Nack>,
  ) {
    this.logger = new Logger(options.name);
  }

  /** Subscribes (on every reconnect again); does not wait for the broker. */
  start(): void {
    const o = this.options;
    this.consumerTag = this.amqp
      .createSubscriber<Buffer>(
        (_content, raw) => this.handler(raw!),
        {
          queue: o.queue,
          queueOptions: { ...o.queueOptions, channel: o.channel },
          bindings: o.bindings,
          createQueueIfNotExists: true,
          deserializer: (content: Buffer) => content,
          allowNonJsonMessages: true,
          // Only an ack on a channel that closed meanwhile can fail: the broker redelivers that message.
          errorHandler: (_ch, msg, err) => this.logger.debug?.(JSON.stringify({ event: 'ack_failed', queue: o.queue, delivery_tag: msg.fields.deliveryTag, error: err?.message })),
        },
        o.name,
      )
      .then(
        (s) => s.consumerTag,
        (err) => {
          this.logger.warn(JSON.stringify({ event: 'subscribe_failed', queue: o.queue, error: err?.message }));
          return undefined;
        },
      );
  }

  /** Cancels the consumer (messages in hand and unacknowledged go back to the queue when settled with a Nack). */
  async cancel(): Promise<void> {
    const tag = await Promise.race([this.consumerTag ?? Promise.resolve(undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), CANCEL_WAIT_MS))]);
    if (tag) await this.amqp.cancelConsumer(tag).catch(() => undefined);
  }
}
